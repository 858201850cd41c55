/**
 * One `cdk8s-mcs apply` (or `diff`) of a dist, timed and counted: the clients are made the way the
 * command makes them (connectTargets: fleet.json, the kubeconfig, one fresh client and connection
 * pool per cluster), then `applyFleet` runs with the command's options and its progress lines are
 * formatted as the command prints them. The clock covers exactly that, from reading fleet.json to
 * the last response; every request the clients made is counted, reads included.
 */
import * as fs from 'node:fs';
import { connectTargets } from '../../lib/cli/apply';
import { MUTATING_VERBS } from '../../lib/kube/request-counter';
import { applyFleet } from '../../lib/runner/apply/fleet-apply';
import { formatClusterSummary, formatOutcome } from '../../lib/runner/apply/progress';
import { ClusterReport, clusterFailed, countOutcomes, OutcomeCounts } from '../../lib/runner/apply/report';
import { describeRef } from '../../lib/runner/apply/object-ref';
import { round } from '../common/stats';

/** The HTTP method of each verb of lib/kube's request counter. */
const METHOD: Readonly<Record<string, string>> = { get: 'GET', list: 'GET', watch: 'GET', create: 'POST', update: 'PUT', apply: 'PATCH', patch: 'PATCH', delete: 'DELETE' };
export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export interface ClusterRun {
  readonly clusterId: string;
  readonly objects: number;
  /** The cluster's own clock and counts, as the command prints them. */
  readonly durationMs: number;
  readonly requests: number;
  readonly writes: number;
  readonly outcomes: OutcomeCounts;
  /** Requests by `"<verb> <resource>"` (lib/kube's counter), e.g. `"list services"`. */
  readonly byVerbAndResource: Readonly<Record<string, number>>;
}

export interface ApplyRun {
  readonly kind: 'apply' | 'diff';
  /** From reading fleet.json to the last response of the last cluster. */
  readonly wallMs: number;
  readonly requests: number;
  /** POST, PUT, PATCH and DELETE requests (dry-run applies included). */
  readonly mutating: number;
  readonly byMethod: Readonly<Record<(typeof METHODS)[number], number>>;
  readonly outcomes: OutcomeCounts;
  readonly clusters: readonly ClusterRun[];
  /** `<cluster> <outcome> <Kind ns/name>` of every object that was not unchanged (the first 20). */
  readonly notUnchanged: readonly string[];
}

function sumOutcomes(all: readonly OutcomeCounts[]): OutcomeCounts {
  const out: OutcomeCounts = { created: 0, updated: 0, unchanged: 0, pruned: 0, kept: 0, failed: 0 };
  for (const c of all) {
    for (const k of Object.keys(out) as (keyof OutcomeCounts)[]) {
      out[k] += c[k];
    }
  }
  return out;
}

/** `apply` (or, with `dryRun`, what `diff` runs) of `dist` with `kubeconfig`; throws when a cluster failed. */
export async function timedApply(dist: string, kubeconfig: string, o: { dryRun?: boolean; logFile?: string } = {}): Promise<ApplyRun> {
  const lines: string[] = [];
  const started = performance.now();
  const target = connectTargets({ flags: { dist, kubeconfig }, positionals: [], help: false });
  let reports: ClusterReport[];
  try {
    reports = await applyFleet({
      dist,
      fleetName: target.fleet.name,
      clients: target.clients,
      dryRun: o.dryRun ?? false,
      prune: false,
      onOutcome: (x) => lines.push(formatOutcome(x)),
      onNotice: (clusterId, text) => lines.push(`[${clusterId}] ${text}`),
    });
  } finally {
    target.clients.forEach((c) => c.close());
  }
  const wallMs = performance.now() - started;
  reports.forEach((r) => lines.push(formatClusterSummary(r)));
  if (o.logFile) {
    fs.appendFileSync(o.logFile, `${lines.join('\n')}\n`);
  }
  const failed = [...target.unreachable, ...reports].filter(clusterFailed);
  if (failed.length > 0) {
    throw new Error(`${o.dryRun ? 'diff' : 'apply'} failed: ${failed.map((r) => `${r.clusterId}: ${r.error ?? r.outcomes.find((x) => x.outcome === 'failed')?.reason}`).join('; ')}`);
  }
  const clusters: ClusterRun[] = reports.map((r) => ({
    clusterId: r.clusterId,
    objects: r.outcomes.length,
    durationMs: r.durationMs,
    requests: r.requests,
    writes: r.writes,
    outcomes: countOutcomes(r.outcomes),
    byVerbAndResource: target.clients.get(r.clusterId)!.counter.snapshot(),
  }));
  const byMethod = Object.fromEntries(METHODS.map((m) => [m, 0])) as Record<(typeof METHODS)[number], number>;
  let requests = 0;
  let mutating = 0;
  for (const c of clusters) {
    for (const [key, n] of Object.entries(c.byVerbAndResource)) {
      const verb = key.split(' ')[0];
      const method = (METHOD[verb] ?? 'GET') as (typeof METHODS)[number];
      byMethod[method] += n;
      requests += n;
      if (method !== 'GET' || MUTATING_VERBS.has(verb)) {
        mutating += n;
      }
    }
  }
  return {
    kind: o.dryRun ? 'diff' : 'apply',
    wallMs: round(wallMs, 1),
    requests,
    mutating,
    byMethod,
    outcomes: sumOutcomes(clusters.map((c) => c.outcomes)),
    clusters,
    notUnchanged: reports.flatMap((r) => r.outcomes.filter((x) => x.outcome !== 'unchanged').map((x) => `${r.clusterId} ${x.outcome} ${describeRef(x.ref)}`)).slice(0, 20),
  };
}
