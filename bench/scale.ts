/**
 * scale (issue #6): one provider cluster with `services` exported headless Services of
 * `podsPerService` pods each (kwok's fake pods), imported into `consumers` clusters with both DNS
 * methods (amcs and clusterset). Measures, for `cdk8s-mcs sync` as its own process:
 *
 * 1. time from the runner's start to /readyz and to the first moment every consumer holds exactly
 *    the correct slices (every pod's hostname, IP and readiness, in the MCS and the amcs slices),
 *    seen through watches of the consumers' slices;
 * 2. the runner's peak RSS (VmHWM);
 * 3. API requests per second in steady state (nothing changes for `steadySeconds`), by verb;
 *    writes then split into Leases (leader election and per-source liveness: by design) and
 *    everything else (derived objects: must be zero);
 * 4. writes per single-pod change (`podChanges` of: readiness lost, readiness back, pod deleted,
 *    pod created), counted by the runner's metrics and by the slice events the consumers show;
 *    the target is exactly one EndpointSlice write per consumer per DNS method.
 */
import * as path from 'node:path';
import { ExportedService } from '../lib/constructs/exported-service';
import { HeadlessImport } from '../lib/constructs/headless-import';
import { SyncRunner } from '../lib/constructs/sync-runner';
import { DnsMethod } from '../lib/fleet/names';
import { KubeClient } from '../lib/kube/client';
import { LEASES, resourcePath, SERVICE_EXPORTS, SERVICE_IMPORTS } from '../lib/kube/resources';
import { LABEL_LIVENESS_OF } from '../lib/runner/sync/cluster-state';
import { clusterOf, DEFAULT_NODE_POD_CIDR_PREFIX, MIN_NODE_POD_CIDR_PREFIX, podIpsPerNode, requireState } from '../testbed/harness';
import { adminClients, applyDist, deleteNamespace, runnerKubeconfig, synthFleet } from './common/bed';
import { Benchmark } from './common/benchmark';
import { describeMachine } from './common/machine';
import { bedPids, cpuByComponent, cpuSnapshot } from './common/process-cpu';
import { PromSample, RunnerProcess } from './common/runner-process';
import { round, summarize, Summary } from './common/stats';
import { markdownTable, mib, seconds } from './common/table';
import { createPod, deletePod, isReadyWithIp, readyStatus, setReady } from './propagation/pods';
import { ControllerReference, timeControllerSlices } from './scale/controller-reference';
import { Correctness, Holder, METHODS } from './scale/correctness';
import { CreatedObject, deleteCreated, objectsToBeCreated } from './scale/leftovers';
import { sliceAndOtherWrites, TrafficDelta, trafficBetween } from './scale/requests';
import { createPods, createServices, podNames, scalePodManifest, serviceNames } from './scale/workload';

export interface ScaleParams {
  [key: string]: number | string;
  services: number;
  podsPerService: number;
  /** Consumer clusters (the bed has one provider plus these). */
  consumers: number;
  /** How long nothing changes while the runner's requests are counted. */
  steadySeconds: number;
  /** Single-pod changes measured (readiness lost, readiness back, delete, create, in turn). */
  podChanges: number;
  /** API calls in flight while creating the Services and pods. */
  createConcurrency: number;
  /** After a change is visible everywhere, how long to keep counting writes (late or duplicate writes show up here). */
  quietMs: number;
  /** Limit for each wait (pods ready, runner converged, one change shown). */
  timeoutMs: number;
  namespace: string;
}

const FLEET_NAME = 'bench-scale';
const RUNNER_NAMESPACE = 'cdk8s-mcs-system';
/** The identity RunnerProcess gives the runner (--identity). */
const RUNNER_IDENTITY = 'bench';
type ChangeType = 'not-ready' | 'ready' | 'delete' | 'create';
const CYCLE: readonly ChangeType[] = ['not-ready', 'ready', 'delete', 'create'];

export interface ChangeRecord {
  readonly index: number;
  readonly type: ChangeType;
  readonly pod: string;
  /**
   * How many endpoint states the pod went through, from the provider's pod watch: 1 for a
   * readiness flip or a create (kwok sets IP and Ready at once), 2 for a delete (Terminating,
   * then gone: the runner publishes both, as the in-cluster EndpointSlice controller does).
   */
  readonly endpointTransitions: number;
  /** ms from the change being visible in the provider's pod watch to every consumer showing it. */
  readonly latencyMs: number;
  /** EndpointSlice writes of the sync (cdk8s_mcs_writes_total), per consumer. */
  readonly sliceWritesByCluster: Readonly<Record<string, number>>;
  readonly sliceWrites: number;
  /** Slice events the consumers' watches showed, per `consumer|method`. */
  readonly sliceEvents: Readonly<Record<string, number>>;
  /** Writes to anything but slices and Leases (should be none). */
  readonly otherWrites: Readonly<Record<string, number>>;
  readonly leaseWrites: number;
  readonly requests: number;
  /** For every holder and DNS method: one slice write per endpoint state (at least one, at most endpointTransitions), no write that changed nothing, nothing else written. */
  readonly exact: boolean;
}

