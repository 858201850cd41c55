import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Fleet, HeadlessImport } from '../../../lib';
import { tempDir } from '../support/temp-dir';

const root = path.join(__dirname, '..', '..', '..');

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('synth output on disk', () => {
  it('matches the committed dist/ byte for byte (run `npm run synth` after changing the fleet)', () => {
    const out = tempDir('mcs-synth-');
    execFileSync('npx', ['ts-node', 'main.ts'], { cwd: root, env: { ...process.env, CDK8S_OUTDIR: out }, stdio: 'pipe' });
    const committed = path.join(root, 'dist');
    expect(listFiles(out)).toEqual(listFiles(committed));
    for (const file of listFiles(out)) {
      expect({ file, text: fs.readFileSync(path.join(out, file), 'utf8') }).toEqual({ file, text: fs.readFileSync(path.join(committed, file), 'utf8') });
    }
    fs.rmSync(out, { recursive: true, force: true });
  }, 120_000);

  it('writes one folder per cluster plus fleet.json and fleet.md, replacing stale files', () => {
    const outdir = tempDir('mcs-out-');
    fs.mkdirSync(path.join(outdir, 'old-cluster'));
    fs.writeFileSync(path.join(outdir, 'old-cluster', 'stale.yaml'), 'x');
    const fleet = new Fleet({ outdir });
    fleet.addCluster('a');
    fleet.addCluster('b');
    fleet.synth();
    expect(fs.readdirSync(outdir).sort()).toEqual(['a', 'b', 'fleet.json', 'fleet.md']);
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  it('leaves the previous output untouched when the fleet is invalid', () => {
    const outdir = tempDir('mcs-out-');
    fs.writeFileSync(path.join(outdir, 'keep.txt'), 'previous synth');
    const fleet = new Fleet({ outdir });
    const b = fleet.addCluster('b');
    new HeadlessImport(fleet, 'orphan', { serviceName: 'mysql', namespace: 'db', consumers: [b] });
    expect(() => fleet.synth()).toThrow('nothing was written');
    expect(fs.readdirSync(outdir)).toEqual(['keep.txt']);
    fs.rmSync(outdir, { recursive: true, force: true });
  });
});
