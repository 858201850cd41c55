/**
 * The propagation benchmark, small, on the suite's bed: so `npm run bench -- propagation` cannot
 * rot. It asserts what the benchmark claims to measure (every change reaches every observer, the
 * runner writes, readiness flips hold), never a latency: the suite is not a timed test.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import './support/testbed';
import { compileForBench } from '../../bench/common/build';
import { propagationBenchmark, PropagationResults } from '../../bench/propagation';

let results: PropagationResults;
let workDir: string;

beforeAll(async () => {
  compileForBench(() => undefined); // the runner runs as its own compiled process, as in the benchmark
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-propagation-smoke-'));
  results = await propagationBenchmark.run({ log: () => undefined, workDir }, { ...propagationBenchmark.defaults, events: 10, pods: 2, gapMs: 50, namespace: 'bench-prop-smoke' });
}, 600_000);

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('npm run bench -- propagation (smoke)', () => {
  it('measures every change type at every observer, with no timeout', () => {
    expect(results.events).toHaveLength(10);
    expect(new Set(results.events.map((e) => e.type))).toEqual(new Set(['not-ready', 'ready', 'ip-change', 'delete', 'create']));
    expect(results.timeouts).toBe(0);
    for (const e of results.events) {
      for (const [observer, latency] of Object.entries(e.latencyMs)) {
        expect({ event: e.index, observer, seen: latency !== null }).toEqual({ event: e.index, observer, seen: true });
      }
    }
    expect(results.summary.dnsClusterset.n).toBe(10);
    expect(results.ratioMcsToLocal.n).toBeGreaterThan(0);
  });

  it('ran against the emitted Corefile, with real readiness flips and the runner writing', () => {
    expect(results.corefile).toContain('clusterset.local');
    expect(results.readinessFlipsHeld).toBe(true);
    const sliceWrites = Object.entries(results.runnerWrites).filter(([k]) => k.includes('endpointslices')).reduce((a, [, v]) => a + v, 0);
    expect(sliceWrites).toBeGreaterThanOrEqual(10); // at least one slice write per change
    expect(results.runnerPeakRssBytes).toBeGreaterThan(0);
  });

  it('left the bed as it found it', async () => {
    const { adminClients } = await import('../../bench/common/bed');
    const clients = adminClients([results.provider, results.consumer]);
    try {
      for (const c of clients.values()) {
        await expect(c.get('/api/v1/namespaces/bench-prop-smoke')).rejects.toThrow();
      }
    } finally {
      clients.forEach((c) => c.close());
    }
  });
});
