/**
 * Flux on the test bed (optional component): source-controller and kustomize-controller built
 * from their Go modules, and Flux's CRDs read from the same module versions, into
 * `<bin>/flux-<version>/` of the bed's cache.
 *
 * Both repositories' go.mod replace their own `api` sub-module with `./api` (not part of the
 * module zip), so `go install module@version` is refused. The recipe builds each from a wrapper
 * module: the release's own go.mod (same requirements, same non-local replaces) under another
 * module path, requiring the controller at its version, and `go build -mod=mod <module>`.
 *
 * The module proxy reachable on the project's machines refuses some versions ("403 This module
 * version is not available"); PROXY_WORKAROUNDS lists the replaces that step around them.
 * Built with the rest of the bed (`npm run testbed -- build`, `.ci/run`, `npm test`'s global
 * setup), since test/e2e/flux.test.ts runs in `npm test`. It stays optional for the bed: a failure
 * is recorded in `<bin>/flux.error.txt` and not retried (`npm run testbed -- build
 * --retry-optional` retries it), the other clusters still start, and the Flux test fails with the
 * recorded error (CDK8S_MCS_SKIP_FLUX=1 skips it instead).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Component } from './build-components';
import { BuildContext, runGo, writeWrapperModule } from './build-go';
import { BuildDirs, recordedBuildError } from './versions';

export const FLUX_VERSIONS = {
  /** github.com/fluxcd/source-controller (Flux v2.9 line; v1.10 needs Go 1.27) */
  sourceController: 'v1.9.6',
  /** github.com/fluxcd/kustomize-controller */
  kustomizeController: 'v1.9.6',
} as const;

/**
 * Replaces for versions the module proxy here refuses, each to the nearest version it serves.
 * source-controller v1.9.6 requires github.com/fluxcd/pkg/artifact v0.18.3; the proxy serves only
 * v0.3.0, v0.5.0, v0.8.0, v0.18.0 and v0.29.0 of it (v0.18.1 to v0.18.3: 403).
 */
export const PROXY_WORKAROUNDS: Record<string, string> = {
  'github.com/fluxcd/pkg/artifact': 'v0.18.0',
};

const CONTROLLERS = [
  { name: 'source-controller', module: 'github.com/fluxcd/source-controller', version: FLUX_VERSIONS.sourceController, crds: 'config/crd/bases' },
  { name: 'kustomize-controller', module: 'github.com/fluxcd/kustomize-controller', version: FLUX_VERSIONS.kustomizeController, crds: 'config/crd/bases' },
] as const;

/** `flux-sc-v1.9.6-kc-v1.9.6`: the folder of bin/ the component builds into (a version bump builds afresh). */
export function fluxFolder(): string {
  return `flux-sc-${FLUX_VERSIONS.sourceController}-kc-${FLUX_VERSIONS.kustomizeController}`;
}

export interface FluxBinaries {
  sourceController: string;
  kustomizeController: string;
  /** every CRD of both controllers, one multi-document YAML */
  crds: string;
}

export function fluxBinaries(dirs: BuildDirs): FluxBinaries {
  const d = path.join(dirs.bin, fluxFolder());
  return { sourceController: path.join(d, 'source-controller'), kustomizeController: path.join(d, 'kustomize-controller'), crds: path.join(d, 'crds.yaml') };
}

/** True when the Flux component built (its stamp and outputs exist). */
export function fluxBuilt(dirs: BuildDirs): boolean {
  const b = fluxBinaries(dirs);
  return fs.existsSync(path.join(dirs.bin, '.flux.ok')) && [b.sourceController, b.kustomizeController, b.crds].every((f) => fs.existsSync(f));
}

/** The recorded error of a failed Flux build, if any. */
export function fluxBuildError(dirs: BuildDirs): string | undefined {
  return recordedBuildError(dirs, 'flux');
}

async function buildController(ctx: BuildContext, c: (typeof CONTROLLERS)[number], tmp: string): Promise<string> {
  const dir = path.join(ctx.dirs.src, `flux-${c.name}`);
  // the local `=> ./api` replace is dropped: the require line names the published api module at the release's version
  const moduleDir = await writeWrapperModule(ctx, { module: c.module, version: c.version, name: `testbed/flux-${c.name}`, dir, replaces: PROXY_WORKAROUNDS });
  ctx.log(`${c.name}: compiling ${c.module}@${c.version} (wrapper module ${dir})`);
  const out = path.join(tmp, c.name);
  await runGo(ctx, `${c.name}: go build`, ['build', '-mod=mod', '-v', '-ldflags', '-s -w', '-o', out, c.module], { cwd: dir });
  return moduleDir;
}

export const fluxComponent: Component = {
  name: 'flux',
  get outputs() {
    return [`${fluxFolder()}/source-controller`, `${fluxFolder()}/kustomize-controller`, `${fluxFolder()}/crds.yaml`];
  },
  optional: true,
  async build(ctx) {
    const tmp = path.join(ctx.dirs.bin, '.tmp-flux');
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    const crds: string[] = [];
    for (const c of CONTROLLERS) {
      const moduleDir = await buildController(ctx, c, tmp);
      const crdDir = path.join(moduleDir, c.crds);
      for (const f of fs.readdirSync(crdDir).filter((x) => x.endsWith('.yaml')).sort()) {
        crds.push(`# from ${c.module}@${c.version}/${c.crds}/${f}\n` + fs.readFileSync(path.join(crdDir, f), 'utf8').replace(/^---\n/, '').trim() + '\n');
      }
    }
    fs.writeFileSync(path.join(tmp, 'crds.yaml'), crds.join('---\n'));
    const dest = path.join(ctx.dirs.bin, fluxFolder());
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
  },
};
