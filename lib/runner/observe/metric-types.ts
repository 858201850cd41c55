/**
 * Thin wrappers over prom-client's metrics. prom-client formats and escapes the exposition, but
 * reads its values only asynchronously; the controller (`sync --once` counts its writes) and
 * in-process tests read counts synchronously, so each wrapper also keeps its own running values.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type Labels = Readonly<Record<string, string>>;

/** One key per label set, independent of the order the labels were given in. */
function keyOf(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

interface MetricDefinition {
  readonly registry: Registry;
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

/** A monotonic count: its name ends in `_total`. */
export class CounterMetric {
  public readonly name: string;
  protected readonly counter: Counter<string>;
  protected readonly values = new Map<string, number>();

  public constructor(d: MetricDefinition) {
    this.name = d.name;
    if (!d.name.endsWith('_total')) {
      throw new Error(`counter "${d.name}" must end in _total (Prometheus naming); rename it to "${d.name}_total"`);
    }
    this.counter = new Counter({ name: d.name, help: d.help, labelNames: d.labelNames ?? [], registers: [d.registry] });
  }

  public inc(labels: Labels = {}, by = 1): void {
    if (by < 0 || !Number.isFinite(by)) {
      throw new Error(`counter ${this.name} cannot change by ${by}: a counter only goes up by a finite amount`);
    }
    this.counter.inc(labels, by);
    const key = keyOf(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  /** The count of one label set (0 if never counted). */
  public get(labels: Labels = {}): number {
    return this.values.get(keyOf(labels)) ?? 0;
  }

  /** The sum over every label set. */
  public total(): number {
    let sum = 0;
    this.values.forEach((v) => (sum += v));
    return sum;
  }
}

/**
 * A counter that mirrors a running total kept elsewhere (a client's request counts, an informer's
 * lists), copied in at scrape time: `set(labels, total)` advances it by the difference.
 */
export class MirroredCounter extends CounterMetric {
  public set(labels: Labels, total: number): void {
    const current = this.get(labels);
    if (total < current) {
      // the source started over; Prometheus reads a drop as a counter reset
      this.counter.remove(labels);
      this.values.delete(keyOf(labels));
      this.inc(labels, total);
    } else if (total > current) {
      this.inc(labels, total - current);
    }
  }
}

/** A value that goes up and down. */
export class GaugeMetric {
  private readonly gauge: Gauge<string>;
  private readonly values = new Map<string, number>();

  public constructor(d: MetricDefinition) {
    this.gauge = new Gauge({ name: d.name, help: d.help, labelNames: d.labelNames ?? [], registers: [d.registry] });
  }

  public set(labels: Labels, value: number): void {
    this.gauge.set(labels, value);
    this.values.set(keyOf(labels), value);
  }

  /** The value of one label set (0 if never set). */
  public get(labels: Labels = {}): number {
    return this.values.get(keyOf(labels)) ?? 0;
  }
}

/** Observations counted into fixed buckets: memory stays bounded by the bucket count. */
export class HistogramMetric {
  private readonly histogram: Histogram<string>;
  private observed = 0;

  public constructor(d: MetricDefinition & { readonly buckets: readonly number[] }) {
    this.histogram = new Histogram({ name: d.name, help: d.help, labelNames: d.labelNames ?? [], buckets: [...d.buckets], registers: [d.registry] });
  }

  public observe(value: number): void {
    this.histogram.observe(value);
    this.observed++;
  }

  /** How many values were observed. */
  public count(): number {
    return this.observed;
  }
}