export interface ScaleResults {
  readonly provider: string;
  readonly consumers: readonly string[];
  readonly pods: number;
  readonly nodePodCidrs: readonly string[];
  readonly setupSeconds: { readonly synth: number; readonly apply: number; readonly services: number; readonly podsCreated: number; readonly podsReady: number };
  readonly startup: {
    /** ms from spawning the runner to its first /readyz 200. */
    readonly readyMs: number;
    /** ms from spawning the runner to every consumer first holding exactly the correct slices. */
    readonly convergedMs: number;
    /** Derived slices each cluster holds at convergence (the provider: the MCS slices of its own exports). */
    readonly slicesPerCluster: Readonly<Record<string, number>>;
    readonly peakRssBytesAtConvergence: number;
    readonly traffic: TrafficDelta;
  };
  readonly runnerPeakRssBytes: number;
  /**
   * The in-cluster EndpointSlice controller of the provider, timed writing its slices when the
   * Services were created over the running pods; compared per slice with the runner's start-up.
   */
  readonly reference: ControllerReference & {
    /** Slices the runner wrote until convergence (cdk8s_mcs_writes_total, endpointslices). */
    readonly runnerSliceWrites: number;
    readonly runnerMsPerSlice: number;
    readonly controllerMsPerSlice: number;
    /** runnerMsPerSlice / controllerMsPerSlice; the target is <= 1. */
    readonly ratio: number;
    /** CPU seconds by component while the controller wrote its slices (the provider's processes only; the Service creates included). */
    readonly controllerCpuSeconds: Readonly<Record<string, number>>;
    /** CPU seconds by component, every cluster plus the runner, from the runner's spawn to the correct state. */
    readonly runnerCpuSeconds: Readonly<Record<string, number>>;
  };
  readonly steady: {
    readonly seconds: number;
    /** ms after convergence until the runner's non-Lease writes stopped (status writes may follow the slices). */
    readonly settleMs: number;
    /** Status at the end of the settling: ServiceExports with a Ready condition, ServiceImports listing the provider. */
    readonly status?: { readonly exports: number; readonly exportsWithReady: number; readonly imports: number; readonly importsWithClusters: number };
    readonly traffic: TrafficDelta;
    readonly requestsPerSecond: number;
    readonly requestsPerSecondByVerb: Readonly<Record<string, number>>;
    readonly leaseWritesPerSecond: number;
    readonly stillCorrect: boolean;
  };
  readonly changes: {
    readonly records: readonly ChangeRecord[];
    /** Slice writes per endpoint state of the changed pod: the provider's MCS slice plus consumers x DNS methods. */
    readonly expectedSliceWrites: number;
    /** How many changes had n slice writes, keyed n. */
    readonly sliceWritesDistribution: Readonly<Record<string, number>>;
    readonly latencyMs: Summary;
  };
  readonly targets: { readonly converged: boolean; readonly zeroDerivedWritesInSteadyState: boolean; readonly oneSliceWritePerConsumerPerMethod: boolean };
}

/** The smallest node pod range (largest prefix, /24 at most) that holds the pods on the bed's two nodes, with room to recreate some. */
export function nodePrefixFor(pods: number, nodes = 2): number {
  const perNode = Math.ceil((pods * 1.05) / nodes) + 16;
  for (let prefix = DEFAULT_NODE_POD_CIDR_PREFIX; prefix >= MIN_NODE_POD_CIDR_PREFIX; prefix--) {
    if (podIpsPerNode(prefix) >= perNode) {
      return prefix;
    }
  }
  throw new Error(`${pods} pods do not fit the bed's ${nodes} nodes even with a /${MIN_NODE_POD_CIDR_PREFIX} each (${podIpsPerNode(MIN_NODE_POD_CIDR_PREFIX)} pod IPs per node)`);
}

