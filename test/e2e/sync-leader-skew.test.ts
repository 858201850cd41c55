/**
 * Leader election under clock skew, with real runner processes: replicas whose wall clocks are a
 * lease duration (15 s) ahead or behind never make two leaders, because each judges the Lease by
 * when it observed the record change, not by the renewTime the other's clock wrote. Throughout,
 * every replica's mutating requests and the Lease's holder are sampled every 200 ms: exactly one
 * replica writes at any time. A standby takes over within the lease duration of a `kill -9` of
 * the leader, and at once (without "lost leadership") when the leader is stopped with SIGTERM.
 * RELIABILITY.md quotes the printed figures.
 */
import { HeadlessImport, MultiClusterStatefulSet } from '../../lib';
import { applyDist, deleteNamespaceAndWait, ensureRunnerNamespace, eventually, renderFleetDist, waitForPods, removeRenderedDists } from './support/fleet-run';
import { isRunning, Replica, startReplica, stopReplica, WriteTimeline, writeCounts } from './support/replicas';
import * as tb from './support/testbed';

const [provider, consumer] = ['cluster-1', 'cluster-2'];
const ns = tb.uniqueName('skew');
const LEASE_MS = 15_000;
/** The watch event, the acquiring request and the 200 ms sampling of the test. */
const TAKEOVER_SLACK_MS = 1_000;
let dist: string;
const replicas: Replica[] = [];
const timeline = new WriteTimeline(consumer, () => replicas);
let port = 28101;

function report(what: string, ms: number): void {
  process.stderr.write(`[leader-skew] ${what}: ${(ms / 1000).toFixed(2)} s\n`);
}

function start(name: string, skewMs: number): Replica {
  const r = startReplica({ name, skewMs, port: port++, dist, leaderCluster: consumer });
  replicas.push(r);
  return r;
}

async function leads(r: Replica): Promise<boolean> {
  return (await writeCounts(r))?.leader === 1;
}

/** The standby has synced its caches and reports itself as not leading. */
async function standing(r: Replica): Promise<void> {
  await eventually(`${r.name} up as a standby`, async () => (await writeCounts(r))?.leader === 0, 60_000);
}

async function scaleKv(replicasWanted: number): Promise<void> {
  await tb.client(provider).request('PATCH', `/apis/apps/v1/namespaces/${ns}/statefulsets/kv/scale`, { spec: { replicas: replicasWanted } }, 'application/merge-patch+json');
  const name = `kv-1.amcs-kv.${ns}.svc.cluster.local`;
  if (replicasWanted === 2) {
    const ips = await waitForPods(provider, ns, 'kv', ['kv-0', 'kv-1']);
    await tb.waitForDns(consumer, name, [ips['kv-1']]);
  } else {
    await eventually('kv-1 gone from DNS', async () => (await tb.dnsQuery(consumer, name)).outcome === 'NXDOMAIN', 60_000);
  }
}

/** Changes the service back and forth for at least `ms` (twice the lease duration: long enough for a skewed standby to misjudge it). */
async function changesFor(ms: number): Promise<void> {
  const until = Date.now() + ms;
  do {
    await scaleKv(2);
    await scaleKv(1);
  } while (Date.now() < until);
}

/** Derived writes (non-Lease mutating requests) a replica made between two moments of the timeline. */
function derivedWritesBetween(r: Replica, from: number, to: number): number {
  const within = timeline.samples.filter((s) => s.at >= from && s.at <= to && s.counts[r.name]);
  return within.length < 2 ? 0 : within[within.length - 1].counts[r.name].derivedRequests - within[0].counts[r.name].derivedRequests;
}

/** Every mutating request (Leases included) of a standby over a window: it must not even try to take the Lease. */
function requestsBetween(r: Replica, from: number, to: number): number {
  const within = timeline.samples.filter((s) => s.at >= from && s.at <= to && s.counts[r.name]);
  return within.length < 2 ? 0 : within[within.length - 1].counts[r.name].requests - within[0].counts[r.name].requests;
}

/** While `leader` leads and `standby` waits, changes are made for two lease durations: only the leader writes. */
async function holdsAgainst(leader: Replica, standby: Replica): Promise<void> {
  await standing(standby);
  const from = Date.now();
  await changesFor(2 * LEASE_MS);
  const to = Date.now();
  expect({ standby: standby.name, requests: requestsBetween(standby, from, to), leader: await leads(leader), standbyLeads: await leads(standby) }).toEqual({ standby: standby.name, requests: 0, leader: true, standbyLeads: false });
  expect(derivedWritesBetween(leader, from, to)).toBeGreaterThan(0);
  expect(new Set(timeline.samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.holder))).toEqual(new Set([leader.name]));
}

/** When the test last saw the Lease change (a renewal) before `t`. */
function lastChangeBefore(t: number): number {
  const before = timeline.samples.filter((s) => s.at <= t);
  for (let i = before.length - 1; i > 0; i--) {
    if (before[i].leaseVersion !== before[i - 1].leaseVersion) {
      return before[i].at;
    }
  }
  return t;
}

