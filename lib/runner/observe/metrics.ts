/**
 * Every metric the sync controller exports, through prom-client: it formats the Prometheus text
 * exposition (escaping, types, histogram buckets) and supplies the standard process and Node.js
 * metrics, so what an operator scrapes is what every other Node.js exporter serves.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { CounterMetric, GaugeMetric, HistogramMetric, MirroredCounter } from './metric-types';

export { CounterMetric, GaugeMetric, HistogramMetric, MirroredCounter } from './metric-types';
export type { Labels } from './metric-types';

/** Seconds; from 5 ms (one reconcile on a quiet machine) to 30 s (a relist of a large cluster). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface SyncMetricsOptions {
  /**
   * Also export prom-client's default process and Node.js metrics (`process_cpu_seconds_total`,
   * `process_resident_memory_bytes`, `nodejs_heap_size_used_bytes`, event loop lag, GC, ...).
   * They describe the whole process, so only the process's own runner turns them on.
   * @default false
   */
  readonly processMetrics?: boolean;
}

/** Every metric the sync controller exports, in a registry of its own. */
export class SyncMetrics {
  /** The prom-client registry holding this controller's metrics (one per controller, never the global one). */
  public readonly registry = new Registry();
  /** `cdk8s_mcs_sync_latency_seconds`: Time from an observed change to its key being fully reconciled. */
  public readonly syncLatency = new HistogramMetric({ registry: this.registry, name: 'cdk8s_mcs_sync_latency_seconds', help: 'Time from an observed change to its key being fully reconciled', buckets: LATENCY_BUCKETS });
  /** `cdk8s_mcs_reconcile_duration_seconds`: Duration of one reconcile of a service key. */
  public readonly reconcileDuration = new HistogramMetric({ registry: this.registry, name: 'cdk8s_mcs_reconcile_duration_seconds', help: 'Duration of one reconcile of a service key', buckets: LATENCY_BUCKETS });
  /** `cdk8s_mcs_writes_total`: Mutating API requests made by the sync, per cluster, resource and verb. */
  public readonly writes = new CounterMetric({ registry: this.registry, name: 'cdk8s_mcs_writes_total', help: 'Mutating API requests made by the sync, per cluster, resource and verb', labelNames: ['cluster', 'resource', 'verb'] });
  /** `cdk8s_mcs_errors_total`: Reconcile errors, per cluster. */
  public readonly errors = new CounterMetric({ registry: this.registry, name: 'cdk8s_mcs_errors_total', help: 'Reconcile errors, per cluster', labelNames: ['cluster'] });
  /** `cdk8s_mcs_reconciles_total`: Reconciles, by result (success, error). */
  public readonly reconciles = new CounterMetric({ registry: this.registry, name: 'cdk8s_mcs_reconciles_total', help: 'Reconciles, by result (success, error)', labelNames: ['result'] });
  /** `cdk8s_mcs_cluster_reachable`: Whether the cluster answered recently (1) or not (0). */
  public readonly clusterReachable = new GaugeMetric({ registry: this.registry, name: 'cdk8s_mcs_cluster_reachable', help: 'Whether the cluster answered recently (1) or not (0)', labelNames: ['cluster'] });
  /** `cdk8s_mcs_source_state`: Liveness of each source cluster: 1 for the current state, 0 for the others it had. */
  public readonly sourceState = new GaugeMetric({ registry: this.registry, name: 'cdk8s_mcs_source_state', help: 'Liveness of each source cluster: 1 for the current state, 0 for the others it had', labelNames: ['cluster', 'state'] });
  /** `cdk8s_mcs_leader`: Whether this replica is the leader (1) or a standby (0). */
  public readonly leader = new GaugeMetric({ registry: this.registry, name: 'cdk8s_mcs_leader', help: 'Whether this replica is the leader (1) or a standby (0)' });
  /** `cdk8s_mcs_queue_depth`: Keys waiting to be reconciled. */
  public readonly queueDepth = new GaugeMetric({ registry: this.registry, name: 'cdk8s_mcs_queue_depth', help: 'Keys waiting to be reconciled' });
  /** `cdk8s_mcs_api_requests_total`: API requests made by the runner's clients, per cluster, verb and resource (reads included). */
  public readonly apiRequests = new MirroredCounter({ registry: this.registry, name: 'cdk8s_mcs_api_requests_total', help: 'API requests made by the runner\'s clients, per cluster, verb and resource (reads included)', labelNames: ['cluster', 'verb', 'resource'] });
  /** `cdk8s_mcs_informer_lists_total`: Lists per informer, by reason: initial, gone (watch expired, 410), error. */
  public readonly relists = new MirroredCounter({ registry: this.registry, name: 'cdk8s_mcs_informer_lists_total', help: 'Lists per informer, by reason: initial, gone (watch expired, 410), error', labelNames: ['cluster', 'resource', 'reason'] });

  private lastScrape = '';

  public constructor(o: SyncMetricsOptions = {}) {
    if (o.processMetrics) {
      collectDefaultMetrics({ register: this.registry });
    }
  }

  /** The `Content-Type` of `scrape()`'s text (Prometheus text format 0.0.4). */
  public get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric, as `/metrics` serves it. */
  public async scrape(): Promise<string> {
    this.lastScrape = await this.registry.metrics();
    return this.lastScrape;
  }

  /**
   * The text of the most recent `scrape()` ('' before the first).
   * @deprecated prom-client renders asynchronously; call `scrape()`. Kept so that
   * `SyncController.renderMetrics()` keeps its synchronous signature until it moves to `scrape()`.
   */
  public render(): string {
    return this.lastScrape;
  }
}
