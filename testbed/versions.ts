/**
 * Versions of everything the test bed builds from Go modules, and where the build cache lives.
 *
 * The cache directory is keyed by these versions (plus a recipe revision), so bumping any of them
 * builds into a fresh directory while the old one stays usable. The Go toolchain version is
 * recorded in `<root>/build-info.json`, not in the key, so a built bed can be used without Go.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const VERSIONS = {
  /** k8s.io/kubernetes release; every staging module is pinned to the matching v0.<minor>.<patch>. */
  kubernetes: 'v1.36.3',
  /** go.etcd.io/etcd/server/v3 (3.6 line). */
  etcd: 'v3.6.16',
  /** sigs.k8s.io/kwok. */
  kwok: 'v0.8.0',
  /** github.com/coredns/coredns: >= v1.12.2 has the in-tree `kubernetes { multicluster ... }` option. */
  coredns: 'v1.14.7',
  /** github.com/coredns/multicluster (external plugin, optional): it has no tags, and the module proxy reachable here refuses it (403). */
  corednsMulticluster: 'edbcb64886f6',
} as const;

/** Bump when the build recipe changes in a way that must invalidate cached binaries. */
export const RECIPE_REVISION = 'r1';

/** Binaries a complete build produces (coredns-multicluster is optional: see build.ts). */
export const REQUIRED_BINARIES = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'etcd',
  'kwok',
  'coredns',
] as const;

export function cacheRoot(): string {
  return process.env.CDK8S_MCS_CACHE || path.join(os.homedir(), '.cache', 'cdk8s-mcs');
}

/** e.g. `k8s-v1.36.3_etcd-v3.6.16_kwok-v0.8.0_coredns-v1.14.7_mc-edbcb64886f6_r1` */
export function versionsKey(): string {
  return [
    `k8s-${VERSIONS.kubernetes}`,
    `etcd-${VERSIONS.etcd}`,
    `kwok-${VERSIONS.kwok}`,
    `coredns-${VERSIONS.coredns}`,
    `mc-${VERSIONS.corednsMulticluster}`,
    RECIPE_REVISION,
  ].join('_');
}

export interface BuildDirs {
  /** `<cache>/testbed/<key>` */
  root: string;
  /** `<root>/bin`: kube-*, etcd, kwok, coredns, coredns-multicluster (optional), kwok-stages.yaml, kwok-storage-class.yaml */
  bin: string;
  /** `<root>/src`: the generated wrapper Go modules. */
  src: string;
}

export function buildDirs(): BuildDirs {
  const root = path.join(cacheRoot(), 'testbed', versionsKey());
  return { root, bin: path.join(root, 'bin'), src: path.join(root, 'src') };
}

/** Where an optional component's build records why it failed (`coredns-multicluster.error.txt`, `flux.error.txt`, `argocd.error.txt`). */
export function optionalErrorFile(dirs: BuildDirs, component: string): string {
  return path.join(dirs.bin, `${component}.error.txt`);
}

/** The recorded error of an optional component's failed build, if any. */
export function recordedBuildError(dirs: BuildDirs, component: string): string | undefined {
  const f = optionalErrorFile(dirs, component);
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined;
}
