/**
 * The endpoint sync controller: watches every cluster, and for each exported service key
 * (`namespace/name`) reconciles, from scratch and idempotently, what every consumer must hold.
 * Events only decide which keys to look at; a reconcile that finds nothing to change writes nothing.
 */
import * as os from 'node:os';
import { MANAGER } from '../../fleet/names';
import { KubeClient } from '../../kube/client';
import { messageOf } from '../../kube/errors';
import { KubeObject, objectKey, Pod } from '../../kube/types';
import { createLogger, Logger } from '../observe/log';
import { SyncMetrics } from '../observe/metrics';
import { ClusterEvent, ClusterState, sliceServiceKey } from './cluster-state';
import { sameConditions } from './conditions';
import { planConsumer } from './consumer-plan';
import { selectorMatches } from './endpoints';
import { ProviderView, resolveExports } from './exports';
import { LeaderElector } from './leader';
import { Liveness, SourceState } from './liveness';
import { WorkQueue } from './queue';
import { readyCondition } from './ready';
import { executeConsumerPlan, writeExportConditions, WriteContext } from './writer';

export interface LeaderElectionConfig {
  /** Cluster holding the leader Lease. */
  readonly clusterId: string;
  /** How long a Lease holds without renewal before a standby takes over. @default 15000 */
  readonly leaseDurationMs?: number;
  /** How long the leader keeps writing without a successful renewal. @default 10000 */
  readonly renewDeadlineMs?: number;
  /** How often a replica tries to acquire or renew the Lease. @default 2000 */
  readonly retryPeriodMs?: number;
}

export interface SyncControllerOptions {
  /** One client per fleet cluster, keyed by cluster ID. */
  readonly clients: ReadonlyMap<string, KubeClient>;
  /** @default 'cdk8s-mcs-sync' */
  readonly fieldManager?: string;
  /** Namespace of the runner's Leases in every cluster. @default 'cdk8s-mcs-system' */
  readonly runnerNamespace?: string;
  /** @default - `<hostname>-<pid>` */
  readonly identity?: string;
  /** How long a source cluster may be unreachable before its endpoints expire. @default 60000 */
  readonly endpointTtlMs?: number;
  /** @default 'remove' */
  readonly expiredEndpoints?: 'remove' | 'not-ready';
  /** Concurrent reconciles. @default 4 */
  readonly workers?: number;
  /** Server-side timeout of each watch, after which it is re-opened from the last resourceVersion. @default 300 */
  readonly watchTimeoutSeconds?: number;
  /** How often each API server is probed. @default 2000 */
  readonly probeIntervalMs?: number;
  /** @default - no leader election: this replica always writes */
  readonly leaderElection?: LeaderElectionConfig;
  /** Structured log sink. @default - a logger at level info on stderr */
  readonly log?: Logger;
  /** Prometheus metrics to update. @default - a fresh registry */
  readonly metrics?: SyncMetrics;
}

export interface OnceReport {
  /** Service keys reconciled. */
  readonly keys: number;
  /** Mutating requests made. */
  readonly writes: number;
  /** What could not be reconciled, one message each. */
  readonly errors: readonly string[];
}

export class SyncController {
  /** The controller's Prometheus metrics. */
  public readonly metrics: SyncMetrics;
  /** Observed state per cluster, keyed by cluster ID. */
  public readonly clusters = new Map<string, ClusterState>();
  private readonly queue = new WorkQueue();
  private readonly log: Logger;
  private readonly fieldManager: string;
  private readonly liveness: Liveness;
  private readonly elector?: LeaderElector;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly lastStates = new Map<string, SourceState>();
  private readonly lastWatchError = new Map<string, string>();
  private workersDone: Promise<void>[] = [];
  private initialSyncDone = false;
  private stopped = false;
  private leaderWaiters: (() => void)[] = [];

  public constructor(private readonly o: SyncControllerOptions) {
    this.log = o.log ?? createLogger();
    this.metrics = o.metrics ?? new SyncMetrics();
    this.fieldManager = o.fieldManager ?? `${MANAGER}-sync`;
    const runnerNamespace = o.runnerNamespace ?? 'cdk8s-mcs-system';
    const identity = o.identity ?? `${os.hostname()}-${process.pid}`;
    for (const [id, client] of o.clients) {
      this.clusters.set(id, new ClusterState(client, {
        runnerNamespace,
        watchTimeoutSeconds: o.watchTimeoutSeconds,
        onEvent: (e) => this.onEvent(e),
        onError: (cluster, why) => this.onWatchError(cluster, why),
      }));
    }
    const ttl = o.endpointTtlMs ?? 60_000;
    const probe = o.probeIntervalMs ?? 2_000;
    this.liveness = new Liveness(this.clusters, {
      ttlMs: ttl,
      renewIntervalMs: Math.max(1_000, Math.floor(ttl / 3)),
      reachableWindowMs: probe * 3,
      runnerNamespace,
      identity,
      fieldManager: this.fieldManager,
      startedAt: Date.now(),
    });
    if (o.leaderElection) {
      const le = o.leaderElection;
      this.elector = new LeaderElector({
        client: this.clientOf(le.clusterId),
        namespace: runnerNamespace,
        name: `${MANAGER}-sync`,
        identity,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
        onStartedLeading: () => this.onStartedLeading(),
        onStoppedLeading: () => {
          this.metrics.leader.set({}, 0);
          this.log.warn('lost leadership: not writing until it is regained');
        },
        log: (m) => this.log.warn(m),
      });
    }
  }

