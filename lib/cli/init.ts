/** `cdk8s-mcs init`: scaffolds a fleet project (cdk8s.yaml, main.ts, tsconfig, package.json) that synthesizes as it is. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OwnPackage, ownPackage } from '../fleet/own-package';
import { UsageError } from './args';
import { Command, EXIT_OK } from './command';
import { dependencySource, dependencySpec, isCheckout, packageRoot } from './init-source';
import { CDK8S_YAML, GITIGNORE, MAIN_TS, packageJson, readme, ScaffoldVersions, TSCONFIG } from './init-templates';

/** Files a folder may already hold and still count as empty. */
const IGNORED = new Set(['.git', '.gitignore', '.DS_Store', 'README.md', 'LICENSE']);

export const initCommand: Command = {
  spec: {
    name: 'init',
    summary: 'Scaffold a new fleet project (cdk8s.yaml, main.ts with two clusters, tsconfig.json, package.json) in an empty folder.',
    usage: 'cdk8s-mcs init [--dir DIR] [--name NAME] [--force]',
    flags: [
      { name: 'dir', value: 'DIR', description: 'folder to create the project in', default: '.' },
      { name: 'name', value: 'NAME', description: 'package name (default: the folder name)' },
      { name: 'force', boolean: true, description: 'write into a folder that is not empty (existing files of the same names are overwritten)' },
      { name: 'from', value: 'TGZ|DIR', description: 'install cdk8s-mcs from this tarball (npm pack output) or checkout (packed into vendor/) instead of the registry (default: the tarball init itself was installed from, if any)' },
    ],
  },

  async run(args, io) {
    const dir = path.resolve(String(args.flags.dir));
    fs.mkdirSync(dir, { recursive: true });
    const present = fs.readdirSync(dir).filter((f) => !IGNORED.has(f));
    if (present.length > 0 && args.flags.force !== true) {
      throw new UsageError(`${dir} is not empty (found ${present.slice(0, 5).join(', ')}${present.length > 5 ? ', ...' : ''}); run init in an empty folder, or pass --force`);
    }
    const name = String(args.flags.name ?? packageName(path.basename(dir)));
    const own = ownPackage();
    const root = packageRoot();
    const source = dependencySource(args.flags.from as string | undefined, root);
    const versions = { ...versionsFrom(own), cdk8sMcs: dependencySpec(source, dir, own.version, (l) => io.stdout(`${l}\n`)) };
    const files = scaffold(name, versions, fs.existsSync(path.join(dir, 'README.md')));
    for (const [file, text] of files) {
      fs.writeFileSync(path.join(dir, file), text);
      io.stdout(`created ${path.join(path.relative(process.cwd(), dir) || '.', file)}\n`);
    }
    if (source.kind === 'registry' && isCheckout(root)) {
      io.stdout(`\nnote: package.json asks the registry for cdk8s-mcs ${versions.cdk8sMcs}; until it is published there, run init with --from <cdk8s-mcs tarball or checkout> (README, "Install")\n`);
    }
    io.stdout(`\nNext:\n  ${dir === process.cwd() ? '' : `cd ${path.relative(process.cwd(), dir)} && `}npm install && npm run synth\n`);
    return EXIT_OK;
  },
};

function scaffold(name: string, versions: ScaffoldVersions, keepReadme: boolean): Map<string, string> {
  const files = new Map<string, string>([
    ['package.json', packageJson(name, versions)],
    ['cdk8s.yaml', CDK8S_YAML],
    ['tsconfig.json', TSCONFIG],
    ['main.ts', MAIN_TS],
    ['.gitignore', GITIGNORE],
  ]);
  if (!keepReadme) {
    files.set('README.md', readme(name));
  }
  return files;
}

/** An npm package name from a folder name: `My Fleet` -> `my-fleet`. */
export function packageName(folder: string): string {
  const cleaned = folder.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|[-]+$/g, '');
  return cleaned || 'fleet';
}

/** The versions the scaffold pins: the ones this cdk8s-mcs was built and tested with. */
export function versionsFrom(pkg: OwnPackage): ScaffoldVersions {
  const dev = pkg.devDependencies ?? {};
  const need = (deps: Record<string, string>, dep: string, fallback: string) => deps[dep] ?? fallback;
  return {
    cdk8sMcs: `^${pkg.version}`,
    cdk8s: need(pkg.dependencies, 'cdk8s', '2.70.106'),
    cdk8sPlus: need(pkg.dependencies, 'cdk8s-plus-28', '2.5.6'),
    constructs: need(pkg.dependencies, 'constructs', '10.8.1'),
    cdk8sCli: need(dev, 'cdk8s-cli', '2.207.60'),
    typescript: need(dev, 'typescript', '~5.9.3'),
    tsNode: need(dev, 'ts-node', '10.9.2'),
  };
}
