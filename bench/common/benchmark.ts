/** The shape every benchmark has, so `npm run bench -- <name>` and the smoke tests drive them alike. */
import { BenchReport } from './results';

export type Params = Record<string, number | string | boolean>;

/** What a benchmark may ask of the bed beyond its clusters (see testbed/lifecycle.ts UpOptions). */
export interface BedOptions {
  /** Prefix length of each fake node's pod range (default 24: 253 pod IPs per node). */
  readonly nodePodCidrPrefix?: number;
}

export interface BenchContext {
  /** Progress lines (stderr in the CLI). */
  log(line: string): void;
  /** An empty directory for this run's files (dist folders, kubeconfigs, logs). */
  readonly workDir: string;
}

export interface Benchmark<P extends Params, R> {
  readonly name: string;
  readonly summary: string;
  /** Every parameter with its default; `--<name> <value>` overrides one. */
  readonly defaults: P;
  /** Cluster IDs of the test bed it needs; undefined when it needs none. */
  bedClusters?(params: P): string[];
  /** Options for the bed the CLI starts for it (e.g. bigger node pod ranges); the defaults when absent. */
  bedOptions?(params: P): BedOptions;
  run(ctx: BenchContext, params: P): Promise<R>;
  /** Markdown tables of a report (what BENCHMARKS.md quotes). */
  format(report: BenchReport<P, R>): string;
}

/** Applies `--key value` overrides to the defaults, keeping each parameter's type. */
export function parseParams<P extends Params>(defaults: P, argv: readonly string[]): P {
  const out: Params = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!flag.startsWith('--')) {
      throw new Error(`unexpected argument "${flag}"; parameters are --<name> <value> (${Object.keys(defaults).join(', ')})`);
    }
    const [key, inline] = flag.slice(2).split('=', 2);
    if (!(key in defaults)) {
      throw new Error(`unknown parameter --${key}; known: ${Object.entries(defaults).map(([k, v]) => `--${k} (default ${v})`).join(', ')}`);
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) {
      throw new Error(`--${key} needs a value`);
    }
    const kind = typeof defaults[key];
    if (kind === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) {
        throw new Error(`--${key} must be a number, got "${raw}"`);
      }
      out[key] = n;
    } else if (kind === 'boolean') {
      if (raw !== 'true' && raw !== 'false') {
        throw new Error(`--${key} must be true or false, got "${raw}"`);
      }
      out[key] = raw === 'true';
    } else {
      out[key] = raw;
    }
  }
  return out as P;
}
