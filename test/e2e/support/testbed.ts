/**
 * What an e2e test file uses to talk to the test bed started by globalSetup.
 *
 *   import * as tb from './support/testbed';
 *   const bed = tb.bed();                         // state: clusters, kubeconfig, CoreDNS addresses
 *   const ns = await tb.createNamespace('smoke'); // unique per test file, created in every cluster
 *   const k1 = tb.client(bed.clusterIds[0]);      // admin client (server-side apply, get, list, ...)
 *   await k1.apply(yamlText, { namespace: ns });
 *   await tb.waitFor('pod Running', async () => ..., { timeoutMs: 60_000 });
 *   await tb.resolveA(bed.clusterIds[1], `mysql-0.amcs-mysql.${ns}.svc.cluster.local`);
 *
 * Fault injection and CoreDNS restarts are re-exported from testbed/harness.ts.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dnsQuery as rawDnsQuery, DnsResult, RecordType, resolveA as rawResolveA } from '../../../testbed/dns';
import {
  adminClient,
  BedState,
  ClusterState,
  clusterOf,
  corednsFlavours,
  defaultCorefile,
  readState,
  restartComponent,
  restartCoreDns,
  serviceAccountKubeconfig,
  startCluster,
  startComponent,
  statePath,
  stopCluster,
  stopComponent,
} from '../../../testbed/harness';
import { KubeClient, KubeObject, parseYamlObjects, waitFor } from '../../../testbed/kube';

export { waitFor, parseYamlObjects, KubeClient };
export type { KubeObject, BedState, ClusterState, DnsResult, RecordType };
export { restartCoreDns, defaultCorefile, corednsFlavours, serviceAccountKubeconfig, stopComponent, startComponent, restartComponent, stopCluster, startCluster };
export type { ComponentName, CoreDnsFlavour, CoreDnsOptions, StopOptions } from '../../../testbed/harness';

// ---------------------------------------------------------------------------------------------
// One bed-using test file at a time. Test files share the clusters and restart CoreDNS or whole
// clusters, so jest's parallel workers must not interleave them: importing this module registers
// a beforeAll that takes a cross-process lock file (<bed dir>/e2e.lock, pid inside; a dead pid's
// lock is taken over) and an afterAll that releases it. TESTBED_PARALLEL=1 turns this off.

const LOCK_WAIT_MS = 60 * 60 * 1000;
let lockHeld = false;

function lockFile(): string {
  return path.join(path.dirname(statePath()), 'e2e.lock');
}

function holderAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node'); // a reused pid is not a jest worker
  } catch {
    return true;
  }
}

async function acquireFileLock(): Promise<void> {
  const f = lockFile();
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.writeFileSync(f, String(process.pid), { flag: 'wx' });
      lockHeld = true;
      return;
    } catch {
      let holder = 0;
      try {
        holder = Number(fs.readFileSync(f, 'utf8'));
      } catch {
        continue; // released meanwhile
      }
      if (holder === process.pid) {
        // a previous file in this same worker did not release it (crashed afterAll)
        lockHeld = true;
        return;
      }
      if (!holder || !holderAlive(holder)) {
        fs.rmSync(f, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`waited ${LOCK_WAIT_MS / 1000}s for ${f} (held by pid ${holder})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function releaseFileLock(): void {
  if (!lockHeld) return;
  lockHeld = false;
  try {
    if (Number(fs.readFileSync(lockFile(), 'utf8')) === process.pid) fs.rmSync(lockFile(), { force: true });
  } catch {
    /* already gone */
  }
}

if (process.env.TESTBED_PARALLEL !== '1' && typeof beforeAll === 'function') {
  beforeAll(acquireFileLock, LOCK_WAIT_MS);
  afterAll(releaseFileLock);
}

export interface Bed {
  state: BedState;
  /** absolute path of the kubeconfig with one context per cluster (context name = cluster id) */
  kubeconfig: string;
  /** cluster ids in bed order (first = provider in the example fleet) */
  clusterIds: string[];
  cluster(id: string): ClusterState;
  /** "127.0.0.1:<port>" of the cluster's CoreDNS */
  coreDnsAddress(id: string): string;
}

