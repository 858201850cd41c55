/**
 * The endpoint sync controller: watches every cluster, and for each exported service key
 * (`namespace/name`) reconciles, from scratch and idempotently, what every consumer must hold.
 * Events only decide which keys to look at; a reconcile that finds nothing to change writes nothing.
 */
import * as os from 'node:os';
import { MANAGER, SYNC_FIELD_MANAGER } from '../../fleet/names';
import { KubeClient } from '../../kube/client';
import { messageOf } from '../../kube/errors';
import { createLogger, Logger } from '../observe/log';
import { SyncMetrics } from '../observe/metrics';
import { ClusterEvent, ClusterState } from './cluster-state';
import { Clock, systemClock } from './clock';
import { allServiceKeys, keysForEvent } from './event-keys';
import { ALWAYS_WRITE, isNotLeader, leaderFence, WriteFence } from './fence';
import { LeaderElector, StoppedLeadingReason } from './leader';
import { Liveness } from './liveness';
import { LivenessMonitor } from './liveness-monitor';
import { WorkQueue } from './queue';
import { runWorker } from './worker';
import { Reconciler } from './reconciler';
import { ClusterWarnings } from './cluster-warnings';
import { WriteLog } from './write-log';
import { LeaderElectionConfig, OnceReport, SyncControllerOptions } from './controller-options';

export type { LeaderElectionConfig, OnceReport, SyncControllerOptions };

export class SyncController {
  /** The controller's Prometheus metrics. */
  public readonly metrics: SyncMetrics;
  /** Observed state per cluster, keyed by cluster ID. */
  public readonly clusters = new Map<string, ClusterState>();
  private readonly queue = new WorkQueue();
  private readonly log: Logger;
  private readonly fieldManager: string;
  private readonly liveness: Liveness;
  private readonly reconciler: Reconciler;
  private readonly monitor: LivenessMonitor;
  private readonly writeLog: WriteLog;
  private readonly elector?: LeaderElector;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly clusterWarnings: ClusterWarnings;
  private workersDone: Promise<void>[] = [];
  private initialSyncDone = false;
  private stopped = false;
  private leaderWaiters: (() => void)[] = [];
  private readonly clock: Clock;
  /** Every write batch passes it: only the leader writes, and its in-flight writes abort when it stops leading. */
  private readonly fence: WriteFence;

