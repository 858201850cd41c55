/**
 * Leader election with client-go's semantics, on a shared fake API server with a fake clock: each
 * replica has its own wall clock (skewed by a whole lease duration either way) and judges expiry
 * only by when it observed the record change, so skew never makes two leaders; a leader that
 * cannot renew stops before a standby may acquire; a voluntary stop releases the lease.
 */
import { LeaderElector, StoppedLeadingReason } from '../../../lib/runner/sync/leader';
import { FakeLeaseApi } from './fake-lease-api';

const LEASE = 15_000;
const DEADLINE = 10_000;
const RETRY = 2_000;

interface Replica {
  readonly identity: string;
  readonly elector: LeaderElector;
  readonly started: number[];
  readonly stopped: { reason: StoppedLeadingReason; detail: string; at: number }[];
}

function replica(api: FakeLeaseApi, identity: string, skewMs = 0): Replica {
  const started: number[] = [];
  const stopped: Replica['stopped'] = [];
  const elector = new LeaderElector({
    client: api.clientFor(identity),
    namespace: 'ns',
    name: 'leader',
    identity,
    leaseDurationMs: LEASE,
    renewDeadlineMs: DEADLINE,
    retryPeriodMs: RETRY,
    // Fake timers drive Date.now(); the monotonic clock is unskewed, the wall clock is this replica's own.
    clock: { wallMs: () => Date.now() + skewMs, monotonicMs: () => Date.now() },
    onStartedLeading: () => started.push(Date.now()),
    onStoppedLeading: (reason, detail) => stopped.push({ reason, detail, at: Date.now() }),
  });
  return { identity, elector, started, stopped };
}

/** Advances time in 100 ms steps; fails if two replicas ever lead at once. Returns the leader at each step. */
async function run(ms: number, replicas: readonly Replica[]): Promise<string[]> {
  const timeline: string[] = [];
  for (let t = 0; t < ms; t += 100) {
    await jest.advanceTimersByTimeAsync(100);
    const leaders = replicas.filter((r) => r.elector.isLeader()).map((r) => r.identity);
    expect({ at: Date.now(), leaders: leaders.length <= 1 ? 'at most one' : leaders }).toEqual({ at: Date.now(), leaders: 'at most one' });
    timeline.push(leaders[0] ?? '-');
  }
  return timeline;
}

let api: FakeLeaseApi;
let replicas: Replica[];

beforeEach(() => {
  jest.useFakeTimers({ now: new Date('2026-11-24T00:00:00Z') });
  api = new FakeLeaseApi();
  replicas = [];
});

afterEach(async () => {
  api.partitioned.clear();
  await Promise.all(replicas.map((r) => r.elector.stop()));
  jest.useRealTimers();
});

function start(identity: string, skewMs = 0): Replica {
  const r = replica(api, identity, skewMs);
  replicas.push(r);
  r.elector.start();
  return r;
}

describe('leader election under clock skew', () => {
  it.each([
    ['a lease duration ahead', LEASE],
    ['a lease duration behind', -LEASE],
    ['three lease durations ahead', 3 * LEASE],
  ])('a standby whose wall clock is %s never takes a lease the leader keeps renewing', async (_what, skew) => {
    const a = start('a');
    await run(1_000, replicas);
    expect(a.elector.isLeader()).toBe(true);
    const b = start('b', skew);
    const timeline = await run(4 * LEASE, replicas);
    expect(new Set(timeline)).toEqual(new Set(['a']));
    expect(b.started).toEqual([]);
  });

  it.each([
    ['a lease duration behind', -LEASE],
    ['a lease duration ahead', LEASE],
  ])('a leader whose wall clock is %s keeps the lease against a standby with the right time', async (_what, skew) => {
    const a = start('a', skew);
    await run(1_000, replicas);
    const b = start('b');
    const timeline = await run(4 * LEASE, replicas);
    expect(new Set(timeline)).toEqual(new Set(['a']));
    expect([a.stopped, b.started]).toEqual([[], []]);
  });
});

