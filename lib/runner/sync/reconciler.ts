/**
 * One reconcile of one service key (`namespace/name`) across the fleet: resolve what the providers
 * export, plan every consumer from scratch, write only what differs, then keep the exports'
 * conditions true. Idempotent: run twice, the second run writes nothing.
 */
import { messageOf } from '../../kube/errors';
import { SyncMetrics } from '../observe/metrics';
import { ClusterState } from './cluster-state';
import { sameConditions } from './conditions';
import { ConsumerView, planConsumer } from './consumer-plan';
import { ExportResolution, ProviderView, resolveExports } from './exports';
import { WriteFence } from './fence';
import { Liveness, SourceState } from './liveness';
import { readyCondition } from './ready';
import { applyClusterSetService, executeConsumerPlan, writeExportConditions, WriteContext } from './writer';
import { tallyWrite, WriteTally } from './write-log';

export interface ReconcilerOptions {
  readonly clusters: ReadonlyMap<string, ClusterState>;
  readonly liveness: Liveness;
  readonly metrics: SyncMetrics;
  readonly fieldManager: string;
  readonly expiredEndpoints?: 'remove' | 'not-ready';
  /** Asked before every write batch (leader election). @default - always write */
  readonly fence?: WriteFence;
}

export class Reconciler {
  public constructor(private readonly o: ReconcilerOptions) {}

  /** Reconciles one `namespace/name`; throws if any cluster could not be brought up to date. Returns the writes made. */
  public async reconcile(key: string): Promise<number> {
    return (await this.reconcileWithWrites(key)).writes;
  }

  /**
   * The same, also returning what was written where (for the info log). With `deferStatus`, the
   * status writes (ServiceImport and ServiceExport conditions) are left out and `statusDeferred`
   * says whether any was due: the caller reconciles the key again later to write them.
   */
  public async reconcileWithWrites(key: string, o: { deferStatus?: boolean } = {}): Promise<{ writes: number; tally: WriteTally; statusDeferred: boolean }> {
    const started = Date.now();
    const tally: WriteTally = new Map();
    const [namespace, service] = splitKey(key);
    const states = new Map([...this.o.clusters.keys()].map((id) => [id, this.o.liveness.stateOf(id, started)]));
    const resolution = resolveExports(this.providerViews(key, states), { expiredEndpoints: this.o.expiredEndpoints });
    const preserved = new Set([...states].filter(([, s]) => s === 'unknown').map(([id]) => id));
    const ctx: WriteContext = {
      fieldManager: this.o.fieldManager,
      now: new Date(started).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      onWrite: (cluster, resource, verb) => {
        this.o.metrics.writes.inc({ cluster, resource, verb });
        tallyWrite(tally, cluster, resource, verb);
      },
      fence: this.o.fence,
    };
    const errors: string[] = [];
    let statusDeferred = false;
    // Consumers are independent: write them all at once, so the last one does not wait for the others' round trips.
    const consumers = [...this.o.clusters.values()].filter((c) => c.hasSynced() && this.o.liveness.isReachable(c.clusterId, started)); // the others are requeued when they come back (a liveness change enqueues every key)
    // The exports' status depends only on the resolution: it goes out alongside the consumers' writes.
    const exportStatus = this.writeExportStatus({ key, resolution, states, ctx, defer: o.deferStatus === true, onDeferred: () => (statusDeferred = true) }, errors);
    const written = await Promise.all(consumers.map(async (consumer) => {
      const planNow = () => {
        const plan = planConsumer({ namespace, service, resolution, preservedSources: preserved, consumer: consumerView(consumer, key, namespace, service), fieldManager: this.o.fieldManager });
        if (plan.serviceImportStatus && o.deferStatus) {
          statusDeferred = true;
          return { ...plan, serviceImportStatus: undefined };
        }
        return plan;
      };
      try {
        const first = planNow();
        if (!first.clusterSetServiceApply) {
          return await executeConsumerPlan(consumer, first, ctx);
        }
        // The import's ips are the ClusterSetIP Service's allocated IPs: write it first, then plan again with it in view.
        await applyClusterSetService(consumer, first.clusterSetServiceApply, ctx);
        ctx.onWrite?.(consumer.clusterId, 'services', 'apply');
        return 1 + (await executeConsumerPlan(consumer, planNow(), ctx));
      } catch (e) {
        errors.push(messageOf(e));
        this.o.metrics.errors.inc({ cluster: consumer.clusterId });
        return 0;
      }
    }));
    const writes = written.reduce((a, b) => a + b, 0);
    await exportStatus;
    this.o.metrics.reconcileDuration.observe((Date.now() - started) / 1000);
    if (errors.length > 0) {
      throw new Error(errors.join('; '));
    }
    return { writes, tally, statusDeferred };
  }

  private providerViews(key: string, states: ReadonlyMap<string, SourceState>): ProviderView[] {
    const views: ProviderView[] = [];
    for (const c of this.o.clusters.values()) {
      const state = states.get(c.clusterId)!;
      if (state === 'unknown') {
        continue; // neither exporting nor not exporting: its slices are preserved as they are
      }
      const service = c.services.get(key);
      views.push({
        clusterId: c.clusterId,
        serviceExport: c.serviceExports.get(key),
        service,
        pods: c.candidatePods(service),
        alive: state !== 'expired',
      });
    }
    return views;
  }

  private async writeExportStatus(o: { key: string; resolution: ExportResolution; states: ReadonlyMap<string, SourceState>; ctx: WriteContext; defer: boolean; onDeferred: () => void }, errors: string[]): Promise<void> {
    for (const [clusterId, conditions] of o.resolution.exportConditions) {
      const provider = this.o.clusters.get(clusterId)!;
      const se = provider.serviceExports.get(o.key);
      if (!se || o.states.get(clusterId) !== 'fresh') {
        continue;
      }
      const desired = [...conditions, readyCondition(clusterId, o.resolution, se)];
      if (sameConditions(se.status?.conditions, desired)) {
        continue;
      }
      if (o.defer) {
        o.onDeferred();
        continue;
      }
      try {
        await writeExportConditions(provider, se, desired, o.ctx);
      } catch (e) {
        errors.push(messageOf(e));
        this.o.metrics.errors.inc({ cluster: clusterId });
      }
    }
  }
}

function consumerView(c: ClusterState, key: string, namespace: string, service: string): ConsumerView {
  return {
    clusterId: c.clusterId,
    namespaceExists: c.namespaceIsLive(namespace), // a Terminating namespace refuses new objects: treated as gone
    serviceImport: c.serviceImports.get(key),
    hasAmcsService: c.amcsServiceFor(namespace, service) !== undefined,
    derivedSlices: c.derivedSlicesFor(namespace, service),
    clusterSetService: c.clusterSetServiceFor(namespace, service),
  };
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