  /** Starts watching and reconciling; resolves once informers are started (not synced). */
  public start(): void {
    this.clusters.forEach((c) => c.start());
    this.metrics.leader.set({}, this.isLeader() ? 1 : 0);
    this.elector?.start();
    this.timers.push(setInterval(() => void this.probe(), this.o.probeIntervalMs ?? 2_000));
    this.timers.push(setInterval(() => void this.checkLiveness(), 1_000));
    void this.probe();
    void this.waitForInitialSync().then(() => this.startWorkers());
  }

  public async stop(): Promise<void> {
    this.stopped = true;
    this.timers.forEach((t) => clearInterval(t));
    this.queue.shutDown();
    this.leaderWaiters.splice(0).forEach((w) => w());
    await Promise.all(this.workersDone);
    await this.elector?.stop();
    await Promise.all([...this.clusters.values()].map((c) => c.stop()));
    this.clusters.forEach((c) => c.client.close());
  }

  /** One full pass: sync every cluster, reconcile every key once, renew due leases. */
  public async runOnce(syncTimeoutMs = 30_000): Promise<OnceReport> {
    this.clusters.forEach((c) => c.start());
    await this.probe();
    const unsynced = await this.waitForSync(syncTimeoutMs);
    const errors = unsynced.map((id) => this.clusters.get(id)!.problems().join('; ') || `cluster "${id}": could not list its objects within ${syncTimeoutMs} ms`);
    const before = this.metrics.writes.total();
    const keys = this.allKeys();
    for (const key of keys) {
      try {
        await this.reconcile(key);
      } catch (e) {
        errors.push(`${key}: ${messageOf(e)}`);
      }
    }
    errors.push(...(await this.renewLeases()));
    await Promise.all([...this.clusters.values()].map((c) => c.stop()));
    this.clusters.forEach((c) => c.client.close());
    return { keys: keys.length, writes: this.metrics.writes.total() - before, errors };
  }

  /** Prometheus text: the controller's metrics plus API request and relist counts read from the clients and informers. */
  public renderMetrics(): string {
    for (const c of this.clusters.values()) {
      for (const [key, n] of Object.entries(c.client.counter.snapshot())) {
        const [verb, resource] = key.split(' ');
        this.metrics.apiRequests.set({ cluster: c.clusterId, verb, resource }, n);
      }
      for (const informer of c.allInformers()) {
        for (const [reason, n] of Object.entries(informer.relists)) {
          this.metrics.relists.set({ cluster: c.clusterId, resource: informer.resourceName, reason }, n);
        }
      }
    }
    this.metrics.queueDepth.set({}, this.queue.length);
    return this.metrics.render();
  }

  /** Ready once every cluster has synced and every key was reconciled once. */
  public readiness(): { ready: boolean; reasons: string[] } {
    const reasons = [...this.clusters.values()].filter((c) => !c.hasSynced()).map((c) => `cluster "${c.clusterId}" not synced: ${c.problems().join('; ') || 'listing'}`);
    if (!this.initialSyncDone) {
      reasons.push('initial reconcile of every service not finished');
    }
    return { ready: reasons.length === 0, reasons };
  }

