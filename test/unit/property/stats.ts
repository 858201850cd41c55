/** Counts of what the property tests generated, for the closing note of issue #7. */
export class FleetStats {
  private fleets = 0;
  private readonly outcomes = new Map<string, number>();
  private readonly injected = new Map<string, number>();
  private readonly errorKinds = new Map<string, number>();
  private fleetsWithFaults = 0;

  public constructor(private readonly title: string) {}

  /** One fleet: what the oracle said, the faults injected into it, and the error kinds it produced. */
  public record(outcome: string, injected: readonly string[], errorKinds: readonly string[]): void {
    this.fleets += 1;
    this.fleetsWithFaults += injected.length > 0 ? 1 : 0;
    bump(this.outcomes, outcome);
    injected.forEach((k) => bump(this.injected, k));
    new Set(errorKinds).forEach((k) => bump(this.errorKinds, k));
  }

  /** How many fleets had this oracle outcome. */
  public count(outcome: string): number {
    return this.outcomes.get(outcome) ?? 0;
  }

  public report(extra: Record<string, string | number> = {}): string {
    const valid = this.outcomes.get('valid') ?? 0;
    return [
      `${this.title}: ${this.fleets} fleets generated, ${valid} valid, ${this.fleets - valid} invalid ` +
        `(${this.outcomes.get('construction error') ?? 0} refused at construction, ${this.outcomes.get('fleet problems') ?? 0} by whole-fleet checks)`,
      ...Object.entries(extra).map(([k, v]) => `  ${k}: ${v}`),
      `  bad inputs tried (${this.fleetsWithFaults} fleets with injected faults; a fault may still leave the fleet valid):`,
      ...table(this.injected),
      '  error kinds reported (fleets showing each):',
      ...table(this.errorKinds),
    ].join('\n');
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function table(map: Map<string, number>): string[] {
  return [...map.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `    ${String(n).padStart(5)}  ${k}`);
}
