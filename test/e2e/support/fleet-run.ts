/**
 * Helpers to run the compiler's output and the sync controller against the test bed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { adaptCorefileForLocalRun } from '../../../testbed/adapt-corefile';
import { clientForContext, loadKubeConfig } from '../../../lib/kube/connect';
import { KubeClient as LibKubeClient } from '../../../lib/kube/client';
import { SyncController, SyncControllerOptions } from '../../../lib/runner/sync/controller';
import { createLogger } from '../../../lib/runner/observe/log';
import { Fleet } from '../../../lib/constructs/fleet';
import { SyncRunner } from '../../../lib/constructs/sync-runner';
import { main as cli } from '../../../lib/cli';
import * as tb from './testbed';

export const REPO = path.join(__dirname, '..', '..', '..');
export const RUNNER_NAMESPACE = 'cdk8s-mcs-system';

/** The objects of `dist/<cluster>/`, in apply (file name) order. */
export function distObjects(distDir: string, clusterId: string): tb.KubeObject[] {
  const dir = path.join(distDir, clusterId);
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

/** Server-side applies a cluster's dist folder with the test bed's admin client. */
export async function applyDist(distDir: string, clusterId: string): Promise<void> {
  await tb.apply(clusterId, distObjects(distDir, clusterId));
}

/** Restarts a cluster's CoreDNS with the Corefile the compiler emitted for it, adapted to run locally. */
export async function runCompilerCorefile(distDir: string, clusterId: string): Promise<string> {
  const cm = distObjects(distDir, clusterId).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'coredns');
  if (!cm) {
    throw new Error(`dist/${clusterId} has no coredns ConfigMap`);
  }
  const c = tb.bed().cluster(clusterId);
  const corefile = adaptCorefileForLocalRun((cm as unknown as { data: { Corefile: string } }).data.Corefile, { port: c.coredns.port, kubeconfig: c.coredns.kubeconfig });
  await tb.restartCoreDns(clusterId, corefile);
  return corefile;
}

/** Restores the bed's default CoreDNS for a cluster. */
export async function restoreDefaultCoreDns(clusterId: string): Promise<void> {
  await tb.restartCoreDns(clusterId);
}

/** lib/kube clients (the runner's own client) for the given bed clusters, as the runner's ServiceAccount. */
export function runnerClients(clusterIds: readonly string[], kubeconfig = runnerKubeconfig()): Map<string, LibKubeClient> {
  const kc = loadKubeConfig(kubeconfig);
  return new Map(clusterIds.map((id) => [id, clientForContext(kc, id, id)]));
}

let runnerKubeconfigPath: string | undefined;

/**
 * Gives every cluster the runner's namespace, ServiceAccount and RBAC exactly as the SyncRunner
 * construct emits them, and writes a kubeconfig (with `cdk8s-mcs kubeconfig`) that authenticates
 * as that ServiceAccount in each cluster. Every runner in the e2e suite uses it: least privilege
 * is proven by the whole suite, not by one test.
 */
export async function ensureRunnerNamespace(clusterIds: readonly string[]): Promise<string> {
  if (runnerKubeconfigPath) {
    return runnerKubeconfigPath;
  }
  const dist = renderFleetDist((fleet) => {
    const clusters = clusterIds.map((id) => fleet.addCluster(id));
    new SyncRunner(fleet, 'runner', { hostCluster: clusters[clusters.length - 1] });
  }, 'runner');
  for (const id of clusterIds) {
    const rbac = distObjects(dist, id).filter((o) => RUNNER_KINDS.includes(o.kind) && (o.metadata.name === RUNNER_NAMESPACE || o.metadata.name === 'cdk8s-mcs-sync'));
    await tb.apply(id, rbac);
  }
  const out = path.join(dist, 'runner.kubeconfig');
  const log: string[] = [];
  const code = await cli(['kubeconfig', '--dist', dist, '--kubeconfig', tb.bed().kubeconfig, '--out', out, '--duration', '6h'], { stdout: (t) => log.push(t), stderr: (t) => log.push(t) });
  if (code !== 0) {
    throw new Error(`cdk8s-mcs kubeconfig failed: ${log.join('')}`);
  }
  runnerKubeconfigPath = out;
  return out;
}

const RUNNER_KINDS = ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];

