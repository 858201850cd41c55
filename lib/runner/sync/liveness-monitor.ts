/**
 * The clock side of liveness: probes every API server, notices when a source cluster changes
 * state (fresh, stale, unknown, expired), and renews the liveness Leases that are due.
 */
import { messageOf } from '../../kube/errors';
import { Logger } from '../observe/log';
import { SyncMetrics } from '../observe/metrics';
import { ClusterState } from './cluster-state';
import { Liveness, SourceState } from './liveness';

export interface LivenessMonitorOptions {
  readonly clusters: ReadonlyMap<string, ClusterState>;
  readonly liveness: Liveness;
  readonly metrics: SyncMetrics;
  readonly log: Logger;
  /** Warnings about one cluster (held back while it stays in trouble). @default - log.warn */
  readonly warn?: (clusterId: string, msg: string, fields: Record<string, unknown>) => void;
  readonly probeIntervalMs: number;
  /** Whether this replica may write (renew leases). */
  readonly isLeader: () => boolean;
  /** Called when any source cluster changes state: every key must be looked at again. */
  readonly onStateChange: () => void;
}

export class LivenessMonitor {
  private readonly lastStates = new Map<string, SourceState>();

  public constructor(private readonly o: LivenessMonitorOptions) {}

  /** Asks every API server's /readyz once. */
  public async probe(): Promise<void> {
    await Promise.all([...this.o.clusters.values()].map(async (c) => {
      const ok = await c.client.request({ verb: 'get', method: 'GET', path: '/readyz', timeoutMs: this.o.probeIntervalMs }).then(() => true, () => false);
      this.o.liveness.recordProbe(c.clusterId, ok, Date.now());
      this.o.metrics.clusterReachable.set({ cluster: c.clusterId }, ok ? 1 : 0);
    }));
  }

  /** Notices state changes and, as leader, renews the leases that are due. */
  public async tick(): Promise<void> {
    const now = Date.now();
    let changed = false;
    for (const id of this.o.clusters.keys()) {
      changed = this.observe(id, this.o.liveness.stateOf(id, now)) || changed;
    }
    if (changed) {
      this.o.onStateChange();
    }
    this.o.metrics.leader.set({}, this.o.isLeader() ? 1 : 0);
    if (this.o.isLeader()) {
      for (const e of await this.renewDue()) {
        (this.o.warn ?? ((_, msg, fields) => this.o.log.warn(msg, fields)))(e.clusterId, 'liveness lease', { error: e.error });
      }
    }
  }

  /** Renews every lease that is due; returns what failed. */
  public async renewLeases(): Promise<string[]> {
    return (await this.renewDue()).map((e) => e.error);
  }

  private async renewDue(): Promise<{ clusterId: string; error: string }[]> {
    const errors: { clusterId: string; error: string }[] = [];
    const now = Date.now();
    for (const due of this.o.liveness.leasesDue(now)) {
      if (!this.o.isLeader()) {
        break; // leadership ended meanwhile: the next leader renews them
      }
      try {
        await this.o.liveness.renew(due.consumer, due.sourceClusterId, now);
        this.o.metrics.writes.inc({ cluster: due.consumer.clusterId, resource: 'leases', verb: 'apply' });
      } catch (e) {
        errors.push({ clusterId: due.consumer.clusterId, error: `cluster "${due.consumer.clusterId}": cannot renew the liveness lease of "${due.sourceClusterId}": ${messageOf(e)}` });
      }
    }
    return errors;
  }

  private observe(id: string, state: SourceState): boolean {
    const previous = this.lastStates.get(id);
    this.o.metrics.sourceState.set({ cluster: id, state }, 1);
    if (previous === state) {
      return false;
    }
    this.o.log.info('source cluster state', { cluster: id, state, previous: previous ?? 'none' });
    this.lastStates.set(id, state);
    if (previous) {
      this.o.metrics.sourceState.set({ cluster: id, state: previous }, 0);
    }
    return true;
  }
}
