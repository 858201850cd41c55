/**
 * Controlling a running bed: admin and ServiceAccount clients, and fault injection (stop, start
 * and restart one component or a whole cluster; restart CoreDNS with another Corefile, such as the
 * one the compiler emitted).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { adaptCorefileForLocalRun } from './adapt-corefile';
import { defaultCorefile, kubeconfigYaml } from './cluster-plan';
import { KubeClient } from './kube';
import { waitComponent } from './probes';
import { componentAlive, killProcess, spawnDetached } from './processes';
import { BedState, clusterOf, ComponentName, COMPONENTS, CoreDnsFlavour, requireState, updateState } from './state';

// ---------------------------------------------------------------------------------------------
// clients

/** An admin (system:masters) client for a cluster. */
export function adminClient(clusterId: string, s: BedState = requireState()): KubeClient {
  const c = clusterOf(s, clusterId);
  return new KubeClient({ server: c.server, ca: fs.readFileSync(c.caFile), token: c.adminToken });
}

/**
 * Mints a TokenRequest token for ServiceAccount namespace/name (which must exist) and writes a
 * kubeconfig for it (one context named after the cluster). Returns the file path. For running
 * CoreDNS or the runner under a least-privilege identity.
 */
export async function serviceAccountKubeconfig(clusterId: string, namespace: string, name: string, opts: { file?: string; expirationSeconds?: number } = {}): Promise<string> {
  const s = requireState();
  const c = clusterOf(s, clusterId);
  const kube = adminClient(clusterId, s);
  try {
    const token = await kube.createToken(namespace, name, opts.expirationSeconds ?? 24 * 3600);
    const file = opts.file ?? path.join(c.dir, `sa-${namespace}-${name}.kubeconfig`);
    fs.writeFileSync(file, kubeconfigYaml([{ name: c.id, server: c.server, caFile: c.caFile, token }], c.id), { mode: 0o600 });
    return file;
  } finally {
    kube.close();
  }
}

// ---------------------------------------------------------------------------------------------
// components (fault injection)

export interface StopOptions {
  /** SIGTERM (default, graceful with SIGKILL after graceMs) or SIGKILL (kill -9, no grace) */
  signal?: 'SIGTERM' | 'SIGKILL';
  graceMs?: number;
}

/** Stops one component of one cluster (its data stays). No-op when it is not running. */
export async function stopComponent(clusterId: string, name: ComponentName, opts: StopOptions = {}): Promise<void> {
  const c = clusterOf(requireState(), clusterId);
  const comp = c.components[name];
  if (comp.pid && componentAlive(comp)) await killProcess(comp.pid, opts.signal ?? 'SIGTERM', opts.signal === 'SIGKILL' ? 0 : (opts.graceMs ?? 8000));
  updateState((s) => {
    clusterOf(s, clusterId).components[name].pid = null;
  });
}

/** Starts one component with its recorded flags, ports and data; waits until it is ready unless wait=false. */
export async function startComponent(clusterId: string, name: ComponentName, opts: { wait?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const s0 = requireState();
  const c0 = clusterOf(s0, clusterId);
  if (componentAlive(c0.components[name])) return;
  const pid = spawnDetached(c0.components[name], c0.dir);
  const s = updateState((st) => {
    const comp = clusterOf(st, clusterId).components[name];
    comp.pid = pid;
    comp.startedAt = new Date().toISOString();
  });
  if (opts.wait !== false) await waitComponent(clusterOf(s, clusterId), name, opts.timeoutMs ?? 90000);
}

export async function restartComponent(clusterId: string, name: ComponentName, opts: StopOptions & { timeoutMs?: number } = {}): Promise<void> {
  await stopComponent(clusterId, name, opts);
  await startComponent(clusterId, name, { timeoutMs: opts.timeoutMs });
}

/** Stops every component of a cluster ("the cluster is lost"); data dirs stay, so startCluster brings it back with its state. */
export async function stopCluster(clusterId: string, opts: StopOptions & { keepDns?: boolean } = {}): Promise<void> {
  for (const name of [...COMPONENTS].reverse()) {
    if (opts.keepDns && name === 'coredns') continue;
    await stopComponent(clusterId, name, opts);
  }
}

/** Starts whatever is not running in a cluster, in dependency order, waiting for each. */
export async function startCluster(clusterId: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  for (const name of COMPONENTS) await startComponent(clusterId, name, opts);
}

// ---------------------------------------------------------------------------------------------
// CoreDNS

export interface CoreDnsOptions {
  /** which binary: stock CoreDNS (in-tree multicluster option) or the build with the external plugin */
  flavour?: CoreDnsFlavour;
  /** wait until the server answers (any rcode) on its port; default true */
  wait?: boolean;
  timeoutMs?: number;
}

/** Whether the external-plugin CoreDNS flavour is available (and why not). */
export function corednsFlavours(s: BedState = requireState()): { inTree: true; external: boolean; externalError?: string } {
  return { inTree: true, external: !!s.bin.corednsMulticluster, externalError: s.corednsExternalError };
}

/**
 * Restarts a cluster's CoreDNS on the same port with the given Corefile text (default: the bed's
 * default Corefile for the flavour). The text must bind 127.0.0.1:<coredns port> and point the
 * plugins at `cluster.coredns.kubeconfig` (see defaultCorefile). Returns the address.
 */
export async function restartCoreDns(clusterId: string, corefileText?: string, opts: CoreDnsOptions = {}): Promise<string> {
  const s = requireState();
  const c = clusterOf(s, clusterId);
  const flavour = opts.flavour ?? 'in-tree';
  if (flavour === 'external' && !s.bin.corednsMulticluster) {
    throw new Error(`the external-plugin CoreDNS flavour was not built: ${s.corednsExternalError ?? 'unknown reason'}`);
  }
  await stopComponent(clusterId, 'coredns');
  fs.writeFileSync(c.coredns.corefile, corefileText ?? defaultCorefile(c, flavour));
  updateState((st) => {
    const cc = clusterOf(st, clusterId);
    cc.coredns.flavour = flavour;
    cc.components.coredns.binary = flavour === 'external' ? (st.bin.corednsMulticluster as string) : st.bin.coredns;
  });
  await startComponent(clusterId, 'coredns', { wait: opts.wait, timeoutMs: opts.timeoutMs ?? 30000 });
  return c.coredns.address;
}

/**
 * Restarts a consumer's CoreDNS with the Corefile the compiler emitted for it (the kube-system/coredns
 * ConfigMap in `<dist>/<clusterId>/`), adapted to a local process (see adaptCorefileForLocalRun).
 * Returns the Corefile as run.
 */
export async function runEmittedCorefile(dist: string, clusterId: string): Promise<string> {
  const dir = path.join(dist, clusterId);
  const file = fs.readdirSync(dir).find((f) => /^\d\d-configmap\.kube-system\.coredns\.yaml$/.test(f));
  if (!file) {
    throw new Error(`${dir} has no kube-system/coredns ConfigMap: the fleet imports nothing into ${clusterId} with the clusterset DNS method`);
  }
  const corefile = (YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { data: { Corefile: string } }).data.Corefile;
  const c = clusterOf(requireState(), clusterId);
  const local = adaptCorefileForLocalRun(corefile, { port: c.coredns.port, kubeconfig: c.coredns.kubeconfig, log: false });
  await restartCoreDns(clusterId, local);
  return local;
}