  public isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : true;
  }

  /** Every service key any cluster knows about: exports, imports, amcs Services, derived slices. */
  public allKeys(): string[] {
    const keys = new Set<string>();
    for (const c of this.clusters.values()) {
      c.serviceExports.list().forEach((o) => keys.add(objectKey(o)));
      c.serviceImports.list().forEach((o) => keys.add(objectKey(o)));
      c.slices.list().forEach((o) => keys.add(sliceServiceKey(o)));
    }
    return [...keys].sort();
  }

  /** Reconciles one `namespace/name` across the fleet; throws if any cluster could not be brought up to date. */
  public async reconcile(key: string): Promise<number> {
    const started = Date.now();
    const [namespace, service] = splitKey(key);
    const states = new Map([...this.clusters.keys()].map((id) => [id, this.liveness.stateOf(id, started)]));
    const resolution = resolveExports(this.providerViews(key, namespace, states), { expiredEndpoints: this.o.expiredEndpoints });
    const preserved = new Set([...states].filter(([, s]) => s === 'unknown').map(([id]) => id));
    const ctx: WriteContext = { fieldManager: this.fieldManager, now: new Date(started).toISOString().replace(/\.\d{3}Z$/, 'Z'), onWrite: (cluster, resource, verb) => this.metrics.writes.inc({ cluster, resource, verb }) };
    const errors: string[] = [];
    let writes = 0;
    for (const consumer of this.clusters.values()) {
      if (!consumer.hasSynced() || !this.liveness.isReachable(consumer.clusterId, started)) {
        continue; // requeued when it comes back (liveness change)
      }
      const plan = planConsumer({ namespace, service, resolution, preservedSources: preserved, consumer: this.consumerView(consumer, key, namespace, service) });
      try {
        writes += await executeConsumerPlan(consumer, plan, ctx);
      } catch (e) {
        errors.push(messageOf(e));
        this.metrics.errors.inc({ cluster: consumer.clusterId });
      }
    }
    await this.writeExportStatus(key, resolution, states, ctx, errors);
    this.metrics.reconcileDuration.observe((Date.now() - started) / 1000);
    if (errors.length > 0) {
      throw new Error(errors.join('; '));
    }
    return writes;
  }

  private providerViews(key: string, namespace: string, states: ReadonlyMap<string, SourceState>): ProviderView[] {
    const views: ProviderView[] = [];
    for (const c of this.clusters.values()) {
      const state = states.get(c.clusterId)!;
      if (state === 'unknown') {
        continue;
      }
      views.push({
        clusterId: c.clusterId,
        serviceExport: c.serviceExports.get(key),
        service: c.services.get(key),
        pods: c.pods.byIndex('namespace', namespace),
        alive: state !== 'expired',
      });
    }
    return views;
  }

  private consumerView(c: ClusterState, key: string, namespace: string, service: string) {
    return {
      clusterId: c.clusterId,
      namespaceExists: c.namespaces.get(namespace) !== undefined,
      serviceImport: c.serviceImports.get(key),
      hasAmcsService: c.amcsServiceFor(namespace, service) !== undefined,
      derivedSlices: c.derivedSlicesFor(namespace, service),
    };
  }

  private async writeExportStatus(key: string, resolution: ReturnType<typeof resolveExports>, states: ReadonlyMap<string, SourceState>, ctx: WriteContext, errors: string[]): Promise<void> {
    for (const [clusterId, conditions] of resolution.exportConditions) {
      const provider = this.clusters.get(clusterId)!;
      const se = provider.serviceExports.get(key);
      if (!se || states.get(clusterId) !== 'fresh') {
        continue;
      }
      const desired = [...conditions, readyCondition(clusterId, resolution, se)];
      if (sameConditions(se.status?.conditions, desired)) {
        continue;
      }
      try {
        await writeExportConditions(provider, se, desired, ctx);
      } catch (e) {
        errors.push(messageOf(e));
        this.metrics.errors.inc({ cluster: clusterId });
      }
    }
  }

  private onEvent(e: ClusterEvent): void {
    for (const key of this.keysFor(e)) {
      this.queue.add(key);
    }
    this.metrics.queueDepth.set({}, this.queue.length);
  }

  /** Logs each distinct informer failure once until it changes (backoff retries would repeat it). */
  private onWatchError(clusterId: string, explanation: string): void {
    if (this.lastWatchError.get(clusterId) !== explanation) {
      this.lastWatchError.set(clusterId, explanation);
      this.log.warn('watch failed; retrying with backoff', { cluster: clusterId, error: explanation });
    }
  }

  private keysFor(e: ClusterEvent): string[] {
    const obj = e.obj;
    switch (e.kind) {
      case 'pod':
        return this.keysForPod(e.clusterId, obj as Pod, e.old as Pod | undefined);
      case 'service': {
        const importOf = obj.metadata.labels?.['mcs.cdk8s.io/import-of'];
        return [objectKey(obj), ...(importOf ? [`${obj.metadata.namespace}/${importOf}`] : [])];
      }
      case 'serviceExport':
      case 'serviceImport':
        return [objectKey(obj)];
      case 'slice':
        return [sliceServiceKey(obj)];
      case 'namespace':
        return this.allKeys().filter((k) => k.startsWith(`${obj.metadata.name}/`));
      default:
        return [];
    }
  }

  private keysForPod(clusterId: string, pod: Pod, old?: Pod): string[] {
    const c = this.clusters.get(clusterId)!;
    const keys: string[] = [];
    for (const se of c.serviceExports.byIndex('namespace', pod.metadata.namespace ?? '')) {
      const selector = c.services.get(objectKey(se))?.spec?.selector;
      if (selectorMatches(selector, pod.metadata.labels) || (old && selectorMatches(selector, old.metadata.labels))) {
        keys.push(objectKey(se));
      }
    }
    return keys;
  }

  private clientOf(id: string): KubeClient {
    const client = this.o.clients.get(id);
    if (!client) {
      throw new Error(`leader election cluster "${id}" is not in the fleet (clusters: ${[...this.o.clients.keys()].join(', ')})`);
    }
    return client;
  }

  private async waitForSync(timeoutMs: number): Promise<string[]> {
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.all([...this.clusters.values()].map((c) => c.waitForSync())), deadline]);
    return [...this.clusters.values()].filter((c) => !c.hasSynced()).map((c) => c.clusterId);
  }

  private async waitForInitialSync(): Promise<void> {
    const unsynced = await this.waitForSync(30_000);
    if (unsynced.length > 0) {
      this.log.warn('starting without some clusters; their endpoints are kept until they expire', { clusters: unsynced.join(',') });
    }
    this.allKeys().forEach((k) => this.queue.add(k));
  }

  private startWorkers(): void {
    const n = this.o.workers ?? 4;
    let initialRemaining = this.queue.length;
    const onInitialDone = () => {
      if (--initialRemaining <= 0 && !this.initialSyncDone) {
        this.initialSyncDone = true;
        this.log.info('initial sync complete', { keys: this.allKeys().length });
      }
    };
    if (initialRemaining === 0) {
      onInitialDone();
    }
    for (let i = 0; i < n; i++) {
      this.workersDone.push(this.worker(onInitialDone));
    }
  }

  private async worker(onInitialDone: () => void): Promise<void> {
    while (!this.stopped) {
      await this.waitForLeadership();
      const key = await this.queue.get();
      if (key === undefined) {
        return;
      }
      await this.process(key);
      onInitialDone();
    }
  }

  private async process(key: string): Promise<void> {
    try {
      const writes = await this.reconcile(key);
      this.queue.forget(key);
      this.metrics.reconciles.inc({ result: 'success' });
      if (writes > 0) {
        this.log.debug('reconciled', { key, writes });
      }
    } catch (e) {
      const delay = this.queue.addRateLimited(key);
      this.metrics.reconciles.inc({ result: 'error' });
      this.log.warn('reconcile failed; retrying', { key, retryInMs: delay, error: messageOf(e) });
    } finally {
      const added = this.queue.done(key);
      if (added !== undefined) {
        this.metrics.syncLatency.observe((Date.now() - added) / 1000);
      }
    }
  }

  private waitForLeadership(): Promise<void> {
    if (this.isLeader() || this.stopped) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.leaderWaiters.push(resolve));
  }

  private onStartedLeading(): void {
    this.metrics.leader.set({}, 1);
    this.log.info('became leader');
    this.allKeys().forEach((k) => this.queue.add(k));
    this.leaderWaiters.splice(0).forEach((w) => w());
  }

  private async probe(): Promise<void> {
    await Promise.all([...this.clusters.values()].map(async (c) => {
      const ok = await c.client.request({ verb: 'get', method: 'GET', path: '/readyz', timeoutMs: this.o.probeIntervalMs ?? 2_000 }).then(() => true, () => false);
      this.liveness.recordProbe(c.clusterId, ok, Date.now());
      this.metrics.clusterReachable.set({ cluster: c.clusterId }, ok ? 1 : 0);
    }));
  }

  private async checkLiveness(): Promise<void> {
    const now = Date.now();
    for (const id of this.clusters.keys()) {
      const state = this.liveness.stateOf(id, now);
      if (this.lastStates.get(id) !== state) {
        this.log.info('source cluster state', { cluster: id, state, previous: this.lastStates.get(id) ?? 'none' });
        this.lastStates.set(id, state);
        this.allKeys().forEach((k) => this.queue.add(k));
      }
      this.metrics.sourceState.set({ cluster: id, state }, 1);
    }
    this.metrics.leader.set({}, this.isLeader() ? 1 : 0);
    if (this.isLeader()) {
      for (const e of await this.renewLeases()) {
        this.log.warn('liveness lease', { error: e });
      }
    }
  }

  private async renewLeases(): Promise<string[]> {
    const errors: string[] = [];
    const now = Date.now();
    for (const due of this.liveness.leasesDue(now)) {
      try {
        await this.liveness.renew(due.consumer, due.sourceClusterId, now);
        this.metrics.writes.inc({ cluster: due.consumer.clusterId, resource: 'leases', verb: 'apply' });
      } catch (e) {
        errors.push(`cluster "${due.consumer.clusterId}": cannot renew the liveness lease of "${due.sourceClusterId}": ${messageOf(e)}`);
      }
    }
    return errors;
  }
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

export type { KubeObject };
