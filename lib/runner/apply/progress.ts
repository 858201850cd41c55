/** The lines `apply` prints: one per object as it happens, one summary per cluster, one for the fleet. */
import { formatPath } from './field-path';
import { describeRef } from './object-ref';
import { ClusterReport, clusterFailed, countOutcomes, ObjectOutcome, OutcomeCounts } from './report';

const PATHS_SHOWN = 4;

const DRY_RUN_VERBS: Record<ObjectOutcome['outcome'], string> = {
  created: 'would create',
  updated: 'would update',
  unchanged: 'unchanged',
  pruned: 'would prune',
  kept: 'would keep',
  failed: 'failed',
};

/** `[cluster-1] created StatefulSet provider-ns/mysql`, `[cluster-1] updated Service ns/db (spec.ports[0].port)`. */
export function formatOutcome(o: ObjectOutcome): string {
  const verb = o.refused ? (o.dryRun ? 'would refuse' : 'refused') : o.dryRun ? DRY_RUN_VERBS[o.outcome] : o.outcome;
  const line = `[${o.clusterId}] ${verb} ${describeRef(o.ref)}`;
  if (o.outcome === 'updated' && o.changes && o.changes.length > 0) {
    const paths = o.changes.map((c) => formatPath(c.path));
    const more = paths.length > PATHS_SHOWN ? `, and ${paths.length - PATHS_SHOWN} more` : '';
    return `${line} (${paths.slice(0, PATHS_SHOWN).join(', ')}${more})`;
  }
  return o.reason ? `${line}: ${o.reason}` : line;
}

/** `[cluster-1] 14 objects: 3 created, 0 updated, 11 unchanged, 0 pruned (1.2s, 19 requests, 3 writes)`. */
export function formatClusterSummary(r: ClusterReport): string {
  const c = countOutcomes(r.outcomes);
  const stats = `${(r.durationMs / 1000).toFixed(1)}s, ${r.requests} request${r.requests === 1 ? '' : 's'}, ${r.writes} write${r.writes === 1 ? '' : 's'}`;
  if (r.error !== undefined) {
    const progress = r.outcomes.length > 0 ? ` after ${describeCounts(c, r.dryRun)}` : '';
    return `[${r.clusterId}] FAILED${progress} (${stats}): ${r.error}`;
  }
  return `[${r.clusterId}] ${describeCounts(c, r.dryRun)} (${r.dryRun ? 'dry run, ' : ''}${stats})`;
}

function describeCounts(c: OutcomeCounts, dryRun: boolean): string {
  const objects = c.created + c.updated + c.unchanged + (c.failed > 0 ? c.failed : 0);
  const [create, update, prune] = dryRun ? ['to create', 'to update', 'to prune'] : ['created', 'updated', 'pruned'];
  const extra = [c.kept > 0 ? `${c.kept} kept` : '', c.failed > 0 ? `${c.failed} failed` : ''].filter(Boolean);
  return `${objects} object${objects === 1 ? '' : 's'}: ${c.created} ${create}, ${c.updated} ${update}, ${c.unchanged} unchanged, ${c.pruned} ${prune}${extra.map((e) => `, ${e}`).join('')}`;
}

/** The closing line(s): totals, and every failed cluster with its reason. */
export function formatFleetSummary(reports: readonly ClusterReport[], command: string): string[] {
  const failed = reports.filter(clusterFailed);
  const total = countOutcomes(reports.flatMap((r) => r.outcomes));
  const dryRun = reports.some((r) => r.dryRun);
  const head = `${command}: ${reports.length} cluster${reports.length === 1 ? '' : 's'}, ${describeCounts(total, dryRun)}`;
  if (failed.length === 0) {
    return [head];
  }
  return [
    `${head}; failed in ${failed.length} of ${reports.length} cluster${reports.length === 1 ? '' : 's'}:`,
    ...failed.map((r) => `  ${r.clusterId}: ${r.error ?? r.outcomes.filter((o) => o.outcome === 'failed').map((o) => `${describeRef(o.ref)}: ${o.reason}`).join('; ')}`),
  ];
}
