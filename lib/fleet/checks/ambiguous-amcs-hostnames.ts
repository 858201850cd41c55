import { exportsOf, FleetModel, PlacementSpec, Problem, serviceKey } from '../model';
import { DnsMethod } from '../names';

/**
 * `<pod>.amcs-<svc>` carries no cluster ID: two provider clusters running the same pod ordinal
 * would answer one name with two IPs. Refuse that unless their ordinal ranges are disjoint.
 */
export function checkAmbiguousAmcsHostnames(model: FleetModel): Problem[] {
  const problems: Problem[] = [];
  for (const imp of model.imports.filter((i) => i.methods.includes(DnsMethod.AMCS))) {
    const placements = exportsOf(model, imp)
      .filter((e) => e.podsKnown)
      .flatMap((e) => e.placements.filter((p) => p.replicas > 0));
    const clash = firstOverlap(placements);
    if (clash) {
      problems.push({
        path: imp.path,
        message:
          `DnsMethod.AMCS for "${serviceKey(imp)}": clusters "${clash[0].clusterId}" (ordinals ${range(clash[0])}) and "${clash[1].clusterId}" (ordinals ${range(clash[1])}) ` +
          'run pods with the same names, so <pod>.amcs-<svc> would return both. Fix: give each provider a disjoint ordinalStart, or import with DnsMethod.CLUSTERSET only',
      });
    }
  }
  return problems;
}

function firstOverlap(placements: PlacementSpec[]): [PlacementSpec, PlacementSpec] | undefined {
  for (let i = 0; i < placements.length; i++) {
    const other = placements.slice(i + 1).find((p) => overlaps(placements[i], p));
    if (other) {
      return [placements[i], other];
    }
  }
  return undefined;
}

function overlaps(a: PlacementSpec, b: PlacementSpec): boolean {
  return a.ordinalStart < b.ordinalStart + b.replicas && b.ordinalStart < a.ordinalStart + a.replicas;
}

function range(p: PlacementSpec): string {
  return `${p.ordinalStart}..${p.ordinalStart + p.replicas - 1}`;
}
