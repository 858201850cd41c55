/**
 * Argo CD on a running test bed: Redis (Debian's redis-server), argocd-repo-server and
 * argocd-application-controller (built by argocd-build.ts) run as processes against one cluster of
 * the bed, the hub, and sync the Applications a fleet synthesized with `GitOps.ARGOCD` emits from
 * a Git repository served by git-server.ts.
 *
 * What the install manifests would create is created here: Argo CD's CRDs, the `argocd` namespace
 * with `argocd-cm`, `argocd-secret` and the `default` AppProject, and one cluster Secret per bed
 * cluster (label `argocd.argoproj.io/secret-type: cluster`, named by its cluster ID, which is the
 * `destination.name` the emitted Applications use). No API server, UI or Dex: nothing here needs them.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { argoCdBinaries, argoCdBuilt, ArgoCdBinaries } from './argocd-build';
import { httpOk, startEngineProcesses } from './engine-processes';
import { cachedBuild } from './build';
import { kubeconfigYaml } from './cluster-plan';
import { adminClient } from './control';
import { KubeClient, KubeObject, parseYamlObjects, waitForCrdsEstablished } from './kube';
import { clusterOf, requireState } from './state';
import { recordedBuildError } from './versions';

export const ARGOCD_NAMESPACE = 'argocd';

/** Why Argo CD cannot run on this machine's bed, or undefined when it can. */
export function argoCdUnavailable(): string | undefined {
  const dirs = cachedBuild().dirs;
  if (!argoCdBuilt(dirs)) return recordedBuildError(dirs, 'argocd') ?? `the optional test-bed component "argocd" is not built in ${dirs.bin} (npm run testbed -- build)`;
  if (spawnSync('redis-server', ['--version']).status !== 0) return 'redis-server is not installed (apt-get install -y redis-server)';
  return undefined;
}

export interface ArgoCdPorts {
  redis: number;
  repoServer: number;
  repoServerMetrics: number;
  controllerMetrics: number;
}

/** Four consecutive ports from `base`. */
export function argoCdPorts(base: number): ArgoCdPorts {
  return { redis: base, repoServer: base + 1, repoServerMetrics: base + 2, controllerMetrics: base + 3 };
}

export interface ArgoCd {
  readonly hub: string;
  readonly logs: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** A cluster Secret: how Argo CD reaches a destination cluster (its server URL, CA and a token). */
export function clusterSecret(clusterId: string): KubeObject {
  const c = clusterOf(requireState(), clusterId);
  const config = { bearerToken: c.adminToken, tlsClientConfig: { insecure: false, caData: fs.readFileSync(c.caFile).toString('base64') } };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `cluster-${clusterId}`, namespace: ARGOCD_NAMESPACE, labels: { 'argocd.argoproj.io/secret-type': 'cluster' } },
    type: 'Opaque',
    stringData: { name: clusterId, server: c.server, config: JSON.stringify(config) },
  } as KubeObject;
}

/** Argo CD's CRDs, its namespace, settings and default project, and a cluster Secret per bed cluster, in the hub. */
async function install(hub: string, bins: ArgoCdBinaries): Promise<void> {
  const crds = parseYamlObjects(fs.readFileSync(bins.crds, 'utf8')).filter((o) => o.kind === 'CustomResourceDefinition');
  const kube = adminClient(hub);
  try {
    await kube.apply(crds, { fieldManager: 'testbed-argocd' });
    await waitForCrdsEstablished(kube, crds, 'Argo CD CRDs');
  } finally {
    kube.close();
  }
  // a new client: the first one's discovery predates the CRDs
  const k = adminClient(hub);
  try {
    const part = { 'app.kubernetes.io/part-of': 'argocd' };
    await k.apply([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ARGOCD_NAMESPACE } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: ARGOCD_NAMESPACE, labels: part }, data: { 'timeout.reconciliation': '10s' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'argocd-secret', namespace: ARGOCD_NAMESPACE, labels: part }, stringData: { 'server.secretkey': 'test-bed-only' } },
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AppProject',
        metadata: { name: 'default', namespace: ARGOCD_NAMESPACE },
        spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] },
      },
      ...requireState().clusters.map((c) => clusterSecret(c.id)),
    ] as KubeObject[], { fieldManager: 'testbed-argocd' });
  } finally {
    k.close();
  }
}