function checkCapacity(p: ScaleParams, provider: string): string[] {
  const c = clusterOf(requireState(), provider);
  const cidrs = c.nodePodCidrs ?? c.nodes.map((_, n) => `10.${10 * (c.index + 1)}.${n}.0/${DEFAULT_NODE_POD_CIDR_PREFIX}`);
  const capacity = cidrs.reduce((a, cidr) => a + podIpsPerNode(Number(cidr.split('/')[1])), 0);
  const pods = p.services * p.podsPerService;
  if (capacity < pods + c.nodes.length * 16) {
    throw new Error(`${pods} pods need more pod IPs than ${provider}'s nodes have (${cidrs.join(', ')}: ${capacity}); start the bed with --node-pod-cidr-prefix ${nodePrefixFor(pods, c.nodes.length)} (npm run bench starts it so by itself)`);
  }
  return cidrs;
}

export function setUpFleet(dir: string, p: ScaleParams, provider: string, consumers: readonly string[], services: readonly string[]): string {
  return synthFleet(dir, FLEET_NAME, (fleet) => {
    const c1 = fleet.addCluster(provider, { coreDnsVersion: '1.14.7' });
    const cs = consumers.map((id) => fleet.addCluster(id, { coreDnsVersion: '1.14.7' }));
    for (const name of services) {
      new ExportedService(fleet, name, { serviceName: name, namespace: p.namespace, providers: [c1], ports: [{ name: 'tcp', port: 5432 }] });
      new HeadlessImport(fleet, `${name}-import`, { serviceName: name, namespace: p.namespace, consumers: cs, dnsMethods: [DnsMethod.AMCS, DnsMethod.CLUSTERSET] });
    }
    // The runner runs here as a local process; its Deployment would only get kwok's fake pods.
    new SyncRunner(fleet, 'runner', { hostCluster: cs[0], replicas: 0 });
  });
}

/**
 * The clusters that hold derived slices: every cluster where the namespace exists (KEP-1645
 * namespace sameness; see the README's "Consumers"), so the provider too, with the MCS slices of
 * its own export; the consumers also with the amcs- slices of their HeadlessImports.
 */
function holdersOf(clients: ReadonlyMap<string, KubeClient>, provider: string, consumers: readonly string[]): Map<string, Holder> {
  return new Map([
    [provider, { client: clients.get(provider)!, methods: [DnsMethod.CLUSTERSET] }],
    ...consumers.map((id) => [id, { client: clients.get(id)!, methods: METHODS }] as const),
  ]);
}

/**
 * How many of the namespace's ServiceExports (provider) carry the runner's Ready condition, and
 * how many ServiceImports (every cluster) list the provider in status.clusters: the status
 * writes the runner puts off behind the slices while a backlog waits.
 */
async function statusCounts(clients: ReadonlyMap<string, KubeClient>, provider: string, namespace: string): Promise<{ exports: number; exportsWithReady: number; imports: number; importsWithClusters: number }> {
  const exportsList = await clients.get(provider)!.list<any>(resourcePath(SERVICE_EXPORTS, { namespace }));
  const imports = (await Promise.all([...clients.values()].map((c) => c.list<any>(resourcePath(SERVICE_IMPORTS, { namespace }))))).flatMap((l) => l.items);
  return {
    exports: exportsList.items.length,
    exportsWithReady: exportsList.items.filter((se) => (se.status?.conditions ?? []).some((c: { type: string }) => c.type === 'Ready')).length,
    imports: imports.length,
    importsWithClusters: imports.filter((si) => (si.status?.clusters ?? []).some((c: { cluster: string }) => c.cluster === provider)).length,
  };
}

/** Polls the runner's metrics until its non-Lease writes have not moved for `quietMs` (bounded by timeoutMs). */
async function waitForQuietWrites(runner: RunnerProcess, quietMs: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  const nonLease = (m: readonly PromSample[]) => m.filter((s) => s.name === 'cdk8s_mcs_writes_total' && s.labels.resource !== 'leases').reduce((a, s) => a + s.value, 0);
  let last = nonLease(await runner.metrics());
  let lastChange = Date.now();
  while (Date.now() - lastChange < quietMs && Date.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 500));
    const n = nonLease(await runner.metrics());
    if (n !== last) {
      last = n;
      lastChange = Date.now();
    }
  }
  return lastChange - started;
}