/** The running bed (throws with a hint when there is none). Re-read on every call: components may be restarted. */
export function bed(): Bed {
  const state = readState();
  if (!state) throw new Error(`no test bed state at ${statePath()}: run the e2e project through jest (globalSetup starts the bed) or \`npm run testbed -- up\` + TESTBED_REUSE=1`);
  return {
    state,
    kubeconfig: state.kubeconfig,
    clusterIds: state.clusters.map((c) => c.id),
    cluster: (id) => clusterOf(state, id),
    coreDnsAddress: (id) => clusterOf(state, id).coredns.address,
  };
}

const clients = new Map<string, KubeClient>();

/** Admin (system:masters) REST client for a cluster; cached per cluster for the test file. */
export function client(clusterId: string): KubeClient {
  let c = clients.get(clusterId);
  if (!c) {
    c = adminClient(clusterId);
    clients.set(clusterId, c);
  }
  return c;
}

/** Closes cached clients' sockets (call in afterAll so jest exits promptly). */
export function closeClients(): void {
  for (const c of clients.values()) c.close();
  clients.clear();
}

/** A @kubernetes/client-node KubeConfig set to the cluster's context (for typed APIs). */
export async function kubeConfig(clusterId: string): Promise<import('@kubernetes/client-node').KubeConfig> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(bed().kubeconfig);
  kc.setCurrentContext(clusterId);
  return kc;
}

/** Server-side apply of YAML text or objects into a cluster (namespace filled in for namespaced objects without one). */
export function apply(clusterId: string, objs: string | KubeObject | KubeObject[], namespace?: string): Promise<KubeObject[]> {
  return client(clusterId).apply(objs, { namespace, fieldManager: 'e2e' });
}

/** A namespace name unique to this test file and run: `<prefix>-<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomBytes(3).toString('hex')}`.slice(0, 63);
}

/** Creates a uniquely named namespace in every cluster of the bed (or the given ones); returns its name. */
export async function createNamespace(prefix: string, clusterIds: string[] = bed().clusterIds): Promise<string> {
  const name = uniqueName(prefix);
  for (const id of clusterIds) await client(id).apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'testbed.cdk8s-mcs.io/e2e': 'true' } } });
  return name;
}

/** Deletes a namespace everywhere (best effort; the namespace controller and kwok finish the job). */
export async function deleteNamespace(name: string, clusterIds: string[] = bed().clusterIds): Promise<void> {
  for (const id of clusterIds) await client(id).delete('v1', 'Namespace', name).catch(() => undefined);
}

/** One DNS query against the cluster's CoreDNS; never throws (see DnsResult.outcome). */
export function dnsQuery(clusterId: string, name: string, type: RecordType = 'A'): Promise<DnsResult> {
  return rawDnsQuery(bed().coreDnsAddress(clusterId), name, type);
}

/** A records (sorted) from the cluster's CoreDNS; throws unless NOERROR. */
export function resolveA(clusterId: string, name: string): Promise<string[]> {
  return rawResolveA(bed().coreDnsAddress(clusterId), name);
}

/** Waits until the cluster's CoreDNS answers `name` with exactly `ips` (order-insensitive); returns the last result. */
export async function waitForDns(clusterId: string, name: string, ips: string[], timeoutMs = 60000): Promise<DnsResult> {
  const want = [...ips].sort();
  let last: DnsResult | undefined;
  try {
    return await waitFor(
      `${name} -> ${want.join(',')} from ${clusterId}'s CoreDNS`,
      async () => {
        last = await dnsQuery(clusterId, name);
        return last.outcome === 'NOERROR' && JSON.stringify(last.answers) === JSON.stringify(want) ? last : undefined;
      },
      { timeoutMs, intervalMs: 250 },
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; last answer: ${JSON.stringify(last)}`);
  }
}