/** Starts Redis, the repo server and the application controller against the hub; resolves once each answers. */
export async function startArgoCd(opts: { hub: string; dir: string; ports: ArgoCdPorts; log?: (line: string) => void; ownerPid?: number }): Promise<ArgoCd> {
  const why = argoCdUnavailable();
  if (why) throw new Error(`Argo CD is not available on this bed: ${why}`);
  const log = opts.log ?? (() => undefined);
  const bins = argoCdBinaries(cachedBuild().dirs);
  const hub = clusterOf(requireState(), opts.hub);
  fs.mkdirSync(opts.dir, { recursive: true });
  const kubeconfig = path.join(opts.dir, 'hub.kubeconfig');
  fs.writeFileSync(kubeconfig, kubeconfigYaml([{ name: hub.id, server: hub.server, caFile: hub.caFile, token: hub.adminToken }], hub.id), { mode: 0o600 });
  await install(opts.hub, bins);

  const p = opts.ports;
  const specs = [
    { name: 'redis', binary: 'redis-server', args: ['--port', String(p.redis), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', opts.dir], readyWhat: 'PONG', ready: async () => redisPing(p.redis) },
    {
      name: 'repo-server',
      binary: bins.repoServer,
      args: ['--redis', `127.0.0.1:${p.redis}`, '--address', '127.0.0.1', '--port', String(p.repoServer), '--metrics-address', '127.0.0.1', '--metrics-port', String(p.repoServerMetrics),
        // plaintext on loopback; the client CA flag defaults to a path in the image and must be emptied with it
        '--disable-tls', '--client-ca-path=', '--logformat', 'text'],
      readyWhat: `127.0.0.1:${p.repoServerMetrics}/healthz`,
      ready: () => httpOk(`http://127.0.0.1:${p.repoServerMetrics}/healthz`),
    },
    {
      name: 'application-controller',
      binary: bins.applicationController,
      args: ['--kubeconfig', kubeconfig, '--namespace', ARGOCD_NAMESPACE, '--repo-server', `127.0.0.1:${p.repoServer}`, '--repo-server-plaintext', '--redis', `127.0.0.1:${p.redis}`,
        '--metrics-port', String(p.controllerMetrics), '--app-resync', '20', '--logformat', 'text'],
      readyWhat: `127.0.0.1:${p.controllerMetrics}/metrics`,
      ready: () => httpOk(`http://127.0.0.1:${p.controllerMetrics}/metrics`),
    },
  ];
  // the repo server runs git-verify-wrapper.sh and git-ask-pass.sh from PATH; no GPG keyring here
  const env = { PATH: `${bins.binDir}:${process.env.PATH}`, HOME: opts.dir, TMPDIR: opts.dir, ARGOCD_GPG_ENABLED: 'false' };
  const started = await startEngineProcesses(specs.map((spec) => ({ ...spec, env })), { dir: opts.dir, ownerPid: opts.ownerPid, log });
  return { hub: opts.hub, logs: Object.fromEntries(started.processes.filter((x) => x.log).map((x) => [x.name, x.log])), stop: started.stop };
}

function redisPing(port: number): boolean {
  return spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG';
}

export interface AppState {
  sync?: string;
  revision?: string;
  health?: string;
  operation?: string;
  message?: string;
}

/** An Application's sync and health status, and its last operation. */
export async function applicationState(kube: KubeClient, name: string): Promise<AppState | undefined> {
  const a = await kube.tryGet('argoproj.io/v1alpha1', 'Application', name, ARGOCD_NAMESPACE);
  if (!a) return undefined;
  const st = a.status ?? {};
  return { sync: st.sync?.status, revision: st.sync?.revision, health: st.health?.status, operation: st.operationState?.phase, message: st.operationState?.message };
}

/** Asks Argo CD to compare again now (the `argocd.argoproj.io/refresh` annotation `argocd app get --refresh` sets). */
export async function requestRefresh(kube: KubeClient, name: string): Promise<void> {
  const p = await kube.pathFor('argoproj.io/v1alpha1', 'Application', ARGOCD_NAMESPACE, name);
  await kube.request('PATCH', p, { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } }, 'application/merge-patch+json');
}
