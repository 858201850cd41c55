/**
 * apply: `cdk8s-mcs apply` of a ~1,000-object dist to the bed's two clusters, first cold, then
 * re-applied unchanged `reps` times (target: zero mutating requests), `diff` of the unchanged dist,
 * and an apply with one object changed (exactly one mutating request expected). The fleet is
 * MultiClusterStatefulSets with replicas 0, so no pods are created and the bed stays quiet; see
 * apply/fleet.ts. Each run is timed and counted as the command runs it (apply/measure.ts), in this
 * process; the bed is left as found (apply/bed-state.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { describeRef, refOf } from '../lib/runner/apply/object-ref';
import { readClusterManifests } from '../lib/runner/apply/manifests';
import { requireState } from '../testbed/harness';
import { BedSnapshot, removeOwn, RestoreResult, restoreBed, snapshotShared } from './apply/bed-state';
import { buildApplyFleet, countObjects, namespaceName, sizeFleet } from './apply/fleet';
import { ApplyRun, timedApply } from './apply/measure';
import { bedClusterIds, synthFleet } from './common/bed';
import { Benchmark } from './common/benchmark';
import { describeMachine } from './common/machine';
import { round, summarize, Summary } from './common/stats';
import { Cell, markdownTable, ms } from './common/table';

export interface ApplyParams {
  [key: string]: number | string;
  /** Target object count of the dist (both clusters); the exact count is reported. */
  objects: number;
  /** Unchanged re-applies (and diffs) measured. */
  reps: number;
  /** Namespaces the services are spread over (fewer when `objects` is too small). */
  namespaces: number;
  /** Namespace prefix (`<prefix>-<n>`), also the fleet's name (its inventory: kube-system/cdk8s-mcs-inventory-<prefix>). */
  namespace: string;
  /** Pause after the first apply, while the controllers react to the new objects. */
  settleMs: number;
}

export interface RepeatedRuns {
  readonly runs: readonly ApplyRun[];
  readonly wallMs: Summary;
  readonly mutating: number;
  /** Every run reported every object unchanged. */
  readonly allUnchanged: boolean;
}

export interface ApplyResults {
  readonly clusters: readonly string[];
  readonly services: number;
  readonly namespaces: number;
  readonly objects: number;
  readonly objectsByCluster: Readonly<Record<string, number>>;
  /** Objects of a crashed earlier run that were removed before the first apply. */
  readonly leftoversRemoved: number;
  /** Objects of the dist outside the benchmark's namespaces that existed before it (the bed's CRDs, ...). */
  readonly sharedObjectsPresentBefore: number;
  readonly first: ApplyRun;
  readonly reapply: RepeatedRuns;
  readonly diff: RepeatedRuns;
  readonly oneChange: { readonly object: string; readonly expected: string; readonly run: ApplyRun };
  /** A re-apply right after the changed one: unchanged again. */
  readonly afterChange: ApplyRun;
  readonly bed: RestoreResult;
  readonly targets: {
    readonly reapplyZeroMutating: boolean;
    readonly reapplyAllUnchanged: boolean;
    readonly diffZeroMutating: boolean;
    readonly oneChangeExactlyOneWrite: boolean;
  };
}

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

function repeated(runs: readonly ApplyRun[], objects: number): RepeatedRuns {
  return {
    runs,
    wallMs: summarize(runs.map((r) => r.wallMs)),
    mutating: runs.reduce((n, r) => n + r.mutating, 0),
    allUnchanged: runs.every((r) => r.outcomes.unchanged === objects),
  };
}

const line = (label: string, r: ApplyRun) => `${label}: ${ms(Math.round(r.wallMs))}, ${r.requests} requests (${r.mutating} mutating), ${r.outcomes.created} created, ${r.outcomes.updated} updated, ${r.outcomes.unchanged} unchanged`;

/** Adds a label to one Service of the first cluster's dist; returns the object as `describeRef` names it. */
function changeOneObject(dist: string, clusterId: string, namespace: string): { object: string; expected: string } {
  const m = readClusterManifests(dist, clusterId).find((x) => x.object.kind === 'Service' && x.object.metadata.namespace === namespace && x.object.metadata.name === 'db-0');
  if (!m) {
    throw new Error(`no Service ${namespace}/db-0 in ${path.join(dist, clusterId)}`);
  }
  const doc = YAML.parse(fs.readFileSync(m.file, 'utf8')) as { metadata: { labels?: Record<string, string> } };
  doc.metadata.labels = { ...doc.metadata.labels, 'bench.mcs.cdk8s.io/changed': 'true' };
  fs.writeFileSync(m.file, YAML.stringify(doc));
  const object = describeRef(refOf(m.object));
  return { object, expected: `${clusterId} updated ${object}` };
}