  public constructor(private readonly o: SyncControllerOptions) {
    this.log = o.log ?? createLogger();
    this.clock = o.clock ?? systemClock();
    this.metrics = o.metrics ?? new SyncMetrics();
    this.fieldManager = o.fieldManager ?? SYNC_FIELD_MANAGER;
    const runnerNamespace = o.runnerNamespace ?? 'cdk8s-mcs-system';
    const identity = o.identity ?? `${os.hostname()}-${process.pid}`;
    for (const [id, client] of o.clients) {
      this.clusters.set(id, new ClusterState(client, {
        runnerNamespace,
        watchTimeoutSeconds: o.watchTimeoutSeconds,
        onEvent: (e) => this.onEvent(e),
        onError: (cluster, why) => this.onWatchError(cluster, why),
        onHandlerError: (e, where) => this.log.error('event handler failed; the watch goes on', { where, error: messageOf(e) }),
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
      clock: this.clock,
    });
    this.monitor = new LivenessMonitor({
      clusters: this.clusters,
      liveness: this.liveness,
      metrics: this.metrics,
      log: this.log,
      warn: (clusterId, msg, fields) => this.clusterWarnings.warn(clusterId, msg, fields),
      probeIntervalMs: probe,
      isLeader: () => this.isLeader(),
      onStateChange: () => this.allKeys().forEach((k) => this.queue.add(k)),
    });
    this.fence = o.leaderElection ? leaderFence(() => this.elector) : ALWAYS_WRITE;
    this.writeLog = new WriteLog({ log: this.log });
    this.clusterWarnings = new ClusterWarnings({ log: this.log });
    this.reconciler = new Reconciler({ clusters: this.clusters, liveness: this.liveness, metrics: this.metrics, fieldManager: this.fieldManager, expiredEndpoints: o.expiredEndpoints, fence: this.fence });
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
        clock: this.clock,
        onStartedLeading: () => this.onStartedLeading(),
        onStoppedLeading: (reason, detail) => this.onStoppedLeading(reason, detail),
        log: (m) => this.log.warn(m),
      });
    }
  }

  /** Starts watching and reconciling; resolves once informers are started (not synced). */
  public start(): void {
    this.clusters.forEach((c) => c.start());
    this.metrics.leader.set({}, this.isLeader() ? 1 : 0);
    this.elector?.start();
    this.timers.push(setInterval(() => void this.monitor.probe(), this.o.probeIntervalMs ?? 2_000));
    this.timers.push(setInterval(() => {
      void this.monitor.tick();
      this.writeLog.flush();
      this.clusterWarnings.tick((id) => this.liveness.isReachable(id, Date.now()));
    }, 1_000));
    void this.monitor.probe();
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
    await this.monitor.probe();
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
    const reconciled = this.metrics.writes.total();
    errors.push(...(await this.monitor.renewLeases()));
    await Promise.all([...this.clusters.values()].map((c) => c.stop()));
    this.clusters.forEach((c) => c.client.close());
    return { keys: keys.length, writes: reconciled - before, leaseRenewals: this.metrics.writes.total() - reconciled, errors };
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
    this.metrics.queueDepth.set({}, this.queue.length + this.queue.waitingLow);
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

  /** Every service key any cluster knows about: exports, imports, derived slices. */
  public allKeys(): string[] {
    return allServiceKeys(this.clusters.values());
  }

  /** Reconciles one `namespace/name` across the fleet; throws if any cluster could not be brought up to date. */
  public reconcile(key: string): Promise<number> {
    return this.reconciler.reconcile(key);
  }

  private onEvent(e: ClusterEvent): void {
    for (const key of keysForEvent(e, this.clusters)) {
      this.queue.add(key);
    }
    this.metrics.queueDepth.set({}, this.queue.length + this.queue.waitingLow);
  }

  /** Informer failures: logged when the cluster was fine, then held back until it works again (backoff retries of every informer would repeat them). */
  private onWatchError(clusterId: string, explanation: string): void {
    this.clusterWarnings.warn(clusterId, 'watch failed; retrying with backoff', { error: explanation });
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

  private workerCount(): number {
    return this.o.workers ?? 4;
  }

  private startWorkers(): void {
    const n = this.workerCount();
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

  private worker(onInitialDone: () => void): Promise<void> {
    return runWorker({
      queue: this.queue,
      isStopped: () => this.stopped,
      isLeader: () => this.isLeader(),
      waitForLeadership: () => this.waitForLeadership(),
      process: async (key) => {
        const statusPass = this.queue.isLowPriority(key);
        await this.process(key);
        if (!statusPass) {
          onInitialDone(); // the initial sync counts every key's first pass, not its put-off status writes
        }
      },
    });
  }

  private async process(key: string): Promise<void> {
    try {
      // While a backlog of keys waits (start-up, a new leadership term, a cluster back after an
      // outage), every key's slices go out before any status: the status writes of a key are put
      // off to the queue's low-priority lane, and written once no key waits. One change at a time
      // (no backlog) writes its status at once, as before.
      const deferStatus = !this.queue.isLowPriority(key) && this.queue.waiting >= this.workerCount();
      const { writes, tally, statusDeferred } = await this.reconciler.reconcileWithWrites(key, { deferStatus });
      if (statusDeferred) {
        this.queue.addLow(key);
      }
      this.queue.forget(key);
      this.metrics.reconciles.inc({ result: 'success' });
      this.writeLog.report(key, tally);
      if (writes > 0) {
        this.log.debug('reconciled', { key, writes });
      }
    } catch (e) {
      if (isNotLeader(e) || !this.isLeader()) {
        // Fenced: this replica stopped leading during the reconcile; the next term reconciles every key again.
        this.log.debug('reconcile stopped: not the leader', { key, error: messageOf(e) });
        return;
      }
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

  private onStoppedLeading(reason: StoppedLeadingReason, detail: string): void {
    this.metrics.leader.set({}, 0);
    if (reason === 'released') {
      this.log.info('released leadership: the lease is free for a standby', { why: detail });
    } else {
      this.log.warn('lost leadership: stopped writing (in-flight writes aborted) until it is regained', { why: detail });
    }
  }

  private onStartedLeading(): void {
    this.metrics.leader.set({}, 1);
    this.log.info('became leader');
    this.allKeys().forEach((k) => this.queue.add(k));
    this.leaderWaiters.splice(0).forEach((w) => w());
  }
}
