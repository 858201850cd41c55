/**
 * propagation: how fast a pod change in the provider (cluster 1) becomes (a) the provider's own
 * EndpointSlice (the in-cluster controller: the reference), (b) the runner's MCS and amcs slices
 * in the consumer (cluster 2), and (c) a correct answer of the consumer's real CoreDNS, running
 * the Corefile the compiler emitted. Events cycle through: readiness lost, readiness back, IP
 * change (pod deleted and recreated on the other node), delete (graceful), create.
 *
 * Latencies count from the moment the change is visible in the provider's pod watch (for a create,
 * the new pod Ready with its IP), so the in-cluster controller and the runner start from the same
 * point; the same latencies from the API request are in the JSON.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExportedService } from '../lib/constructs/exported-service';
import { HeadlessImport } from '../lib/constructs/headless-import';
import { SyncRunner } from '../lib/constructs/sync-runner';
import { DnsMethod } from '../lib/fleet/names';
import { KubeClient } from '../lib/kube/client';
import { PODS, SERVICES, resourcePath } from '../lib/kube/resources';
import { Pod } from '../lib/kube/types';
import { clusterOf, requireState, runEmittedCorefile } from '../testbed/harness';
import { adminClients, applyDist, coreDnsAddress, deleteNamespace, restoreDefaultCoreDns, runnerKubeconfig, synthFleet } from './common/bed';
import { Benchmark } from './common/benchmark';
import { describeMachine } from './common/machine';
import { apiRequestCounts, RunnerProcess, syncWriteCounts } from './common/runner-process';
import { round, summarize, Summary } from './common/stats';
import { markdownTable } from './common/table';
import { Expectation } from './propagation/expectation';
import { now, ObserverName, Observers, OBSERVERS } from './propagation/observers';
import { APP_LABEL, CONTAINER_PORT, createPod, deletePod, isReadyWithIp, podManifest, readyStatus, setReady } from './propagation/pods';

export interface PropagationParams {
  [key: string]: number | string;
  /** Pod changes measured (at least 200 for the published table). */
  events: number;
  /** Pods of the service; events go round-robin over them. */
  pods: number;
  /** DNS poll period. */
  dnsIntervalMs: number;
  /** How long one event may take before it counts as timed out. */
  timeoutMs: number;
  /** Pause between events, so each starts from a quiet bed. */
  gapMs: number;
  namespace: string;
}

export type EventType = 'not-ready' | 'ready' | 'ip-change' | 'delete' | 'create';
const CYCLE: readonly EventType[] = ['not-ready', 'ready', 'ip-change', 'delete', 'create'];
const SERVICE = 'bench';
/** How long a same-name pod create waits after the old pod is gone, for kwok's late pod-delete stage runs (see change()). */
const KWOK_SETTLE_MS = 1000;

export interface EventRecord {
  readonly index: number;
  readonly type: EventType;
  readonly pod: string;
  /** Epoch ms of the API request that made the change (for ip-change and create: the create). */
  readonly requestAt: number;
  /** Epoch ms the change was visible in the provider's pod watch. */
  readonly visibleAt: number;
  /** Per observer: ms from visibleAt to its first view of the new state; null when it never showed within the timeout. */
  readonly latencyMs: Readonly<Record<ObserverName, number | null>>;
  /** The same from requestAt. */
  readonly fromRequestMs: Readonly<Record<ObserverName, number | null>>;
  /** (b)/(a): the runner's MCS slice against the in-cluster controller's slice. */
  readonly ratioMcsToLocal: number | null;
  readonly dnsQueries: number;
}

