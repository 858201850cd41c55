import { formatChange, formatObjectDiff } from '../../../lib/runner/apply/diff-format';
import { formatClusterSummary, formatFleetSummary, formatOutcome } from '../../../lib/runner/apply/progress';
import { ClusterReport, ObjectOutcome } from '../../../lib/runner/apply/report';
import { lineDiff } from '../../../lib/runner/apply/text-diff';

const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'provider-ns', name: 'mysql' };
const outcome = (o: Partial<ObjectOutcome>): ObjectOutcome => ({ clusterId: 'cluster-1', ref: sts, outcome: 'created', dryRun: false, ...o });
const report = (outcomes: ObjectOutcome[], o: Partial<ClusterReport> = {}): ClusterReport => ({ clusterId: 'cluster-1', dryRun: false, outcomes, durationMs: 1234, requests: 19, writes: 3, ...o });

describe('progress lines', () => {
  it('prints one line per object with the cluster, what happened and the object', () => {
    expect(formatOutcome(outcome({}))).toBe('[cluster-1] created StatefulSet provider-ns/mysql');
    expect(formatOutcome(outcome({ outcome: 'updated', changes: [{ path: ['spec', 'replicas'], desired: 3, live: 2 }] }))).toBe('[cluster-1] updated StatefulSet provider-ns/mysql (spec.replicas)');
    expect(formatOutcome(outcome({ outcome: 'pruned', dryRun: true }))).toBe('[cluster-1] would prune StatefulSet provider-ns/mysql');
    expect(formatOutcome(outcome({ outcome: 'kept', reason: 'PVCs are never pruned' }))).toBe('[cluster-1] kept StatefulSet provider-ns/mysql: PVCs are never pruned');
  });

  it('sums a cluster up with counts, time, requests and writes', () => {
    const r = report([outcome({}), outcome({}), outcome({}), ...Array.from({ length: 11 }, () => outcome({ outcome: 'unchanged' }))]);
    expect(formatClusterSummary(r)).toBe('[cluster-1] 14 objects: 3 created, 0 updated, 11 unchanged, 0 pruned (1.2s, 19 requests, 3 writes)');
  });

  it('says "to create" in a dry run and names a cluster that failed', () => {
    expect(formatClusterSummary(report([outcome({ dryRun: true })], { dryRun: true }))).toMatch(/^\[cluster-1\] 1 object: 1 to create, 0 to update, 0 unchanged, 0 to prune \(dry run, /);
    expect(formatClusterSummary(report([], { error: 'cannot reach 127.0.0.1:1' }))).toBe('[cluster-1] FAILED (1.2s, 19 requests, 3 writes): cannot reach 127.0.0.1:1');
    expect(formatClusterSummary(report([outcome({})], { error: 'CRDs not Established' }))).toMatch(/^\[cluster-1\] FAILED after 1 object: 1 created, .*\): CRDs not Established$/);
  });

  it('lists every failed cluster with its reason in the fleet summary', () => {
    const lines = formatFleetSummary([report([outcome({ outcome: 'unchanged' })]), report([], { clusterId: 'cluster-2', error: 'forbidden' })], 'apply');
    expect(lines).toEqual(['apply: 2 clusters, 1 object: 0 created, 0 updated, 1 unchanged, 0 pruned; failed in 1 of 2 clusters:', '  cluster-2: forbidden']);
  });
});

describe('diff output', () => {
  it('shows a changed field as a hunk with the live and the desired value', () => {
    const lines = formatObjectDiff(outcome({ outcome: 'updated', file: 'dist/cluster-1/05-statefulset.provider-ns.mysql.yaml', changes: [{ path: ['spec', 'replicas'], desired: 3, live: 2 }] }));
    expect(lines).toEqual(['diff [cluster-1] StatefulSet provider-ns/mysql', '--- live', '+++ dist/cluster-1/05-statefulset.provider-ns.mysql.yaml', '@@ spec.replicas @@', '-2', '+3']);
  });

  it('shows a new object in full and a pruned one by name', () => {
    const created = formatObjectDiff(outcome({ desired: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } } }));
    expect(created).toContain('+kind: ConfigMap');
    expect(formatObjectDiff(outcome({ outcome: 'pruned' }))).toContain('@@ deleted by --prune @@');
    expect(formatObjectDiff(outcome({ outcome: 'unchanged' }))).toEqual([]);
  });

  it('marks a field dist stopped setting as removed', () => {
    expect(formatChange({ path: ['data', 'b'], live: '2' })).toEqual(['@@ data.b (removed: dist no longer sets it) @@', '-"2"']);
  });

  it('diffs multi-line strings line by line with context', () => {
    const before = ['.:53 {', '    errors', '    health', '    ready', '    kubernetes cluster.local', '    cache 30', '    loop', '    reload', '}'].join('\n');
    const after = before.replace('    cache 30', '    cache 30 {\n        disable success cluster.local\n    }');
    expect(lineDiff(before, after)).toEqual(['…', '     ready', '     kubernetes cluster.local', '-    cache 30', '+    cache 30 {', '+        disable success cluster.local', '+    }', '     loop', '     reload', '…']);
  });
});