/** Makes one single-pod change; resolves with when it became visible in the provider's pod watch. */
async function change(type: ChangeType, name: string, o: { client: KubeClient; view: Correctness; namespace: string; node: string; timeoutMs: number }): Promise<number> {
  const { client, view, namespace } = o;
  if (type === 'not-ready' || type === 'ready') {
    await setReady(client, namespace, name, type === 'ready');
    const status = type === 'ready' ? 'True' : 'False';
    return view.whenPod(name, (p) => readyStatus(p) === status, o.timeoutMs);
  }
  if (type === 'delete') {
    const uid = view.pod(name)?.metadata.uid;
    await deletePod(client, namespace, name, 0);
    return view.whenPod(name, (p) => !p || p.metadata.uid !== uid, o.timeoutMs);
  }
  await createPod(client, scalePodManifest({ name, namespace, service: name.slice(0, name.lastIndexOf('-')), node: o.node }));
  return view.whenPod(name, (p) => isReadyWithIp(p), o.timeoutMs);
}

async function measureChanges(p: ScaleParams, o: { runner: RunnerProcess; client: KubeClient; view: Correctness; services: readonly string[]; nodes: readonly string[]; holders: ReadonlyMap<string, Holder>; log: (l: string) => void }): Promise<ChangeRecord[]> {
  const records: ChangeRecord[] = [];
  const pods = Math.ceil(p.podChanges / CYCLE.length);
  const slots = [...o.holders].flatMap(([id, h]) => h.methods.map((m) => `${id}|${m}`));
  for (let i = 0; i < p.podChanges; i++) {
    const type = CYCLE[i % CYCLE.length];
    const k = Math.floor(i / CYCLE.length);
    // Pods spread over the services (and over each service's pods).
    const service = o.services[Math.floor((k * o.services.length) / pods)];
    const pod = podNames(service, p.podsPerService)[k % p.podsPerService];
    await o.view.whenAllCorrect(p.timeoutMs);
    const before = await o.runner.metrics();
    o.view.takeSliceEvents();
    o.view.trackPod(pod);
    const visibleAt = await change(type, pod, { client: o.client, view: o.view, namespace: p.namespace, node: o.nodes[(i + 1) % o.nodes.length], timeoutMs: p.timeoutMs });
    const shownAt = await o.view.whenAllCorrect(p.timeoutMs);
    await new Promise((r) => setTimeout(r, p.quietMs));
    const after = await o.runner.metrics();
    const transitions = o.view.endpointTransitions();
    const sliceEvents = o.view.takeSliceEvents();
    const traffic = trafficBetween(before, after);
    const w = sliceAndOtherWrites(traffic);
    const events = Object.values(sliceEvents).reduce((a, b) => a + b, 0);
    // One write per holder per method for each endpoint state the pod went through (fewer if the runner saw two at once), no write that changed nothing, nothing else.
    const exact = slots.every((slot) => (sliceEvents[slot] ?? 0) >= 1 && (sliceEvents[slot] ?? 0) <= transitions)
      && Object.keys(sliceEvents).every((slot) => slots.includes(slot))
      && w.slices === events
      && Object.keys(w.other).length === 0;
    records.push({
      index: i,
      type,
      pod,
      endpointTransitions: transitions,
      latencyMs: round(Math.max(0, shownAt - visibleAt), 1),
      sliceWritesByCluster: w.slicesByCluster,
      sliceWrites: w.slices,
      sliceEvents,
      otherWrites: w.other,
      leaseWrites: traffic.leaseWritesTotal,
      requests: traffic.requestsTotal,
      exact,
    });
    if (!exact) {
      o.log(`  change ${i} (${type} ${pod}, ${transitions} endpoint state(s)): ${w.slices} slice writes ${JSON.stringify(w.slicesByCluster)}, slice events ${JSON.stringify(sliceEvents)}, other writes ${JSON.stringify(w.other)}`);
    }
    if ((i + 1) % 10 === 0 || i + 1 === p.podChanges) {
      o.log(`  ${i + 1}/${p.podChanges} pod changes; as targeted so far: ${records.filter((r) => r.exact).length}`);
    }
  }
  return records;
}

/**
 * Removes what the run created: its namespace and the rest of the fleet's objects that did not
 * exist before (see scale/leftovers.ts); where the runner's namespace existed, the liveness
 * Leases the runner left in it (its leader Lease it releases itself when it stops).
 */