export interface PropagationResults {
  readonly provider: string;
  readonly consumer: string;
  readonly corefile: string;
  readonly events: readonly EventRecord[];
  readonly timeouts: number;
  readonly summary: Readonly<Record<ObserverName, Summary>>;
  readonly summaryFromRequest: Readonly<Record<ObserverName, Summary>>;
  readonly byType: Readonly<Record<string, Readonly<Record<ObserverName, Summary>>>>;
  readonly ratioMcsToLocal: Summary;
  /** Per event whose ratio could be computed: how many had the runner's slice no later than the controller's. */
  readonly runnerFirstShare: number;
  readonly runnerWrites: Readonly<Record<string, number>>;
  readonly runnerRequests: Readonly<Record<string, number>>;
  readonly runnerPeakRssBytes: number;
  /** Whether a readiness flip held (kwok did not set Ready back) in every event. */
  readonly readinessFlipsHeld: boolean;
  readonly targets: { readonly ratioP50AtMost1: boolean; readonly dnsP99AtMost2s: boolean };
}

const ms = (from: number, t: number | undefined) => (t === undefined ? null : round(t - from, 1));

async function setUp(ctx: { workDir: string; log: (l: string) => void }, p: PropagationParams, provider: string, consumer: string) {
  const dist = synthFleet(path.join(ctx.workDir, 'dist'), 'bench-propagation', (fleet) => {
    const c1 = fleet.addCluster(provider, { coreDnsVersion: '1.14.7' });
    const c2 = fleet.addCluster(consumer, { coreDnsVersion: '1.14.7' });
    new ExportedService(fleet, SERVICE, { serviceName: SERVICE, namespace: p.namespace, providers: [c1], ports: [{ name: 'tcp', port: CONTAINER_PORT }] });
    new HeadlessImport(fleet, `${SERVICE}-import`, { serviceName: SERVICE, namespace: p.namespace, consumers: [c2], dnsMethods: [DnsMethod.AMCS, DnsMethod.CLUSTERSET] });
    // The runner runs here as a local process; its Deployment would only get kwok's fake pods.
    new SyncRunner(fleet, 'runner', { hostCluster: c2, replicas: 0 });
  });
  await applyDist(dist, [provider, consumer]);
  const kubeconfig = await runnerKubeconfig(dist, path.join(ctx.workDir, 'runner.kubeconfig'));
  const corefile = await runEmittedCorefile(dist, consumer);
  ctx.log(`applied the fleet; ${consumer}'s CoreDNS runs the emitted Corefile`);
  return { dist, kubeconfig, corefile };
}

async function createService(client: KubeClient, namespace: string): Promise<void> {
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: SERVICE, namespace },
    spec: { clusterIP: 'None', selector: { app: APP_LABEL }, ports: [{ name: 'tcp', port: CONTAINER_PORT }] },
  };
  await client.apply(resourcePath(SERVICES, { namespace, name: SERVICE }), service, { fieldManager: 'bench', force: true });
}

interface Change {
  readonly requestAt: number;
  readonly visibleAt: number;
  readonly want: Expectation;
}

