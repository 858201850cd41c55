/**
 * Flux on a running test bed: source-controller and kustomize-controller (built by flux-build.ts)
 * run as processes against one cluster of the bed, the hub, and reconcile a fleet synthesized
 * with `GitOps.FLUX` from a Git repository served by git-server.ts.
 *
 * The layout is the hub layout the compiler emits: Flux's CRDs, its `flux-system` namespace, the
 * GitRepository and every Flux Kustomization live in the hub; the hub's own stages are applied
 * with the controller's identity, every other cluster's stages through `spec.kubeConfig.secretRef`
 * (a Secret in `flux-system` whose key `value` holds a kubeconfig for that cluster, set per
 * cluster with `fluxKubeConfigSecret`). One entry Kustomization per cluster
 * (`<fleet>-<cluster>-entry`, path `./<gitPath>/clusters/<cluster-id>`) stands for what
 * `flux bootstrap` plus the hand-written `clusters/<cluster>/cdk8s-mcs.yaml` would be.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { cachedBuild } from './build';
import { EngineProcess, httpOk, startEngineProcesses } from './engine-processes';
import { adminClient } from './control';
import { fluxBinaries, fluxBuildError, fluxBuilt, FluxBinaries } from './flux-build';
import { KubeClient, KubeObject, parseYamlObjects, waitForCrdsEstablished } from './kube';
import { kubeconfigYaml } from './cluster-plan';
import { clusterOf, requireState } from './state';

export const FLUX_NAMESPACE = 'flux-system';
export const FLUX_SOURCE = 'flux-system';

/** Why Flux cannot run on this machine's bed, or undefined when its component is built. */
export function fluxUnavailable(): string | undefined {
  const dirs = cachedBuild().dirs;
  if (fluxBuilt(dirs)) return undefined;
  return fluxBuildError(dirs) ?? `the optional test-bed component "flux" is not built in ${dirs.bin} (npm run testbed -- build)`;
}

export interface FluxPorts {
  /** source-controller's artifact server (kustomize-controller downloads from it) */
  storage: number;
  sourceMetrics: number;
  sourceHealth: number;
  kustomizeMetrics: number;
  kustomizeHealth: number;
}

/** Five consecutive ports from `base`. */
export function fluxPorts(base: number): FluxPorts {
  return { storage: base, sourceMetrics: base + 1, sourceHealth: base + 2, kustomizeMetrics: base + 3, kustomizeHealth: base + 4 };
}

export interface FluxOptions {
  /** cluster of the bed Flux runs against */
  hub: string;
  /** state directory: logs, artifact storage, kubeconfigs */
  dir: string;
  ports: FluxPorts;
  log?: (line: string) => void;
  /** pid whose death stops the controllers (default: this process) */
  ownerPid?: number;
  /** binaries to run instead of the bed cache's (e.g. a build elsewhere) */
  binaries?: FluxBinaries;
}

export type FluxProcess = EngineProcess;

export interface Flux {
  readonly hub: string;
  readonly processes: FluxProcess[];
  readonly binaries: FluxBinaries;
  /** client of the hub (admin) */
  hubClient(): KubeClient;
  stop(): Promise<void>;
}

/** A kubeconfig with the CA embedded (Flux reads kubeConfig.secretRef kubeconfigs without files). */
export function embeddedKubeconfig(clusterId: string): string {
  const c = clusterOf(requireState(), clusterId);
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: c.id, cluster: { server: c.server, 'certificate-authority-data': fs.readFileSync(c.caFile).toString('base64') } }],
    users: [{ name: `${c.id}-flux`, user: { token: c.adminToken } }],
    contexts: [{ name: c.id, context: { cluster: c.id, user: `${c.id}-flux` } }],
    'current-context': c.id,
  });
}

/** Installs Flux's CRDs (from the built module versions) and the flux-system namespace in the hub. */
async function installCrds(kube: KubeClient, crdsFile: string): Promise<void> {
  const crds = parseYamlObjects(fs.readFileSync(crdsFile, 'utf8')).filter((o) => o.kind === 'CustomResourceDefinition');
  await kube.apply(crds, { fieldManager: 'testbed-flux' });
  await waitForCrdsEstablished(kube, crds, 'Flux CRDs');
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: FLUX_NAMESPACE } }, { fieldManager: 'testbed-flux' });
}