async function cleanUp(clients: ReadonlyMap<string, KubeClient>, p: ScaleParams, created: readonly CreatedObject[], log: (l: string) => void): Promise<void> {
  const started = Date.now();
  await Promise.all([...clients].map(async ([id, client]) => {
    if (!created.some((o) => o.clusterId === id && o.kind === 'Namespace' && o.path.endsWith(`/${RUNNER_NAMESPACE}`))) {
      const leases = await client.list(resourcePath(LEASES, { namespace: RUNNER_NAMESPACE }), { labelSelector: LABEL_LIVENESS_OF }).catch(() => ({ items: [] }));
      await Promise.all(leases.items.filter((l) => (l as { spec?: { holderIdentity?: string } }).spec?.holderIdentity === RUNNER_IDENTITY).map((l) => client.delete(resourcePath(LEASES, { namespace: RUNNER_NAMESPACE, name: l.metadata.name })).catch(() => false)));
    }
  }));
  await deleteCreated(created, clients, 30 * 60_000);
  // The benchmark's namespace goes even if it existed (a leftover of an interrupted run).
  await Promise.all([...clients.values()].map((c) => deleteNamespace(c, p.namespace, 30 * 60_000)));
  log(`removed what the run created (${created.length} objects, namespace ${p.namespace} with its pods) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

export const scaleBenchmark: Benchmark<ScaleParams, ScaleResults> = {
  name: 'scale',
  summary: 'runner start to correct sync, peak RSS, steady-state requests and writes per pod change, for 1 provider x N services x M pods and K consumers',
  defaults: { services: 1000, podsPerService: 10, consumers: 2, steadySeconds: 60, podChanges: 20, createConcurrency: 24, quietMs: 2000, timeoutMs: 600_000, namespace: 'bench-scale' },
  bedClusters: (p) => Array.from({ length: 1 + p.consumers }, (_, i) => `cluster-${i + 1}`),
  bedOptions: (p) => ({ nodePodCidrPrefix: nodePrefixFor(p.services * p.podsPerService) }),

  async run(ctx, p) {
    const ids = requireState().clusters.map((c) => c.id);
    if (ids.length < 1 + p.consumers) {
      throw new Error(`scale needs ${1 + p.consumers} clusters (1 provider + ${p.consumers} consumers); the bed has ${ids.join(', ')}`);
    }
    const [provider, ...consumers] = ids.slice(0, 1 + p.consumers);
    const nodePodCidrs = checkCapacity(p, provider);
    const nodes = clusterOf(requireState(), provider).nodes;
    const clients = adminClients([provider, ...consumers]);
    const client = clients.get(provider)!;
    const services = serviceNames(p.services);
    const pods = p.services * p.podsPerService;
    let created: CreatedObject[] = [];
    const t = (from: number) => round((Date.now() - from) / 1000, 1);
    let runner: RunnerProcess | undefined;
    let view: Correctness | undefined;
    try {
      let started = Date.now();
      const dist = setUpFleet(path.join(ctx.workDir, 'dist'), p, provider, consumers, services);
      const synthSeconds = t(started);
      ctx.log(`synthesized ${p.services} ExportedServices + HeadlessImports into ${consumers.join(', ')} in ${synthSeconds} s`);
      created = await objectsToBeCreated(dist, FLEET_NAME, clients);
      started = Date.now();
      await applyDist(dist, [provider, ...consumers]);
      const applySeconds = t(started);
      const kubeconfig = await runnerKubeconfig(dist, path.join(ctx.workDir, 'runner.kubeconfig'));
      ctx.log(`applied the fleet in ${applySeconds} s; creating ${pods} pods, then ${p.services} Services, in ${provider} (${nodePodCidrs.join(', ')})`);
      started = Date.now();
      await createPods(client, { namespace: p.namespace, services, podsPerService: p.podsPerService, nodes, concurrency: p.createConcurrency, log: ctx.log });
      const podsCreatedSeconds = t(started);
      started = Date.now();
      view = new Correctness({ provider: client, holders: holdersOf(clients, provider, consumers), namespace: p.namespace, services });
      await view.start();
      const everyPod = services.flatMap((s) => podNames(s, p.podsPerService));
      let lastLog = Date.now();
      await new Promise<number>((resolve, reject) => {
        const check = () => {
          const ready = everyPod.filter((name) => isReadyWithIp(view!.pod(name))).length;
          if (ready === everyPod.length) {
            resolve(ready);
          } else if (Date.now() - started > p.timeoutMs) {
            reject(new Error(`only ${ready}/${everyPod.length} pods Ready with an IP after ${p.timeoutMs} ms`));
          } else {
            if (Date.now() - lastLog > 15_000) {
              lastLog = Date.now();
              ctx.log(`  pods: ${ready}/${everyPod.length} Ready with an IP`);
            }
            setTimeout(check, 1000);
          }
        };
        check();
      });
      const podsReadySeconds = t(started);
      const ips = new Set(everyPod.map((name) => view!.pod(name)!.status!.podIP));
      if (ips.size !== everyPod.length) {
        throw new Error(`${everyPod.length} pods have only ${ips.size} distinct IPs`);
      }
      ctx.log(`${pods} pods Ready with distinct IPs (${podsReadySeconds} s after the last create); creating the Services, timing the in-cluster EndpointSlice controller`);
      const expected = new Map(services.map((svc) => [svc, view!.pods.byIndex('service', svc).map((pod) => pod.status!.podIP!)]));
      started = Date.now();
      const cpuBeforeServices = cpuSnapshot(bedPids());
      const controller = await timeControllerSlices({ client, namespace: p.namespace, expected, timeoutMs: p.timeoutMs, createServices: () => createServices(client, p.namespace, services, p.createConcurrency, ctx.log) });
      const servicesSeconds = t(started);
      const controllerCpuSeconds = cpuByComponent(cpuBeforeServices, cpuSnapshot(bedPids()), [provider]);
      ctx.log(`in-cluster EndpointSlice controller: ${controller.slices} slices correct ${(controller.correctMs / 1000).toFixed(1)} s after the first Service create (creates took ${(controller.createMs / 1000).toFixed(1)} s); starting the runner`);

      runner = await RunnerProcess.start({ dist, kubeconfig, logFile: path.join(ctx.workDir, 'sync.log') });
      const spawnedAt = runner.startedAt;
      const runnerPids = bedPids({ runner: runner.pid });
      const cpuAtSpawn = cpuSnapshot(runnerPids);
      const readyAt = await runner.waitReady(p.timeoutMs, 100);
      ctx.log(`runner ready after ${((readyAt - spawnedAt) / 1000).toFixed(1)} s`);
      const convergedAt = await view.whenAllCorrect(p.timeoutMs);
      const runnerCpuSeconds = cpuByComponent(cpuAtSpawn, cpuSnapshot(runnerPids));
      const peakAtConvergence = runner.peakRssBytes();
      const atConvergence = await runner.metrics();
      const startupTraffic = trafficBetween([], atConvergence);
      ctx.log(`every consumer correct after ${((convergedAt - spawnedAt) / 1000).toFixed(1)} s; runner peak RSS ${mib(peakAtConvergence)}`);
      const slicesPerCluster = Object.fromEntries([provider, ...consumers].map((id) => [id, view!.sliceCount(id)]));
      const runnerSliceWrites = Object.entries(startupTraffic.syncWrites).filter(([k]) => k.endsWith(' endpointslices')).reduce((a, [, n]) => a + n, 0);
      const runnerMsPerSlice = (convergedAt - spawnedAt) / Math.max(1, runnerSliceWrites);
      const controllerMsPerSlice = controller.correctMs / Math.max(1, controller.slices);
      const reference = { ...controller, runnerSliceWrites, runnerMsPerSlice: round(runnerMsPerSlice, 2), controllerMsPerSlice: round(controllerMsPerSlice, 2), ratio: round(runnerMsPerSlice / controllerMsPerSlice, 2), controllerCpuSeconds, runnerCpuSeconds };
      ctx.log(`per slice: runner ${reference.runnerMsPerSlice} ms (${runnerSliceWrites} slices), in-cluster controller ${reference.controllerMsPerSlice} ms: ratio ${reference.ratio}`);

      const settleMs = await waitForQuietWrites(runner, 5000, p.timeoutMs);
      const status = await statusCounts(clients, provider, p.namespace);
      ctx.log(`runner quiet ${(settleMs / 1000).toFixed(1)} s after convergence (status: ${status.exportsWithReady}/${status.exports} ServiceExports Ready, ${status.importsWithClusters}/${status.imports} ServiceImports list ${provider}); steady state for ${p.steadySeconds} s`);
      const steadyBefore = await runner.metrics();
      const steadyStart = Date.now();
      await new Promise((r) => setTimeout(r, p.steadySeconds * 1000));
      const steadyAfter = await runner.metrics();
      const steadyElapsed = (Date.now() - steadyStart) / 1000;
      const steadyTraffic = trafficBetween(steadyBefore, steadyAfter);
      view.recheckAll();
      const stillCorrect = view.wrong.size === 0;
      ctx.log(`steady state: ${steadyTraffic.requestsTotal} requests (${JSON.stringify(steadyTraffic.requestsByVerb)}), ${steadyTraffic.leaseWritesTotal} Lease writes, ${steadyTraffic.derivedWritesTotal} other writes`);

      ctx.log(`measuring ${p.podChanges} single-pod changes`);
      const records = await measureChanges(p, { runner, client, view, services, nodes, holders: holdersOf(clients, provider, consumers), log: ctx.log });
      const { peakRssBytes } = await runner.stop();
      runner = undefined;

      const expectedSliceWrites = 1 + consumers.length * METHODS.length;
      const distribution: Record<string, number> = {};
      records.forEach((r) => (distribution[String(r.sliceWrites)] = (distribution[String(r.sliceWrites)] ?? 0) + 1));
      const perSecond = (n: number) => round(n / steadyElapsed, 3);
      return {
        provider,
        consumers,
        pods,
        nodePodCidrs,
        setupSeconds: { synth: synthSeconds, apply: applySeconds, services: servicesSeconds, podsCreated: podsCreatedSeconds, podsReady: podsReadySeconds },
        startup: { readyMs: Math.round(readyAt - spawnedAt), convergedMs: Math.round(convergedAt - spawnedAt), slicesPerCluster, peakRssBytesAtConvergence: peakAtConvergence, traffic: startupTraffic },
        runnerPeakRssBytes: peakRssBytes,
        reference,
        steady: {
          seconds: round(steadyElapsed, 1),
          settleMs,
          status,
          traffic: steadyTraffic,
          requestsPerSecond: perSecond(steadyTraffic.requestsTotal),
          requestsPerSecondByVerb: Object.fromEntries(Object.entries(steadyTraffic.requestsByVerb).map(([v, n]) => [v, perSecond(n)])),
          leaseWritesPerSecond: perSecond(steadyTraffic.leaseWritesTotal),
          stillCorrect,
        },
        changes: { records, expectedSliceWrites, sliceWritesDistribution: distribution, latencyMs: summarize(records.map((r) => r.latencyMs)) },
        targets: {
          converged: true,
          zeroDerivedWritesInSteadyState: steadyTraffic.derivedWritesTotal === 0 && stillCorrect,
          oneSliceWritePerConsumerPerMethod: records.length > 0 && records.every((r) => r.exact),
        },
      };
    } finally {
      await runner?.stop();
      await view?.stop();
      await cleanUp(clients, p, created, ctx.log);
      clients.forEach((c) => c.close());
    }
  },

  format(report) {
    const cpuTable = (ref: ScaleResults['reference']) => {
      const components = [...new Set([...Object.keys(ref.controllerCpuSeconds), ...Object.keys(ref.runnerCpuSeconds)])].filter((c) => (ref.controllerCpuSeconds[c] ?? 0) + (ref.runnerCpuSeconds[c] ?? 0) >= 0.05).sort();
      const total = (r: Readonly<Record<string, number>>) => Object.values(r).reduce((a, b) => a + b, 0);
      const row = (what: string, r: Readonly<Record<string, number>>, slices: number) => [what, ...components.map((c) => round(r[c] ?? 0, 1)), round(total(r), 1), round((total(r) * 1000) / Math.max(1, slices), 1)];
      return markdownTable(['CPU seconds until correct (wall times swing with the machine\'s load; these less)', ...components, 'total', 'CPU ms per slice'], [
        row(`in-cluster controller: ${report.results.provider}'s processes, Service creates included`, ref.controllerCpuSeconds, ref.slices),
        row('cdk8s-mcs sync: the runner and every cluster\'s processes', ref.runnerCpuSeconds, ref.runnerSliceWrites),
      ]);
    };
    const r = report.results;
    const p = report.params;
    const head = `scale: ${p.services} exported headless services x ${p.podsPerService} pods (${r.pods} pods) in ${r.provider}, imported into ${r.consumers.join(', ')} with DNS methods amcs and clusterset; cdk8s-mcs sync as its own process (leader election, least-privilege ServiceAccounts)\n${describeMachine(report.machine)}`;
    const startup = markdownTable(['runner start', 'value'], [
      ['spawn -> /readyz 200', seconds(r.startup.readyMs)],
      ['spawn -> every consumer holds exactly the correct slices', seconds(r.startup.convergedMs)],
      ...(r.steady.status ? [[
        'spawn -> every status written too (the last non-Lease write; status is put off behind the slices while a backlog waits)',
        `${seconds(r.startup.convergedMs + r.steady.settleMs)}: ${r.steady.status.exportsWithReady}/${r.steady.status.exports} ServiceExports Ready, ${r.steady.status.importsWithClusters}/${r.steady.status.imports} ServiceImports list ${r.provider}`,
      ]] : []),
      ['runner peak RSS at convergence', mib(r.startup.peakRssBytesAtConvergence)],
      ['runner peak RSS over the whole run', mib(r.runnerPeakRssBytes)],
      ['derived slices per cluster', Object.entries(r.startup.slicesPerCluster).map(([id, n]) => `${id}: ${n}`).join(', ')],
      ['API requests until convergence', r.startup.traffic.requestsTotal],
      ['writes until convergence (Leases / everything else)', `${r.startup.traffic.leaseWritesTotal} / ${r.startup.traffic.derivedWritesTotal}`],
    ]);
    const ref = r.reference;
    const reference = ref ? markdownTable(['side by side: time to correct slices', 'slices written', 'time to correct', 'ms per slice'], [
      [`in-cluster EndpointSlice controller of ${r.provider}, the ${p.services} Services created over running pods (reference)`, ref.slices, seconds(ref.correctMs), ref.controllerMsPerSlice],
      ['cdk8s-mcs sync, from spawn (every cluster, both DNS methods)', ref.runnerSliceWrites, seconds(r.startup.convergedMs), ref.runnerMsPerSlice],
      ['ratio runner / controller per slice (target <= 1.0)', '', '', ref.ratio],
    ]) + `\n\nthe controller's first slice ${seconds(ref.firstSliceMs)} after the first Service create; the creates took ${seconds(ref.createMs)}; ${ref.sliceEvents} slice events` + (ref.runnerCpuSeconds ? `\n\n${cpuTable(ref)}` : '') : '';
    const s = r.steady;
    const verbs = Object.keys(s.traffic.requestsByVerb).sort();
    const steady = markdownTable(['steady state', 'requests', 'per second'], [
      ...verbs.map((v) => [v, s.traffic.requestsByVerb[v], s.requestsPerSecondByVerb[v]]),
      ['all requests', s.traffic.requestsTotal, s.requestsPerSecond],
      ['writes to Leases (leader election, source liveness)', s.traffic.leaseWritesTotal, s.leaseWritesPerSecond],
      ['writes to derived objects (slices, ServiceImports, Services, status)', s.traffic.derivedWritesTotal, round(s.traffic.derivedWritesTotal / s.seconds, 3)],
    ]);
    const c = r.changes;
    const byType = CYCLE.map((type) => {
      const rs = c.records.filter((x) => x.type === type);
      const writes = summarize(rs.map((x) => x.sliceWrites));
      const states = summarize(rs.map((x) => x.endpointTransitions));
      return [type, rs.length, `${states.p50} / ${states.max}`, `${writes.p50} / ${writes.max}`, `${rs.filter((x) => x.exact).length}/${rs.length}`, rs.reduce((a, x) => a + Object.values(x.otherWrites).reduce((m, n) => m + n, 0), 0), summarize(rs.map((x) => x.latencyMs)).p50];
    });
    const changes = markdownTable(['single-pod change', 'n', 'endpoint states p50 / max', 'slice writes p50 / max', `1 write per state per cluster per method (${c.expectedSliceWrites} per state)`, 'other writes', 'ms to every cluster, p50'], byType);
    const dist = `slice writes per change: ${Object.entries(c.sliceWritesDistribution).map(([n, k]) => `${n} writes: ${k} change(s)`).join('; ')}; per endpoint state the target is ${c.expectedSliceWrites}: one per consumer per DNS method (${r.consumers.length} x 2) plus the provider's own MCS slice (every cluster with the namespace holds the import, KEP-1645 namespace sameness). A delete passes through Terminating, a state the runner publishes (ready false, serving and terminating true) as the in-cluster controller does, so it costs two.`;
    const targets = `targets: correct sync reached: ${r.targets.converged ? 'yes' : 'NO'}; zero writes to derived objects in steady state: ${r.targets.zeroDerivedWritesInSteadyState ? 'met' : 'MISSED'} (${s.traffic.derivedWritesTotal} in ${s.seconds} s; Lease renewals are writes by design: ${s.traffic.leaseWritesTotal}); exactly one slice write per consumer per DNS method per pod state: ${r.targets.oneSliceWritePerConsumerPerMethod ? 'met' : 'MISSED'} (${c.records.filter((x) => x.exact).length}/${c.records.length} changes)`;
    const setup = `setup (not measured against targets): synth ${r.setupSeconds.synth} s, apply ${r.setupSeconds.apply} s, pods created ${r.setupSeconds.podsCreated} s, then Ready ${r.setupSeconds.podsReady} s, then Services (and the controller's slices) ${r.setupSeconds.services} s; node pod ranges ${r.nodePodCidrs.join(', ')}`;
    return `${head}\n\n${startup}\n\n${reference}\n\n${steady}\n\n${changes}\n\n${dist}\n\n${targets}\n\n${setup}\n`;
  },
};
