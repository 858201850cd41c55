/**
 * Where the scaffold's cdk8s-mcs dependency comes from. `^<version>` installs only once the
 * package is in a registry; until then a project made by `init` must point at the tarball or
 * checkout init came from, or `npm install` fails with a 404. So: `--from <tgz>` or a tarball init
 * was itself installed from (`npx --package=<tgz> cdk8s-mcs init`, found in npm's lock file of the
 * install) gives `file:<tgz>` (relative to the project, as `npm install <tgz>` writes it);
 * `--from <checkout>` packs that checkout into the project's `vendor/`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './usage-error';

export const PACKAGE_NAME = 'cdk8s-mcs';

export type DependencySource =
  | { readonly kind: 'registry' }
  | { readonly kind: 'tarball'; readonly tarball: string; readonly how: string }
  | { readonly kind: 'checkout'; readonly root: string };

/** The source `--from` names, else the tarball this package was installed from, else the registry. */
export function dependencySource(from: string | undefined, packageRoot: string, cwd = process.cwd()): DependencySource {
  if (from !== undefined) {
    return explicitSource(path.resolve(cwd, from));
  }
  const tarball = installedFromTarball(packageRoot);
  return tarball ? { kind: 'tarball', tarball, how: 'the tarball this cdk8s-mcs was installed from' } : { kind: 'registry' };
}

function explicitSource(from: string): DependencySource {
  if (!fs.existsSync(from)) {
    throw new UsageError(`--from ${from}: no such file or folder; pass a tarball made by \`npm pack\` (cdk8s-mcs-<version>.tgz) or a cdk8s-mcs checkout`);
  }
  if (fs.statSync(from).isFile()) {
    if (!/\.(tgz|tar\.gz)$/.test(from)) {
      throw new UsageError(`--from ${from}: not a tarball (.tgz); pass the file \`npm pack\` wrote, e.g. cdk8s-mcs-0.1.0.tgz`);
    }
    return { kind: 'tarball', tarball: from, how: '--from' };
  }
  const pkg = readJson(path.join(from, 'package.json')) as { name?: string } | undefined;
  if (pkg?.name !== PACKAGE_NAME) {
    throw new UsageError(`--from ${from}: not a cdk8s-mcs checkout (its package.json names ${pkg?.name ? `"${pkg.name}"` : 'no package'}); pass a cdk8s-mcs tarball or the folder of a cdk8s-mcs clone`);
  }
  return { kind: 'checkout', root: from };
}

/**
 * The tarball npm installed this package from, read from npm's hidden lock file of the install
 * (`<prefix>/node_modules/.package-lock.json`, also in npx's cache): `resolved: "file:...tgz"`.
 */
export function installedFromTarball(packageRoot: string): string | undefined {
  const nodeModules = path.dirname(packageRoot);
  if (path.basename(nodeModules) !== 'node_modules') {
    return undefined; // a checkout, not an install
  }
  const prefix = path.dirname(nodeModules);
  const lock = readJson(path.join(nodeModules, '.package-lock.json')) as { packages?: Record<string, { resolved?: string }> } | undefined;
  const resolved = lock?.packages?.[`node_modules/${PACKAGE_NAME}`]?.resolved;
  if (!resolved?.startsWith('file:') || !/\.(tgz|tar\.gz)$/.test(resolved)) {
    return undefined;
  }
  const tarball = path.resolve(prefix, resolved.slice('file:'.length));
  return fs.existsSync(tarball) ? tarball : undefined;
}

/**
 * The dependency spec to write into the project's package.json, packing a checkout into
 * `<project>/vendor/` first. `say` reports what was chosen.
 */
export function dependencySpec(source: DependencySource, project: string, version: string, say: (line: string) => void): string {
  switch (source.kind) {
    case 'registry':
      return `^${version}`;
    case 'tarball': {
      say(`cdk8s-mcs dependency: ${source.tarball} (${source.how}); once cdk8s-mcs is in your registry, "^${version}" works too`);
      return `file:${relativeSpec(project, source.tarball)}`;
    }
    case 'checkout': {
      const vendor = path.join(project, 'vendor');
      fs.mkdirSync(vendor, { recursive: true });
      say(`packing cdk8s-mcs from ${source.root} into ${vendor} (npm pack builds it first: about a minute)`);
      const out = execFileSync('npm', ['pack', '--pack-destination', vendor, '--loglevel=error'], { cwd: source.root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      const file = out.trim().split('\n').pop() as string;
      say(`cdk8s-mcs dependency: vendor/${file} (commit it with the project, or install from your registry once published)`);
      return `file:vendor/${file}`;
    }
  }
}

/** `../cdk8s-mcs/cdk8s-mcs-0.1.0.tgz`: relative to the project, as `npm install <tgz>` writes it. */
function relativeSpec(project: string, target: string): string {
  return path.relative(project, target).split(path.sep).join('/');
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The folder of this package: its package.json, upwards from this file (lib/cli in a checkout, build/lib/cli when installed). */
export function packageRoot(start = __dirname): string {
  for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = readJson(path.join(dir, 'package.json')) as { name?: string } | undefined;
    if (pkg?.name === PACKAGE_NAME) {
      return dir;
    }
  }
  throw new Error(`cannot find the package.json of ${PACKAGE_NAME} above ${start}; reinstall ${PACKAGE_NAME}`);
}

/** Whether `root` is a checkout (TypeScript sources present), where "^version" would not install until it is published. */
export function isCheckout(root: string): boolean {
  return fs.existsSync(path.join(root, 'lib', 'cli', 'init.ts'));
}