/** Starts source-controller and kustomize-controller against the hub; resolves once both report ready. */
export async function startFlux(opts: FluxOptions): Promise<Flux> {
  const why = opts.binaries ? undefined : fluxUnavailable();
  if (why) throw new Error(`Flux is not available on this bed: ${why}`);
  const log = opts.log ?? (() => undefined);
  const bins = opts.binaries ?? fluxBinaries(cachedBuild().dirs);
  const s = requireState();
  const hub = clusterOf(s, opts.hub);
  fs.mkdirSync(path.join(opts.dir, 'artifacts'), { recursive: true });
  const kubeconfig = path.join(opts.dir, 'hub.kubeconfig');
  fs.writeFileSync(kubeconfig, kubeconfigYaml([{ name: hub.id, server: hub.server, caFile: hub.caFile, token: hub.adminToken }], hub.id), { mode: 0o600 });

  const kube = adminClient(opts.hub);
  try {
    await installCrds(kube, bins.crds);
  } finally {
    kube.close();
  }

  const p = opts.ports;
  const common = ['--enable-leader-election=false', '--watch-all-namespaces=true', '--log-encoding=console', '--log-level=info'];
  const specs = [
    {
      name: 'source-controller',
      binary: bins.sourceController,
      args: [
        ...common,
        `--storage-path=${path.join(opts.dir, 'artifacts')}`,
        `--storage-addr=127.0.0.1:${p.storage}`,
        `--storage-adv-addr=127.0.0.1:${p.storage}`,
        `--metrics-addr=127.0.0.1:${p.sourceMetrics}`,
        `--health-addr=127.0.0.1:${p.sourceHealth}`,
      ],
      health: p.sourceHealth,
    },
    {
      name: 'kustomize-controller',
      binary: bins.kustomizeController,
      args: [...common, '--no-remote-bases=true', '--requeue-dependency=5s', `--metrics-addr=127.0.0.1:${p.kustomizeMetrics}`, `--health-addr=127.0.0.1:${p.kustomizeHealth}`],
      health: p.kustomizeHealth,
    },
  ];
  const env = { PATH: process.env.PATH, HOME: opts.dir, KUBECONFIG: kubeconfig, RUNTIME_NAMESPACE: FLUX_NAMESPACE, TMPDIR: opts.dir };
  const { processes, stop } = await startEngineProcesses(specs.map((spec) => ({
    name: spec.name,
    binary: spec.binary,
    args: spec.args,
    env,
    readyWhat: `127.0.0.1:${spec.health}/readyz`,
    ready: () => httpOk(`http://127.0.0.1:${spec.health}/readyz`),
  })), { dir: opts.dir, ownerPid: opts.ownerPid, log });
  return { hub: opts.hub, processes, binaries: bins, hubClient: () => adminClient(opts.hub), stop };
}

/** The GitRepository every emitted Kustomization names (`fluxSource`, default `flux-system`). */
export function gitRepository(url: string, o: { name?: string; branch?: string; interval?: string } = {}): KubeObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: o.name ?? FLUX_SOURCE, namespace: FLUX_NAMESPACE },
    spec: { url, interval: o.interval ?? '10s', ref: { branch: o.branch ?? 'main' }, timeout: '30s' },
  };
}

/** The Secret a `kubeConfig.secretRef` names: a kubeconfig of the cluster under the key `value`. */
export function kubeconfigSecret(name: string, clusterId: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: FLUX_NAMESPACE }, type: 'Opaque', stringData: { value: embeddedKubeconfig(clusterId) } } as KubeObject;
}

/** The hub's entry point for one cluster: a Kustomization of `./<gitPath>/clusters/<cluster-id>`. */
export function entryKustomization(fleetName: string, clusterId: string, o: { gitPath?: string; interval?: string } = {}): KubeObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: `${fleetName}-${clusterId}-entry`, namespace: FLUX_NAMESPACE },
    spec: {
      interval: o.interval ?? '1m',
      path: `./${o.gitPath ?? 'dist'}/clusters/${clusterId}`,
      prune: true,
      sourceRef: { kind: 'GitRepository', name: FLUX_SOURCE },
      timeout: '2m',
    },
  };
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** The Ready condition of a Flux object in flux-system, or undefined. */
export async function fluxReady(kube: KubeClient, kind: 'Kustomization' | 'GitRepository', name: string): Promise<Condition & { revision?: string } | undefined> {
  const apiVersion = kind === 'Kustomization' ? 'kustomize.toolkit.fluxcd.io/v1' : 'source.toolkit.fluxcd.io/v1';
  const o = await kube.tryGet(apiVersion, kind, name, FLUX_NAMESPACE);
  const c = (o?.status?.conditions as Condition[] | undefined)?.find((x) => x.type === 'Ready');
  if (!c) return undefined;
  return { ...c, revision: kind === 'Kustomization' ? o.status?.lastAppliedRevision : o.status?.artifact?.revision };
}

/** Asks Flux to reconcile now (the `reconcile.fluxcd.io/requestedAt` annotation `flux reconcile` sets). */
export async function requestReconcile(kube: KubeClient, kind: 'Kustomization' | 'GitRepository', name: string): Promise<void> {
  const apiVersion = kind === 'Kustomization' ? 'kustomize.toolkit.fluxcd.io/v1' : 'source.toolkit.fluxcd.io/v1';
  const p = await kube.pathFor(apiVersion, kind, FLUX_NAMESPACE, name);
  await kube.request('PATCH', p, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': new Date().toISOString() } } }, 'application/merge-patch+json');
}
