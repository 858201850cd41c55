import { KubeClient } from '../../kube/client';
import { Logger } from '../observe/log';
import { SyncMetrics } from '../observe/metrics';
import { Clock } from './clock';

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
  /** Field manager of the runner's server-side applies. @default 'cdk8s-mcs-sync' */
  readonly fieldManager?: string;
  /** Namespace of the runner's Leases in every cluster. @default 'cdk8s-mcs-system' */
  readonly runnerNamespace?: string;
  /** This replica's name in the leader Lease and the liveness marks. @default - `<hostname>-<pid>` */
  readonly identity?: string;
  /** How long a source cluster may be unreachable before its endpoints expire. @default 60000 */
  readonly endpointTtlMs?: number;
  /** What happens to the endpoints of a source cluster unreachable for longer than `endpointTtlMs`: withdrawn, or kept and marked not ready. @default 'remove' */
  readonly expiredEndpoints?: 'remove' | 'not-ready';
  /** Concurrent reconciles. @default 4 */
  readonly workers?: number;
  /** Server-side timeout of each watch, after which it is re-opened from the last resourceVersion. @default 300 */
  readonly watchTimeoutSeconds?: number;
  /** How often each API server is probed. @default 2000 */
  readonly probeIntervalMs?: number;
  /** Leader election among replicas: only the holder of the Lease writes. @default - no leader election: this replica always writes */
  readonly leaderElection?: LeaderElectionConfig;
  /** Structured log sink. @default - a logger at level info on stderr */
  readonly log?: Logger;
  /** Prometheus metrics to update. @default - a fresh registry */
  readonly metrics?: SyncMetrics;
  /** Wall and monotonic clocks. @default - the system's (the wall clock skewed only by the test-only CDK8S_MCS_TEST_CLOCK_SKEW_MS) */
  readonly clock?: Clock;
}

export interface OnceReport {
  /** Service keys reconciled. */
  readonly keys: number;
  /** Mutating requests the reconciles made (a converged fleet needs none). */
  readonly writes: number;
  /**
   * Liveness Leases renewed after the reconciles: one per consumer and source whose Lease is older
   * than the renew interval. They are due by the clock, not by any change, so a converged fleet
   * may need them too.
   */
  readonly leaseRenewals: number;
  /** What could not be reconciled, one message each. */
  readonly errors: readonly string[];
}