/** The least-privilege runner kubeconfig (after ensureRunnerNamespace). */
export function runnerKubeconfig(): string {
  if (!runnerKubeconfigPath) {
    throw new Error('call ensureRunnerNamespace() in beforeAll first');
  }
  return runnerKubeconfigPath;
}

/** Starts a sync controller over the given clusters with fast probes; stop it in afterAll. */
export function startSync(clusterIds: readonly string[], o: Partial<SyncControllerOptions> = {}): SyncController {
  const controller = new SyncController({
    clients: runnerClients(clusterIds),
    probeIntervalMs: 500,
    log: createLogger(process.env.E2E_LOG === 'debug' ? 'debug' : 'warn'),
    ...o,
  });
  controller.start();
  return controller;
}

/** A kwok-provisioned StorageClass of the given name (the fleet names per-cluster classes). */
export async function ensureStorageClass(clusterId: string, name: string): Promise<void> {
  await tb.apply(clusterId, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner: 'kwok.x-k8s.io/volume',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  });
}

/** Pod name -> IP of the Running pods selected by `app=<app>` in a namespace. */
export async function podIps(clusterId: string, namespace: string, app: string): Promise<Record<string, string>> {
  const pods = await tb.client(clusterId).list<{ metadata: { name: string; deletionTimestamp?: string }; status?: { podIP?: string; phase?: string } }>('v1', 'Pod', namespace, `app=${app}`);
  return Object.fromEntries(pods.filter((p) => p.status?.podIP && p.status.phase === 'Running' && !p.metadata.deletionTimestamp).map((p) => [p.metadata.name, p.status!.podIP!]));
}

/** Waits until exactly the named pods run with IPs; returns their IPs. */
export function waitForPods(clusterId: string, namespace: string, app: string, names: string[], timeoutMs = 120_000): Promise<Record<string, string>> {
  const want = [...names].sort().join(',');
  return tb.waitFor(`pods ${want} running in ${clusterId}/${namespace}`, async () => {
    const ips = await podIps(clusterId, namespace, app);
    return Object.keys(ips).sort().join(',') === want ? ips : undefined;
  }, { timeoutMs, intervalMs: 250 });
}

/** Waits until a name no longer resolves (NXDOMAIN) from a cluster's CoreDNS. */
export function waitForNxdomain(clusterId: string, name: string, timeoutMs = 60_000): Promise<unknown> {
  return tb.waitFor(`${name} NXDOMAIN from ${clusterId}`, async () => (await tb.dnsQuery(clusterId, name)).outcome === 'NXDOMAIN', { timeoutMs, intervalMs: 250 });
}

/** Temporary folders made by renderFleetDist in this test file (jest gives each file its own module). */
const renderedDists: string[] = [];

/**
 * Removes every dist renderFleetDist made in this test file, the runner kubeconfig of
 * ensureRunnerNamespace included. Call it in the file's last afterAll, after the runners are stopped.
 */
export function removeRenderedDists(): void {
  for (const d of renderedDists.splice(0)) {
    fs.rmSync(d, { recursive: true, force: true });
  }
  runnerKubeconfigPath = undefined;
}

/** Renders a fleet built by `build` into a fresh temporary dist folder and returns its path (removeRenderedDists removes it). */
export function renderFleetDist(build: (fleet: Fleet) => void, name = 'e2e'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mcs-${name}-`));
  renderedDists.push(dir);
  const fleet = new Fleet({ name, outdir: dir });
  build(fleet);
  fleet.synth();
  return dir;
}

/** Polls until `fn` returns true. */
export function eventually(what: string, fn: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<unknown> {
  return tb.waitFor(what, async () => ((await fn()) ? true : undefined), { timeoutMs, intervalMs: 250 });
}

/**
 * Deletes a namespace in every cluster and waits until it is gone, so the next test file starts
 * from a quiet bed (a terminating namespace keeps objects, and a runner, busy).
 */
export async function deleteNamespaceAndWait(name: string, clusterIds: readonly string[] = tb.bed().clusterIds, timeoutMs = 180_000): Promise<void> {
  await tb.deleteNamespace(name, [...clusterIds]);
  for (const id of clusterIds) {
    await tb.waitFor(`namespace ${name} gone from ${id}`, async () => !(await tb.client(id).tryGet('v1', 'Namespace', name)), { timeoutMs, intervalMs: 500 });
  }
}