export const applyBenchmark: Benchmark<ApplyParams, ApplyResults> = {
  name: 'apply',
  summary: 'cdk8s-mcs apply of a ~1,000-object dist: first apply, unchanged re-applies (target: zero mutating requests), diff, one change',
  defaults: { objects: 1000, reps: 5, namespaces: 10, namespace: 'bench-apply', settleMs: 2000 },
  bedClusters: () => ['cluster-1', 'cluster-2'],

  async run(ctx, p) {
    const ids = bedClusterIds();
    if (ids.length < 2) {
      throw new Error(`the apply benchmark needs a bed of two clusters; this one has ${ids.join(', ')}`);
    }
    const clusters = [ids[0], ids[1]] as [string, string];
    const kubeconfig = requireState().kubeconfig;
    const size = sizeFleet(ctx.workDir, { clusters, prefix: p.namespace, objects: p.objects, namespaces: p.namespaces });
    const dist = synthFleet(path.join(ctx.workDir, 'dist'), p.namespace, (fleet) => buildApplyFleet(fleet, { clusters, prefix: p.namespace, ...size }));
    const objectsByCluster = countObjects(dist, clusters);
    const objects = Object.values(objectsByCluster).reduce((a, b) => a + b, 0);
    const namespaces = Array.from({ length: size.namespaces }, (_, i) => namespaceName(p.namespace, i));
    ctx.log(`dist: ${objects} objects (${clusters.map((c) => `${c}: ${objectsByCluster[c]}`).join(', ')}) from ${size.services} MultiClusterStatefulSets (replicas 0) in ${size.namespaces} namespaces`);
    const leftoversRemoved = await removeOwn(clusters, namespaces, p.namespace);
    if (leftoversRemoved > 0) {
      ctx.log(`removed ${leftoversRemoved} namespaces and inventories an interrupted earlier run left`);
    }
    const snapshot: BedSnapshot = await snapshotShared(dist, clusters, namespaces, p.namespace);
    const log = path.join(ctx.workDir, 'apply.log');
    let bed: RestoreResult | undefined;
    let failure: unknown;
    try {
      const first = await timedApply(dist, kubeconfig, { logFile: log });
      ctx.log(line('first apply', first));
      await sleep(p.settleMs);
      const reapplies: ApplyRun[] = [];
      for (let i = 0; i < p.reps; i++) {
        reapplies.push(await timedApply(dist, kubeconfig, { logFile: log }));
        ctx.log(line(`re-apply ${i + 1}/${p.reps}`, reapplies[i]));
      }
      const diffs: ApplyRun[] = [];
      for (let i = 0; i < p.reps; i++) {
        diffs.push(await timedApply(dist, kubeconfig, { dryRun: true, logFile: log }));
        ctx.log(line(`diff ${i + 1}/${p.reps}`, diffs[i]));
      }
      const change = changeOneObject(dist, clusters[0], namespaces[0]);
      const changed = await timedApply(dist, kubeconfig, { logFile: log });
      ctx.log(`${line('one object changed', changed)}: ${changed.notUnchanged.join(', ')}`);
      const afterChange = await timedApply(dist, kubeconfig, { logFile: log });
      ctx.log(line('re-apply after the change', afterChange));
      bed = await restoreBed(snapshot);
      ctx.log(`bed ${bed.leftAsFound ? 'left as found' : `NOT left as found: ${bed.differences.join('; ')}`} (${bed.deleted} shared objects deleted, ${bed.restored} put back${bed.managersChanged.length ? `; field managers differ on ${bed.managersChanged.length}, content as before` : ''})`);
      const reapply = repeated(reapplies, objects);
      const diff = repeated(diffs, objects);
      return {
        clusters,
        services: size.services,
        namespaces: size.namespaces,
        objects,
        objectsByCluster,
        leftoversRemoved,
        sharedObjectsPresentBefore: snapshot.shared.filter((s) => s.before).length,
        first,
        reapply,
        diff,
        oneChange: { ...change, run: changed },
        afterChange,
        bed,
        targets: {
          reapplyZeroMutating: reapply.mutating === 0 && afterChange.mutating === 0,
          reapplyAllUnchanged: reapply.allUnchanged && afterChange.outcomes.unchanged === objects,
          diffZeroMutating: diff.mutating === 0,
          oneChangeExactlyOneWrite: changed.mutating === 1 && changed.notUnchanged.length === 1 && changed.notUnchanged[0] === change.expected,
        },
      };
    } catch (e) {
      failure = e;
      throw e;
    } finally {
      if (!bed) {
        await restoreBed(snapshot).catch((e) => {
          ctx.log(`restoring the bed failed: ${(e as Error).message}`);
          if (!failure) {
            throw e;
          }
        });
      }
    }
  },

  format(report) {
    const r = report.results;
    const p = report.params;
    const head = [
      `apply: ${r.objects.toLocaleString('en-US')} objects (${r.clusters.map((c) => `${c}: ${r.objectsByCluster[c]}`).join(', ')}): ${r.services} MultiClusterStatefulSets with replicas 0 (no pods are created, so the bed stays quiet), each provided by one cluster and imported into the other with both DNS methods, in ${r.namespaces} namespaces per cluster, plus the CRDs, ClusterProperties, CoreDNS RBAC and ConfigMap the compiler emits`,
      `each run as \`cdk8s-mcs apply\` / \`diff\` runs it (fresh clients from fleet.json and the bed's admin kubeconfig, both clusters in parallel), in the benchmark's process; wall time from reading fleet.json to the last response; requests counted by the clients, reads included`,
      describeMachine(report.machine),
    ].join('\n');
    const span = (runs: readonly ApplyRun[], f: (x: ApplyRun) => number): Cell => {
      const v = runs.map(f);
      const lo = Math.min(...v);
      const hi = Math.max(...v);
      return lo === hi ? lo : `${lo}-${hi}`;
    };
    const row = (label: string, runs: readonly ApplyRun[]): Cell[] => {
      const s = summarize(runs.map((x) => x.wallMs));
      return [label, runs.length, ms(Math.round(s.p50)), ms(Math.round(s.max)), span(runs, (x) => x.requests), span(runs, (x) => x.byMethod.GET), span(runs, (x) => x.byMethod.PATCH), span(runs, (x) => x.byMethod.POST + x.byMethod.PUT + x.byMethod.DELETE), span(runs, (x) => x.mutating), span(runs, (x) => x.outcomes.created), span(runs, (x) => x.outcomes.updated), span(runs, (x) => x.outcomes.unchanged)];
    };
    const main = markdownTable(
      ['run', 'n', 'wall p50', 'wall max', 'requests', 'GET', 'PATCH', 'POST/PUT/DELETE', 'mutating', 'created', 'updated', 'unchanged'],
      [
        row(`first apply (cold${r.sharedObjectsPresentBefore > 0 ? `; ${r.sharedObjectsPresentBefore} shared objects such as the bed's CRDs already there` : ''})`, [r.first]),
        row('re-apply, unchanged dist', r.reapply.runs),
        row('diff, unchanged dist', r.diff.runs),
        row(`apply, one object changed (${r.oneChange.object})`, [r.oneChange.run]),
        row('re-apply after the change', [r.afterChange]),
      ],
    );
    const last = r.reapply.runs[r.reapply.runs.length - 1];
    const sum = (run: ApplyRun | undefined, key: string) => (run ? run.clusters.reduce((n, c) => n + (c.byVerbAndResource[key] ?? 0), 0) : undefined);
    const keys = [...new Set([r.first, last, r.diff.runs[0]].filter(Boolean).flatMap((x) => x!.clusters.flatMap((c) => Object.keys(c.byVerbAndResource))))].sort();
    const perCluster = (run: ApplyRun | undefined, id: string, key: string) => run?.clusters.find((c) => c.clusterId === id)?.byVerbAndResource[key] ?? 0;
    const byRequest = markdownTable(
      ['request (verb resource)', 'first apply', ...r.clusters.map((c) => `re-apply ${c}`), 're-apply total', 'diff total'],
      [
        ...keys.map((k) => [k.endsWith(' ') ? `${k.trim()} (API discovery)` : k, sum(r.first, k), ...r.clusters.map((c) => perCluster(last, c, k)), sum(last, k), sum(r.diff.runs[0], k)]),
        ['all', r.first.requests, ...r.clusters.map((c) => last?.clusters.find((x) => x.clusterId === c)?.requests), last?.requests, r.diff.runs[0]?.requests],
      ],
    );
    const t = r.targets;
    const targets = [
      `target: zero mutating requests on an unchanged re-apply: ${t.reapplyZeroMutating ? 'met' : 'MISSED'} (${r.reapply.mutating} in ${p.reps} re-applies and ${r.afterChange.mutating} in the re-apply after the change; every object reported unchanged every time: ${t.reapplyAllUnchanged ? 'yes' : 'NO'})`,
      `diff of the unchanged dist: ${r.diff.mutating} mutating requests in ${p.reps} runs; one changed object: ${r.oneChange.run.mutating} mutating request${r.oneChange.run.mutating === 1 ? '' : 's'} (1 expected: ${t.oneChangeExactlyOneWrite ? 'met' : 'MISSED'}), ${r.oneChange.run.notUnchanged.join(', ') || 'nothing reported changed'}`,
      `re-apply wall time p50 ${ms(Math.round(r.reapply.wallMs.p50))} (${round(r.reapply.wallMs.p50 / Math.max(1, r.first.wallMs) * 100, 1)}% of the first apply's ${ms(Math.round(r.first.wallMs))}), ${round(last ? last.requests / r.objects : NaN, 3)} requests per object; bed left as found: ${r.bed.leftAsFound ? 'yes' : `NO (${r.bed.differences.join('; ')})`}`,
    ].join('\n');
    return `${head}\n\n${main}\n\n${byRequest}\n\n${targets}\n`;
  },
};