/** kill -9 of the leader; resolves with ms from the kill to the Lease naming the standby. */
async function killAndTakeOver(leader: Replica, standby: Replica): Promise<number> {
  await stopReplica(leader, 'SIGKILL');
  const killedAt = Date.now();
  await eventually(`${standby.name} holds the Lease`, () => timeline.latest()?.holder === standby.name, 60_000);
  const takeover = timeline.samples.find((s) => s.at >= killedAt && s.holder === standby.name)!.at - killedAt;
  report(`${standby.name} (skew ${standby.skewMs / 1000} s) took over after ${leader.name} (skew ${leader.skewMs / 1000} s) was killed -9`, takeover);
  report('  counted from the last renewal the test saw', killedAt + takeover - lastChangeBefore(killedAt));
  await eventually(`${standby.name} reports leading`, () => leads(standby), 10_000);
  return takeover;
}

beforeAll(async () => {
  dist = renderFleetDist((fleet) => {
    const a = fleet.addCluster(provider);
    const b = fleet.addCluster(consumer, { coreDnsVersion: '1.14.7' });
    new MultiClusterStatefulSet(fleet, 'kv', { namespace: ns, image: 'redis:7', providers: [{ cluster: a, replicas: 1 }], ports: [{ name: 'redis', port: 6379 }] });
    new HeadlessImport(fleet, 'kv-import', { serviceName: 'kv', namespace: ns, consumers: [b] });
  }, 'skew');
  await ensureRunnerNamespace([provider, consumer]);
  await applyDist(dist, provider);
  await applyDist(dist, consumer);
  await waitForPods(provider, ns, 'kv', ['kv-0']);
  timeline.start();
});

afterAll(async () => {
  await timeline.stop();
  await Promise.all(replicas.map((r) => stopReplica(r, 'SIGKILL')));
  await deleteNamespaceAndWait(ns);
  tb.closeClients();
});

// Declared after the file's other top-level afterAll, so it runs last (jest runs them in declaration order).
afterAll(() => removeRenderedDists());

describe('leader election with clocks a lease duration apart', () => {
  it('a standby a lease duration ahead never writes; it takes over within the lease duration of a kill -9', async () => {
    const a = start('skew-a', 0);
    await eventually('skew-a leads', () => leads(a), 90_000); // a Lease left by an earlier test's killed replica is waited out, as client-go would
    const b = start('skew-b', LEASE_MS);
    await holdsAgainst(a, b);
    expect(await killAndTakeOver(a, b)).toBeLessThanOrEqual(LEASE_MS + TAKEOVER_SLACK_MS);
    await changesFor(0); // the new leader's writes reach DNS
  });

  it('a standby a lease duration behind, against a leader a lease duration ahead, never writes; it takes over within the lease duration', async () => {
    const [, b] = replicas;
    const c = start('skew-c', -LEASE_MS);
    await holdsAgainst(b, c);
    expect(await killAndTakeOver(b, c)).toBeLessThanOrEqual(LEASE_MS + TAKEOVER_SLACK_MS);
    await changesFor(0);
  });

  it('a leader a lease duration behind keeps its lease; stopped with SIGTERM it releases it, the standby takes over at once, and nothing says "lost leadership"', async () => {
    const [, , c] = replicas;
    const d = start('skew-d', 0);
    await holdsAgainst(c, d);
    const stoppedAt = Date.now();
    await stopReplica(c, 'SIGTERM');
    await eventually('skew-d holds the Lease', () => timeline.latest()?.holder === 'skew-d', 30_000);
    const takeover = timeline.samples.find((s) => s.at >= stoppedAt && s.holder === 'skew-d')!.at - stoppedAt;
    report('skew-d took over after skew-c was stopped with SIGTERM (lease released)', takeover);
    expect(takeover).toBeLessThan(5_000);
    const log = c.log.join('');
    expect(log).toContain('released leadership');
    expect(log).not.toContain('lost leadership');
    await changesFor(0);
    await stopReplica(d, 'SIGTERM');
  });

  it('exactly one replica wrote at any time over the whole run, and only the one holding the Lease', async () => {
    expect(replicas.every((r) => !isRunning(r))).toBe(true);
    expect(timeline.samples.length).toBeGreaterThan(100);
    expect(timeline.violations()).toEqual([]);
    const writers = replicas.filter((r) => timeline.samples.some((s) => (s.counts[r.name]?.syncWrites ?? 0) > 0)).map((r) => r.name);
    expect(writers).toEqual(['skew-a', 'skew-b', 'skew-c', 'skew-d']);
    // Every derived slice was written only by the runner's field manager, created and replaced whole (writer.ts): no other manager, no apply.
    const slices = await tb.client(consumer).list<any>('discovery.k8s.io/v1', 'EndpointSlice', ns, 'endpointslice.kubernetes.io/managed-by=cdk8s-mcs');
    expect(slices.length).toBeGreaterThan(0);
    for (const s of slices) {
      expect((s.metadata.managedFields ?? []).map((f: any) => `${f.manager} ${f.operation}`)).toEqual(['cdk8s-mcs-sync Update']);
    }
  });
});
