/**
 * The apply benchmark, tiny, on the suite's bed: so `npm run bench -- apply` cannot rot. It
 * asserts what the benchmark claims (an unchanged re-apply and diff make zero mutating requests
 * and report every object unchanged; one changed object costs exactly one write; the bed is left
 * as found), never a wall time: the suite is not a timed test.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tb from './support/testbed';
import { applyBenchmark, ApplyParams, ApplyResults } from '../../bench/apply';
import { countObjects } from '../../bench/apply/fleet';
import { ApplyRun } from '../../bench/apply/measure';
import { machineInfo } from '../../bench/common/machine';

const prefix = tb.uniqueName('bench-apply-smoke');
const params: ApplyParams = { ...applyBenchmark.defaults, objects: 60, reps: 2, settleMs: 500, namespace: prefix };
let results: ApplyResults;
let workDir: string;

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-apply-smoke-'));
  results = await applyBenchmark.run({ log: (l) => process.stderr.write(`[bench apply smoke] ${l}\n`), workDir }, params);
}, 600_000);

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
  tb.closeClients();
});

const writesOf = (r: ApplyRun) => r.byMethod.POST + r.byMethod.PUT + r.byMethod.PATCH + r.byMethod.DELETE;

describe('npm run bench -- apply (smoke)', () => {
  it('applied a dist of about the asked size to both clusters, counted from its files', () => {
    expect(results.clusters).toEqual(tb.bed().clusterIds.slice(0, 2));
    expect(Math.abs(results.objects - params.objects)).toBeLessThanOrEqual(5); // one service is 5 objects
    expect(results.objects).toBe(Object.values(countObjects(path.join(workDir, 'dist'), results.clusters)).reduce((a, b) => a + b, 0));
    const first = results.first;
    expect(first.outcomes.failed).toBe(0);
    expect(first.outcomes.created + first.outcomes.updated + first.outcomes.unchanged).toBe(results.objects);
    expect(first.outcomes.created).toBeGreaterThanOrEqual(results.objects - results.sharedObjectsPresentBefore);
    expect(first.mutating).toBeGreaterThanOrEqual(first.outcomes.created);
  });

  it('re-applies the unchanged dist with zero mutating requests, every object unchanged, reads counted', () => {
    const runs = [...results.reapply.runs, results.afterChange];
    expect(results.reapply.runs).toHaveLength(params.reps);
    for (const r of runs) {
      expect({ mutating: r.mutating, writes: writesOf(r), unchanged: r.outcomes.unchanged, notUnchanged: r.notUnchanged }).toEqual({ mutating: 0, writes: 0, unchanged: results.objects, notUnchanged: [] });
      expect(r.requests).toBeGreaterThan(0);
      expect(r.byMethod.GET).toBe(r.requests);
      expect(r.clusters.map((c) => c.writes)).toEqual([0, 0]);
      // the command's own per-cluster count agrees with the client's counter
      expect(r.clusters.reduce((n, c) => n + c.requests, 0)).toBe(r.requests);
    }
    expect(results.targets.reapplyZeroMutating).toBe(true);
    expect(results.targets.reapplyAllUnchanged).toBe(true);
  });

  it('diffs the unchanged dist without a mutating request', () => {
    expect(results.diff.runs).toHaveLength(params.reps);
    for (const r of results.diff.runs) {
      expect({ kind: r.kind, mutating: r.mutating, unchanged: r.outcomes.unchanged }).toEqual({ kind: 'diff', mutating: 0, unchanged: results.objects });
    }
    expect(results.targets.diffZeroMutating).toBe(true);
  });

  it('applies one changed object with exactly one write: that object\'s server-side apply', () => {
    const r = results.oneChange.run;
    expect(r.notUnchanged).toEqual([results.oneChange.expected]);
    expect(results.oneChange.expected).toMatch(new RegExp(`^${results.clusters[0]} updated Service ${prefix}-0/db-0$`));
    expect({ mutating: r.mutating, PATCH: r.byMethod.PATCH, other: r.byMethod.POST + r.byMethod.PUT + r.byMethod.DELETE }).toEqual({ mutating: 1, PATCH: 1, other: 0 });
    expect(r.clusters.find((c) => c.clusterId === results.clusters[0])!.byVerbAndResource['apply services']).toBe(1);
    expect({ updated: r.outcomes.updated, unchanged: r.outcomes.unchanged }).toEqual({ updated: 1, unchanged: results.objects - 1 });
    expect(results.targets.oneChangeExactlyOneWrite).toBe(true);
  });

  it('left the bed as it found it: namespaces and inventories gone, shared objects deleted or put back', async () => {
    expect(results.bed).toMatchObject({ leftAsFound: true, differences: [] });
    for (const id of results.clusters) {
      for (let n = 0; n < results.namespaces; n++) {
        expect(await tb.client(id).tryGet('v1', 'Namespace', `${prefix}-${n}`)).toBeUndefined();
      }
    }
  });

  it('formats its tables', () => {
    const text = applyBenchmark.format({ benchmark: 'apply', command: 'npm run bench -- apply --objects 60 --reps 2', machine: machineInfo(), params, results, durationSeconds: 1 });
    expect(text).toContain('| re-apply, unchanged dist');
    expect(text).toContain('target: zero mutating requests on an unchanged re-apply: met');
  });
});
