/** Counts API requests by verb and resource, and keeps their latencies, for metrics and tests. */

export const MUTATING_VERBS: ReadonlySet<string> = new Set(['create', 'apply', 'update', 'patch', 'delete']);

export class RequestCounter {
  private readonly counts = new Map<string, number>();
  private readonly durations: number[] = [];

  public record(verb: string, resource: string, durationMs: number): void {
    const key = `${verb} ${resource}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (verb !== 'watch') {
      this.durations.push(durationMs);
    }
  }

  /** Counts keyed by `"<verb> <resource>"`, e.g. `"apply endpointslices"`. */
  public snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort());
  }

  /** Mutating requests, optionally only for some resources. */
  public writes(resources?: readonly string[]): number {
    let total = 0;
    for (const [key, n] of this.counts) {
      const [verb, resource] = key.split(' ');
      if (MUTATING_VERBS.has(verb) && (!resources || resources.includes(resource))) {
        total += n;
      }
    }
    return total;
  }

  public total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
}
