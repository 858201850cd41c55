/**
 * Is a provider cluster alive? KEP-1645 recommends a lease per source cluster so endpoints of a
 * lost cluster expire. The runner keeps one Lease per (consumer, source) in each consumer,
 * renewed while it can reach the source; when a source has been unreachable for longer than
 * the TTL, by the runner's own observation or by the lease it left behind before a restart,
 * the source is expired and its endpoints are withdrawn. Short flaps change nothing.
 */
import { LEASES, resourcePath } from '../../kube/resources';
import { Lease } from '../../kube/types';
import { Clock, wallSkewMs } from './clock';
import { ClusterState, LABEL_LIVENESS_OF } from './cluster-state';
import { MANAGER } from '../../fleet/names';

/**
 * - `fresh`: reachable, caches synced: derive from it and vouch for it.
 * - `stale`: unreachable for less than the TTL: keep serving its last known endpoints.
 * - `unknown`: not seen yet by this process, but a lease says it was alive within the TTL: leave its slices alone.
 * - `expired`: unreachable (or unseen) for longer than the TTL: withdraw its endpoints.
 */
export type SourceState = 'fresh' | 'stale' | 'unknown' | 'expired';

export interface LivenessOptions {
  readonly ttlMs: number;
  /** How old a lease may get before it is renewed. */
  readonly renewIntervalMs: number;
  /** A cluster counts as reachable if it answered within this window. */
  readonly reachableWindowMs: number;
  readonly runnerNamespace: string;
  readonly identity: string;
  readonly fieldManager: string;
  readonly startedAt: number;
  /** The wall clock lease timestamps are written with and read against. @default - the process's Date.now() */
  readonly clock?: Clock;
}

export function livenessLeaseName(sourceClusterId: string): string {
  return `cdk8s-mcs-source-${sourceClusterId}`;
}

export class Liveness {
  /** Epoch ms each cluster last answered a probe. */
  private readonly lastProbeOk = new Map<string, number>();

  public constructor(private readonly clusters: ReadonlyMap<string, ClusterState>, private readonly options: LivenessOptions) {}

  public recordProbe(clusterId: string, ok: boolean, at: number): void {
    if (ok) {
      this.lastProbeOk.set(clusterId, at);
    }
  }

  public isReachable(clusterId: string, now: number): boolean {
    const state = this.clusters.get(clusterId)!;
    const last = Math.max(this.lastProbeOk.get(clusterId) ?? 0, state.lastContact());
    return now - last <= this.options.reachableWindowMs;
  }

  public stateOf(clusterId: string, now: number): SourceState {
    const state = this.clusters.get(clusterId)!;
    if (this.isReachable(clusterId, now) && state.hasSynced()) {
      return 'fresh';
    }
    const lastSeen = Math.max(this.lastProbeOk.get(clusterId) ?? 0, state.lastContact(), this.lastLeaseRenewal(clusterId), this.options.startedAt);
    if (now - lastSeen > this.options.ttlMs) {
      return 'expired';
    }
    return state.hasSynced() ? 'stale' : 'unknown';
  }

  /** The newest renewal any consumer's lease records for a source (survives runner restarts). */
  private lastLeaseRenewal(sourceClusterId: string): number {
    let newest = 0;
    for (const consumer of this.clusters.values()) {
      const lease = consumer.leases.get(`${this.options.runnerNamespace}/${livenessLeaseName(sourceClusterId)}`);
      newest = Math.max(newest, this.renewedAt(lease));
    }
    return newest;
  }

  /** Leases to renew now: for every fresh source, in every other reachable consumer, where the lease is older than the renew interval. */
  public leasesDue(now: number): { consumer: ClusterState; sourceClusterId: string }[] {
    const due: { consumer: ClusterState; sourceClusterId: string }[] = [];
    for (const source of this.clusters.keys()) {
      if (this.stateOf(source, now) !== 'fresh') {
        continue;
      }
      for (const consumer of this.clusters.values()) {
        if (consumer.clusterId === source || !this.isReachable(consumer.clusterId, now) || !consumer.leases.hasSynced()) {
          continue;
        }
        const lease = consumer.leases.get(`${this.options.runnerNamespace}/${livenessLeaseName(source)}`);
        if (now - this.renewedAt(lease) >= this.options.renewIntervalMs) {
          due.push({ consumer, sourceClusterId: source });
        }
      }
    }
    return due;
  }

  /** A lease's renewTime in this process's Date.now() terms (it was written with the wall clock, skewed in the clock-skew test). */
  private renewedAt(lease: Lease | undefined): number {
    return lease?.spec?.renewTime ? Date.parse(lease.spec.renewTime) - this.skewMs() : 0;
  }

  private skewMs(): number {
    return this.options.clock ? wallSkewMs(this.options.clock) : 0;
  }

  public async renew(consumer: ClusterState, sourceClusterId: string, now: number): Promise<void> {
    const name = livenessLeaseName(sourceClusterId);
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: this.options.runnerNamespace, labels: { [LABEL_LIVENESS_OF]: sourceClusterId, 'app.kubernetes.io/managed-by': MANAGER } },
      spec: {
        holderIdentity: this.options.identity,
        leaseDurationSeconds: Math.ceil(this.options.ttlMs / 1000),
        renewTime: new Date(now + this.skewMs()).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'),
      },
    };
    const written = await consumer.client.apply<Lease>(resourcePath(LEASES, { namespace: this.options.runnerNamespace, name }), lease, { fieldManager: this.options.fieldManager, force: true });
    consumer.leases.upsertLocal(written);
  }
}
