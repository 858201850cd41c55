/** Prometheus metrics in text exposition format, without a client library. */

type Labels = Record<string, string>;

const labelText = (labels: Labels) => {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}` : '';
};

/** Values keyed by their label set, rendered as one Prometheus metric family. */
abstract class LabelledValues {
  protected readonly values = new Map<string, { labels: Labels; value: number }>();
  protected abstract readonly type: 'counter' | 'gauge';

  public constructor(public readonly name: string, public readonly help: string) {}

  public get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }

  public total(): number {
    return [...this.values.values()].reduce((a, e) => a + e.value, 0);
  }

  public render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const e of this.values.values()) {
      lines.push(`${this.name}${labelText(e.labels)} ${e.value}`);
    }
    return lines.join('\n');
  }
}

export class Counter extends LabelledValues {
  protected readonly type = 'counter';

  public inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }
}

export class Gauge extends LabelledValues {
  protected readonly type = 'gauge';

  public set(labels: Labels, value: number): void {
    this.values.set(labelText(labels), { labels, value });
  }
}

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  private readonly samples: number[] = [];

  public constructor(public readonly name: string, public readonly help: string, private readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }

  public observe(value: number): void {
    this.buckets.forEach((b, i) => {
      if (value <= b) {
        this.counts[i]++;
      }
    });
    this.sum += value;
    this.count++;
    if (this.samples.length < 100_000) {
      this.samples.push(value);
    }
  }

  /** Quantile of the observed values (kept for up to 100k samples), for logs and benchmarks. */
  public quantile(q: number): number {
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
  }

  public render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{le="${b}"} ${this.counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines.join('\n');
  }
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Every metric the sync controller exports. */
export class SyncMetrics {
  /** `cdk8s_mcs_sync_latency_seconds`: Time from an observed change to its key being fully reconciled. */
  public readonly syncLatency = new Histogram('cdk8s_mcs_sync_latency_seconds', 'Time from an observed change to its key being fully reconciled', LATENCY_BUCKETS);
  /** `cdk8s_mcs_reconcile_duration_seconds`: Duration of one reconcile of a service key. */
  public readonly reconcileDuration = new Histogram('cdk8s_mcs_reconcile_duration_seconds', 'Duration of one reconcile of a service key', LATENCY_BUCKETS);
  /** `cdk8s_mcs_writes_total`: Mutating API requests made by the sync, per cluster and resource. */
  public readonly writes = new Counter('cdk8s_mcs_writes_total', 'Mutating API requests made by the sync, per cluster and resource');
  /** `cdk8s_mcs_errors_total`: Reconcile errors, per cluster. */
  public readonly errors = new Counter('cdk8s_mcs_errors_total', 'Reconcile errors, per cluster');
  /** `cdk8s_mcs_reconciles_total`: Reconciles, by result. */
  public readonly reconciles = new Counter('cdk8s_mcs_reconciles_total', 'Reconciles, by result');
  /** `cdk8s_mcs_cluster_reachable`: Whether the cluster answered recently (1) or not (0). */
  public readonly clusterReachable = new Gauge('cdk8s_mcs_cluster_reachable', 'Whether the cluster answered recently (1) or not (0)');
  /** `cdk8s_mcs_source_state`: Liveness of each source cluster: 1 for the current state. */
  public readonly sourceState = new Gauge('cdk8s_mcs_source_state', 'Liveness of each source cluster: 1 for the current state');
  /** `cdk8s_mcs_leader`: Whether this replica is the leader. */
  public readonly leader = new Gauge('cdk8s_mcs_leader', 'Whether this replica is the leader');
  /** `cdk8s_mcs_queue_depth`: Keys waiting to be reconciled. */
  public readonly queueDepth = new Gauge('cdk8s_mcs_queue_depth', 'Keys waiting to be reconciled');
  /** `cdk8s_mcs_api_requests`: API requests made, per cluster, verb and resource. */
  public readonly apiRequests = new Gauge('cdk8s_mcs_api_requests', 'API requests made, per cluster, verb and resource');
  /** `cdk8s_mcs_informer_lists`: Lists per informer, by reason: initial, gone (watch expired, 410), error. */
  public readonly relists = new Gauge('cdk8s_mcs_informer_lists', 'Lists per informer, by reason: initial, gone (watch expired, 410), error');

  public render(): string {
    return [this.syncLatency, this.reconcileDuration, this.writes, this.errors, this.reconciles, this.clusterReachable, this.sourceState, this.leader, this.queueDepth, this.apiRequests, this.relists]
      .map((m) => m.render())
      .join('\n') + '\n';
  }
}
