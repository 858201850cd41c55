/**
 * The scale benchmark, tiny, on the suite's bed (cluster-1 provider, cluster-2 consumer): so
 * `npm run bench -- scale` cannot rot. It asserts what the benchmark claims (the runner reaches a
 * complete, correct sync; nothing but Lease renewals is written while nothing changes; each
 * endpoint state a changed pod passes through costs exactly one slice write per cluster holding
 * the import per DNS method), never a time: the suite is not a timed test.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import './support/testbed';
import { compileForBench } from '../../bench/common/build';
import { scaleBenchmark, ScaleResults } from '../../bench/scale';

const NAMESPACE = 'bench-scale-smoke';
let results: ScaleResults;
let workDir: string;

beforeAll(async () => {
  compileForBench(() => undefined); // the runner runs as its own compiled process, as in the benchmark
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-smoke-'));
  results = await scaleBenchmark.run(
    { log: () => undefined, workDir },
    { ...scaleBenchmark.defaults, services: 5, podsPerService: 3, consumers: 1, steadySeconds: 5, podChanges: 4, quietMs: 1000, timeoutMs: 120_000, namespace: NAMESPACE },
  );
}, 600_000);

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('npm run bench -- scale (smoke)', () => {
  it('reaches a complete, correct sync: every pod in the MCS and the amcs slices of the consumer', () => {
    expect(results.provider).toBe('cluster-1');
    expect(results.consumers).toEqual(['cluster-2']);
    expect(results.pods).toBe(15);
    expect(results.targets.converged).toBe(true);
    expect(results.startup.convergedMs).toBeGreaterThan(0);
    expect(results.startup.readyMs).toBeGreaterThan(0);
    // One slice per service per DNS method (3 endpoints each fit one slice).
    expect(results.startup.slicesPerCluster).toEqual({ 'cluster-1': 5, 'cluster-2': 10 });
    expect(results.runnerPeakRssBytes).toBeGreaterThan(0);
  });

  it('writes nothing but Lease renewals while nothing changes', () => {
    expect(results.steady.stillCorrect).toBe(true);
    expect(results.steady.traffic.derivedWrites).toEqual({});
    expect(results.steady.traffic.derivedWritesTotal).toBe(0);
    expect(Object.keys(results.steady.traffic.syncWrites).filter((k) => !k.endsWith(' leases'))).toEqual([]);
    expect(results.targets.zeroDerivedWritesInSteadyState).toBe(true);
  });

  it('writes exactly one slice per cluster per DNS method for each endpoint state a changed pod passes through', () => {
    const { records, expectedSliceWrites } = results.changes;
    // cluster-2 (amcs + clusterset) and the provider's own clusterset slice (namespace sameness).
    expect(expectedSliceWrites).toBe(3);
    expect(records.map((r) => r.type)).toEqual(['not-ready', 'ready', 'delete', 'create']);
    // A delete passes through Terminating (deletionTimestamp set, then gone): two states; the
    // runner may see both at once under load and write once, never more than once per state.
    expect(records.map((r) => r.endpointTransitions)).toEqual([1, 1, 2, 1]);
    for (const r of records) {
      const n = r.endpointTransitions;
      const slots = ['cluster-1|clusterset', 'cluster-2|clusterset', 'cluster-2|amcs'];
      expect(Object.keys(r.sliceEvents).sort()).toEqual([...slots].sort());
      for (const slot of slots) {
        expect({ change: r.index, slot, inRange: r.sliceEvents[slot] >= 1 && r.sliceEvents[slot] <= n }).toEqual({ change: r.index, slot, inRange: true });
      }
      expect({ change: r.index, sliceWrites: r.sliceWrites, otherWrites: r.otherWrites, exact: r.exact }).toEqual({
        change: r.index,
        sliceWrites: Object.values(r.sliceEvents).reduce((a, b) => a + b, 0), // no write that changed nothing
        otherWrites: {},
        exact: true,
      });
      if (n === 1) {
        expect(r.sliceWrites).toBe(3);
      }
    }
    expect(results.targets.oneSliceWritePerConsumerPerMethod).toBe(true);
  });

  it('left the bed as it found it', async () => {
    const { adminClients } = await import('../../bench/common/bed');
    const clients = adminClients([results.provider, ...results.consumers]);
    try {
      for (const c of clients.values()) {
        await expect(c.get(`/api/v1/namespaces/${NAMESPACE}`)).rejects.toThrow();
        const leases = await c.list('/apis/coordination.k8s.io/v1/namespaces/cdk8s-mcs-system/leases').catch(() => ({ items: [] }));
        expect(leases.items.filter((l) => (l as { spec?: { holderIdentity?: string } }).spec?.holderIdentity === 'bench').map((l) => l.metadata.name)).toEqual([]);
      }
    } finally {
      clients.forEach((c) => c.close());
    }
  });
});
