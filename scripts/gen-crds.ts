// Writes crds/*.yaml from lib/crds (the single source of truth) and regenerates imports/ with
// `cdk8s import`. A unit test fails when the committed files drift from lib/crds.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderCrdFiles } from '../lib/crds/render';

const root = path.join(__dirname, '..');
for (const [file, text] of Object.entries(renderCrdFiles())) {
  fs.writeFileSync(path.join(root, 'crds', file), text);
  console.log(`wrote crds/${file}`);
}
if (!process.argv.includes('--no-import')) {
  for (const file of Object.keys(renderCrdFiles())) {
    execFileSync('npx', ['cdk8s', 'import', `crds/${file}`, '--language', 'typescript', '--no-save', '--no-check-upgrade', '--output', 'imports'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
}