/** Makes one change to pod `name` and returns when it became visible and what every observer must then show. */
async function change(type: EventType, name: string, o: { client: KubeClient; observers: Observers; namespace: string; nodes: readonly string[]; timeoutMs: number }): Promise<Change> {
  const { client, observers, namespace } = o;
  const before = observers.pod(name);
  const ip = before?.status?.podIP ?? '';
  const requestAt = now();
  if (type === 'not-ready' || type === 'ready') {
    await setReady(client, namespace, name, type === 'ready');
    const status = type === 'ready' ? 'True' : 'False';
    const visibleAt = await observers.waitForPod(name, (p) => readyStatus(p) === status, o.timeoutMs);
    return { requestAt, visibleAt, want: type === 'ready' ? { state: 'serving', pod: name, ip } : { state: 'gone', pod: name } };
  }
  if (type === 'delete') {
    await deletePod(client, namespace, name);
    const visibleAt = await observers.waitForPod(name, (p) => !p || Boolean(p.metadata.deletionTimestamp), o.timeoutMs);
    return { requestAt, visibleAt, want: { state: 'gone', pod: name } };
  }
  // ip-change: deleted and recreated under the same name on the other node (another node's range: another IP), as a
  // StatefulSet pod is; create: after a delete. kwok 0.8's pod-delete stage deletes by name only (no UID precondition)
  // and may run more than once for one pod: a run still queued for the old pod kills a new pod of the same name (seen
  // as "Delete pod … node: <old node>" after the create in kwok.log). So the delete is graceful (with grace 0 the API
  // server removes the pod itself and kwok's stage comes later still), and the create waits KWOK_SETTLE_MS after the
  // old pod is gone. Latencies count from the new pod being visible, so the wait is outside every measurement.
  const node = type === 'ip-change' ? o.nodes.find((n) => n !== before?.spec?.nodeName) ?? o.nodes[0] : o.nodes[Number(name.split('-').pop()) % o.nodes.length];
  if (type === 'ip-change') {
    await deletePod(client, namespace, name);
  }
  await observers.waitForPod(name, (p) => !p, o.timeoutMs);
  await new Promise((r) => setTimeout(r, KWOK_SETTLE_MS));
  const createAt = now();
  await createPod(client, podManifest({ name, namespace, service: SERVICE, node }));
  const visibleAt = await observers.waitForPod(name, (p) => isReadyWithIp(p, before?.metadata.uid), o.timeoutMs);
  return { requestAt: type === 'ip-change' ? requestAt : createAt, visibleAt, want: { state: 'serving', pod: name, ip: observers.pod(name)!.status!.podIP! } };
}

function summaries(events: readonly EventRecord[], pick: (e: EventRecord) => Readonly<Record<ObserverName, number | null>>): Record<ObserverName, Summary> {
  return Object.fromEntries(OBSERVERS.map((n) => [n, summarize(events.map((e) => pick(e)[n]).filter((v): v is number => v !== null))])) as Record<ObserverName, Summary>;
}

async function measureEvents(p: PropagationParams, o: { client: KubeClient; observers: Observers; nodes: readonly string[]; log: (l: string) => void }): Promise<{ events: EventRecord[]; flipsHeld: boolean }> {
  const events: EventRecord[] = [];
  let flipsHeld = true;
  for (let i = 0; i < p.events; i++) {
    const type = CYCLE[i % CYCLE.length];
    const pod = `pod-${Math.floor(i / CYCLE.length) % p.pods}`;
    const window = o.observers.open(pod);
    const c = await change(type, pod, { ...o, namespace: p.namespace, timeoutMs: p.timeoutMs }).catch(async (e: Error) => {
      const brief = (x: Pod | undefined) => (x ? { uid: x.metadata.uid, rv: x.metadata.resourceVersion, deleting: Boolean(x.metadata.deletionTimestamp), node: x.spec?.nodeName, phase: x.status?.phase, ip: x.status?.podIP, ready: readyStatus(x) } : 'none');
      const live = await o.client.get<Pod>(resourcePath(PODS, { namespace: p.namespace, name: pod })).catch(() => undefined);
      throw new Error(`event ${i} (${type} ${pod}): ${e.message}; the pod in the benchmark's watch: ${JSON.stringify(brief(o.observers.pod(pod)))}, in the API: ${JSON.stringify(brief(live))}`);
    });
    const seen = await o.observers.close(window, c.want, p.timeoutMs);
    if ((type === 'not-ready' && readyStatus(o.observers.pod(pod)) !== 'False') || (type === 'ready' && readyStatus(o.observers.pod(pod)) !== 'True')) {
      flipsHeld = false;
    }
    const latency = Object.fromEntries(OBSERVERS.map((n) => [n, ms(c.visibleAt, seen.get(n))])) as Record<ObserverName, number | null>;
    const fromRequest = Object.fromEntries(OBSERVERS.map((n) => [n, ms(c.requestAt, seen.get(n))])) as Record<ObserverName, number | null>;
    const ratio = latency.local !== null && latency.mcs !== null && latency.local > 0 ? round(latency.mcs / latency.local, 3) : null;
    events.push({ index: i, type, pod, requestAt: round(c.requestAt, 1), visibleAt: round(c.visibleAt, 1), latencyMs: latency, fromRequestMs: fromRequest, ratioMcsToLocal: ratio, dnsQueries: window.dnsQueries });
    if ((i + 1) % 25 === 0 || i + 1 === p.events) {
      const recent = events.slice(-25);
      o.log(`${i + 1}/${p.events} events; last 25: local p50 ${summarize(recent.map((e) => e.latencyMs.local ?? NaN)).p50} ms, mcs p50 ${summarize(recent.map((e) => e.latencyMs.mcs ?? NaN)).p50} ms, DNS p50 ${summarize(recent.map((e) => e.latencyMs.dnsClusterset ?? NaN)).p50} ms`);
    }
    await new Promise((r) => setTimeout(r, p.gapMs));
  }
  return { events, flipsHeld };
}