describe('leader election: takeover and fencing', () => {
  it('a leader that cannot renew stops leading (and aborts its term) before the standby may acquire', async () => {
    const a = start('a');
    await run(1_000, replicas);
    const b = start('b', LEASE);
    await run(3_000, replicas);
    const term = a.elector.termSignal!;
    const lastRenewal = Math.max(...api.writes.filter((w) => w.replica === 'a').map((w) => w.at));
    api.partitioned.add('a');
    await run(2 * LEASE, replicas);
    expect(a.stopped.map((s) => s.reason)).toEqual(['lost']);
    expect(a.stopped[0].detail).toContain('renew deadline');
    expect(term.aborted).toBe(true);
    expect(b.started).toHaveLength(1);
    // A stops within its renew deadline of its last renewal; B starts no earlier than a lease duration after observing it.
    expect(a.stopped[0].at - lastRenewal).toBeLessThanOrEqual(DEADLINE + 100);
    expect(b.started[0] - lastRenewal).toBeGreaterThanOrEqual(LEASE);
    expect(b.started[0] - a.stopped[0].at).toBeGreaterThanOrEqual(LEASE - DEADLINE - 100);
  });

  it('a standby takes over within the lease duration of the last renewal it observed when the leader dies', async () => {
    start('a');
    await run(1_000, replicas);
    const b = start('b');
    await run(7_000, replicas);
    api.partitioned.add('a'); // killed: no more renewals, no release
    const lastRenewal = Math.max(...api.writes.filter((w) => w.replica === 'a').map((w) => w.at));
    await run(LEASE + RETRY, replicas);
    expect(b.started).toHaveLength(1);
    expect(b.started[0] - lastRenewal).toBeGreaterThanOrEqual(LEASE);
    expect(b.started[0] - lastRenewal).toBeLessThanOrEqual(LEASE + 100); // woken at expiry, not at the next retry
  });

  it('a new replica waits a whole lease duration from its own observation, however old the renewTime it reads', async () => {
    const dead = replica(api, 'dead');
    dead.elector.start();
    await run(1_000, [dead]);
    api.partitioned.add('dead');
    await jest.advanceTimersByTimeAsync(10 * LEASE); // the record is long expired by its renewTime
    const b = start('b');
    const observedFrom = Date.now();
    await run(LEASE - 500, replicas);
    expect(b.started).toEqual([]);
    await run(1_000, replicas);
    expect(b.started).toHaveLength(1);
    expect(b.started[0] - observedFrom).toBeGreaterThanOrEqual(LEASE);
    replicas.push(dead);
  });

  it('a replica restarted under the same identity takes its lease back at once', async () => {
    const first = replica(api, 'pod-0');
    first.elector.start();
    await run(1_000, [first]);
    api.partitioned.add('pod-0');
    await run(500, [first]);
    const again = replica(api, 'pod-0');
    api.partitioned.clear();
    replicas.push(again);
    again.elector.start();
    await run(500, [again]);
    expect(again.started).toHaveLength(1);
    first.elector.isLeader(); // the old process is gone in reality; only `again` is checked
  });

  it('a voluntary stop releases the lease: reported as released (not lost), the standby takes over at once', async () => {
    const a = start('a');
    await run(1_000, replicas);
    const b = start('b');
    await run(3_000, replicas);
    const stopping = a.elector.stop();
    await jest.advanceTimersByTimeAsync(0);
    await stopping;
    const releasedAt = Date.now();
    expect(a.stopped.map((s) => s.reason)).toEqual(['released']);
    expect(api.lease?.spec?.holderIdentity).not.toBe('a');
    await run(500, [b]);
    expect(b.started).toHaveLength(1);
    expect(b.started[0] - releasedAt).toBeLessThan(500);
    expect(a.elector.isLeader()).toBe(false);
  });

  it('counts one transition per change of holder and keeps acquireTime while renewing', async () => {
    const a = start('a');
    await run(3 * LEASE, replicas);
    expect(api.lease?.spec?.leaseTransitions).toBe(0);
    const acquired = api.lease?.spec?.acquireTime;
    expect(api.writes.filter((w) => w.replica === 'a').length).toBeGreaterThan(5);
    expect(api.lease?.spec?.acquireTime).toBe(acquired);
    const b = start('b');
    await run(1_000, replicas);
    await a.elector.stop();
    await run(1_000, replicas);
    expect(b.elector.isLeader()).toBe(true);
    expect(api.lease?.spec?.leaseTransitions).toBe(1);
  });

  it('refuses timings where the leader could still write after a standby acquires', () => {
    expect(() => new LeaderElector({ client: api.clientFor('x'), namespace: 'ns', name: 'leader', identity: 'x', leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }))
      .toThrow('leader election needs retry period < renew deadline < lease duration, got 2000 ms, 10000 ms, 10000 ms; the defaults are 2000, 10000 and 15000 ms');
  });
});
