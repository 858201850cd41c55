/**
 * Argo CD on the test bed (optional component `argocd`, built with the rest: `npm run testbed -- build`):
 * the multi-call `argocd` binary of github.com/argoproj/argo-cd/v3 (it runs as
 * argocd-application-controller and argocd-repo-server, by the name it is started under), Argo CD's
 * CRDs and the two helper scripts its repo server calls, all from the same module version, into
 * `<bin>/argocd-<version>/` of the bed's cache. Redis comes from Debian (`redis-server`).
 *
 * Recipe: argo-cd's go.mod replaces its own gitops-engine with `./gitops-engine`, which is not in
 * the module zip, so it is built from a wrapper module: the release's go.mod under another module
 * path (same requirements and k8s.io replaces), the local replace dropped, `require
 * github.com/argoproj/argo-cd/v3 <version>`, then `go build -mod=mod .../cmd`.
 *
 * v3.5.8, the newest release that builds with the bed's Go 1.26 (v3.6 needs Go 1.27). Built with
 * the bed since a cold CI run was measured at 34 minutes (2026-12-05): after the bed, whose modules
 * and build cache it shares, it takes 3 min 10 s. A failed build is recorded in
 * `<bin>/argocd.error.txt`, and test/e2e/argocd.test.ts fails with it (CDK8S_MCS_SKIP_ARGOCD=1
 * skips it instead).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Component } from './build-components';
import { runGo, writeWrapperModule } from './build-go';
import { BuildDirs } from './versions';

export const ARGOCD_MODULE = 'github.com/argoproj/argo-cd/v3';
export const ARGOCD_VERSION = 'v3.5.8';

/**
 * Replaces for versions the module proxy here refuses. argo-cd v3.5.8 requires
 * github.com/argoproj/argo-cd/gitops-engine v0.7.1-0.20250908182407-97ad5b59a627 (its own
 * sub-folder, replaced by `./gitops-engine`); the proxy answers 403 for that pseudo-version and
 * lists no tagged one, so the build takes the one it serves as @latest, a master commit of
 * 2026-09-14 built against the same Kubernetes libraries (v0.36.1). Not the exact release-3.5
 * copy: sync and diff could differ from the real v3.5.8 in details.
 */
export const ARGOCD_PROXY_WORKAROUNDS: Record<string, string> = {
  'github.com/argoproj/argo-cd/gitops-engine': 'v0.0.0-20260914071520-c9c369efcc5b',
};

/** The Argo CD CRDs the controller needs, from `manifests/crds/` of the module. */
const CRD_FILES = ['application-crd.yaml', 'applicationset-crd.yaml', 'appproject-crd.yaml'];
/** What the repo server runs from PATH (the image ships them from `hack/`). */
const HELPER_SCRIPTS = ['git-verify-wrapper.sh', 'git-ask-pass.sh'];

export function argoCdFolder(): string {
  return `argocd-${ARGOCD_VERSION}`;
}

export interface ArgoCdBinaries {
  /** folder to put first on PATH: argocd, its two names, the helper scripts */
  binDir: string;
  applicationController: string;
  repoServer: string;
  crds: string;
}

export function argoCdBinaries(dirs: BuildDirs): ArgoCdBinaries {
  const d = path.join(dirs.bin, argoCdFolder());
  return { binDir: d, applicationController: path.join(d, 'argocd-application-controller'), repoServer: path.join(d, 'argocd-repo-server'), crds: path.join(d, 'crds.yaml') };
}

/** True when the component built (its stamp and outputs exist). */
export function argoCdBuilt(dirs: BuildDirs): boolean {
  const b = argoCdBinaries(dirs);
  return fs.existsSync(path.join(dirs.bin, '.argocd.ok')) && [b.applicationController, b.repoServer, b.crds].every((f) => fs.existsSync(f));
}

export const argoCdComponent: Component = {
  name: 'argocd',
  get outputs() {
    return [`${argoCdFolder()}/argocd`, `${argoCdFolder()}/crds.yaml`];
  },
  optional: true,
  async build(ctx) {
    const dir = path.join(ctx.dirs.src, 'argocd');
    const moduleDir = await writeWrapperModule(ctx, { module: ARGOCD_MODULE, version: ARGOCD_VERSION, name: 'testbed/argocd', dir, replaces: ARGOCD_PROXY_WORKAROUNDS });
    const tmp = path.join(ctx.dirs.bin, '.tmp-argocd');
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    ctx.log(`argocd: compiling ${ARGOCD_MODULE}/cmd@${ARGOCD_VERSION} (wrapper module ${dir})`);
    await runGo(ctx, 'argocd: go build', ['build', '-mod=mod', '-v', '-ldflags', '-s -w', '-o', path.join(tmp, 'argocd'), `${ARGOCD_MODULE}/cmd`], { cwd: dir });
    for (const name of ['argocd-application-controller', 'argocd-repo-server']) {
      fs.symlinkSync('argocd', path.join(tmp, name));
    }
    for (const script of HELPER_SCRIPTS) {
      fs.copyFileSync(path.join(moduleDir, 'hack', script), path.join(tmp, script));
      fs.chmodSync(path.join(tmp, script), 0o755);
    }
    const crds = CRD_FILES.map((f) => `# from ${ARGOCD_MODULE}@${ARGOCD_VERSION}/manifests/crds/${f}\n` + fs.readFileSync(path.join(moduleDir, 'manifests', 'crds', f), 'utf8').replace(/^---\n/, '').trim() + '\n');
    fs.writeFileSync(path.join(tmp, 'crds.yaml'), crds.join('---\n'));
    const dest = path.join(ctx.dirs.bin, argoCdFolder());
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
  },
};