function summarizeRun(events: readonly EventRecord[]) {
  const byType = Object.fromEntries(CYCLE.map((t) => [t, summaries(events.filter((e) => e.type === t), (e) => e.latencyMs)]));
  const ratios = events.map((e) => e.ratioMcsToLocal).filter((r): r is number => r !== null);
  return {
    summary: summaries(events, (e) => e.latencyMs),
    summaryFromRequest: summaries(events, (e) => e.fromRequestMs),
    byType,
    ratioMcsToLocal: summarize(ratios),
    runnerFirstShare: ratios.length ? round(ratios.filter((r) => r <= 1).length / ratios.length, 3) : NaN,
    timeouts: events.filter((e) => OBSERVERS.some((n) => e.latencyMs[n] === null)).length,
  };
}

export const propagationBenchmark: Benchmark<PropagationParams, PropagationResults> = {
  name: 'propagation',
  summary: 'pod change -> in-cluster slice, runner MCS slice and CoreDNS answer in another cluster',
  defaults: { events: 250, pods: 10, dnsIntervalMs: 10, timeoutMs: 30_000, gapMs: 200, namespace: 'bench-propagation' },
  bedClusters: () => ['cluster-1', 'cluster-2'],

  async run(ctx, p) {
    const [provider, consumer] = requireState().clusters.map((c) => c.id);
    const clients = adminClients([provider, consumer]);
    const nodes = clusterOf(requireState(), provider).nodes;
    const { dist, kubeconfig, corefile } = await setUp(ctx, p, provider, consumer);
    const observers = new Observers({ provider: clients.get(provider)!, consumer: clients.get(consumer)!, namespace: p.namespace, service: SERVICE, providerId: provider, coreDnsAddress: coreDnsAddress(consumer), dnsIntervalMs: p.dnsIntervalMs });
    let runner: RunnerProcess | undefined;
    try {
      const client = clients.get(provider)!;
      await createService(client, p.namespace);
      await observers.start();
      for (let i = 0; i < p.pods; i++) {
        await createPod(client, podManifest({ name: `pod-${i}`, namespace: p.namespace, service: SERVICE, node: nodes[i % nodes.length] }));
      }
      for (let i = 0; i < p.pods; i++) {
        await observers.waitForPod(`pod-${i}`, (pod) => isReadyWithIp(pod), 120_000);
      }
      runner = await RunnerProcess.start({ dist, kubeconfig, logFile: path.join(ctx.workDir, 'sync.log') });
      await runner.waitReady(120_000);
      for (let i = 0; i < p.pods; i++) {
        const name = `pod-${i}`;
        const w = observers.open(name);
        const seen = await observers.close(w, { state: 'serving', pod: name, ip: observers.pod(name)!.status!.podIP! }, 60_000);
        if ([...seen.values()].some((t) => t === undefined)) {
          throw new Error(`${name} never showed everywhere before the first event: ${JSON.stringify(Object.fromEntries(seen))}`);
        }
      }
      ctx.log(`${p.pods} pods serving everywhere; measuring ${p.events} events`);
      const before = await runner.metrics();
      const { events, flipsHeld } = await measureEvents(p, { client, observers, nodes, log: ctx.log });
      const after = await runner.metrics();
      const counts = (m: Map<string, number>, b: Map<string, number>) => Object.fromEntries([...m].map(([k, v]) => [k, v - (b.get(k) ?? 0)]).filter(([, v]) => v !== 0));
      const run = summarizeRun(events);
      const { peakRssBytes } = await runner.stop();
      runner = undefined;
      return {
        provider,
        consumer,
        corefile,
        events,
        ...run,
        runnerWrites: counts(syncWriteCounts(after), syncWriteCounts(before)),
        runnerRequests: counts(apiRequestCounts(after), apiRequestCounts(before)),
        runnerPeakRssBytes: peakRssBytes,
        readinessFlipsHeld: flipsHeld,
        targets: { ratioP50AtMost1: run.ratioMcsToLocal.p50 <= 1, dnsP99AtMost2s: run.summary.dnsClusterset.p99 <= 2000 && run.timeouts === 0 },
      };
    } finally {
      await runner?.stop();
      await observers.stop();
      await Promise.all([provider, consumer].map((id) => deleteNamespace(clients.get(id)!, p.namespace)));
      await restoreDefaultCoreDns(consumer);
      clients.forEach((c) => c.close());
      fs.rmSync(path.join(ctx.workDir, 'runner.kubeconfig'), { force: true });
    }
  },

  format(report) {
    const r = report.results;
    const s = r.summary;
    const row = (label: string, x: Summary) => [label, x.p50, x.p90, x.p99, x.max, x.n];
    const head = `propagation: ${r.events.length} pod changes in ${r.provider} (${report.params.pods} pods; ${CYCLE.join(', ')} in turn), observed in ${r.consumer}; DNS polled every ${report.params.dnsIntervalMs} ms; ms from the change being visible in the provider's pod watch\n${describeMachine(report.machine)}`;
    const main = markdownTable(['ms after the pod change', 'p50', 'p90', 'p99', 'max', 'n'], [
      row('(a) in-cluster EndpointSlice in cluster 1 (reference)', s.local),
      row('(b) runner MCS slice in cluster 2', s.mcs),
      row('(b\') runner amcs- slice in cluster 2', s.amcs),
      row('(c) CoreDNS in cluster 2, clusterset.local name', s.dnsClusterset),
      row('(c\') CoreDNS in cluster 2, amcs- name', s.dnsAmcs),
      ['(b)/(a) per event', r.ratioMcsToLocal.p50, r.ratioMcsToLocal.p90, r.ratioMcsToLocal.p99, r.ratioMcsToLocal.max, r.ratioMcsToLocal.n],
    ]);
    const types = markdownTable(['p50 / p99 ms by change', '(a) local slice', '(b) MCS slice', '(c) DNS clusterset', 'n'], Object.entries(r.byType).map(([t, x]) => [t, `${x.local.p50} / ${x.local.p99}`, `${x.mcs.p50} / ${x.mcs.p99}`, `${x.dnsClusterset.p50} / ${x.dnsClusterset.p99}`, x.mcs.n]));
    const targets = `targets: p50 of (b)/(a) <= 1.0: ${r.targets.ratioP50AtMost1 ? 'met' : 'MISSED'} (${r.ratioMcsToLocal.p50}; the runner's slice was no later than the controller's in ${round(r.runnerFirstShare * 100, 1)}% of events); p99 of (c) <= 2 s: ${r.targets.dnsP99AtMost2s ? 'met' : 'MISSED'} (${s.dnsClusterset.p99} ms); timeouts: ${r.timeouts}; readiness flips held: ${r.readinessFlipsHeld}`;
    return `${head}\n\n${main}\n\n${types}\n\n${targets}\n`;
  },
};
