import { describePort, ExportSpec, FleetModel, PortSpec, Problem, serviceKey } from '../model';

/**
 * Two exports of one namespaced name must agree on headlessness and ports. KEP-1645 would resolve
 * such a conflict at run time (oldest export wins); the compiler refuses it before it reaches Git.
 */
export function checkExportConflicts(model: FleetModel): Problem[] {
  const byKey = new Map<string, ExportSpec[]>();
  for (const e of model.exports) {
    byKey.set(serviceKey(e), [...(byKey.get(serviceKey(e)) ?? []), e]);
  }
  return [...byKey.values()].flatMap((exports) => exports.slice(1).flatMap((later, i) => compare(exports.slice(0, i + 1), later)));
}

/** `later` against every export declared before it: two later exports can disagree while both agree with the first. */
function compare(earlier: readonly ExportSpec[], later: ExportSpec): Problem[] {
  const first = earlier[0];
  const problems: Problem[] = [];
  const where = (e: ExportSpec) => `${e.kind} at ${e.path} (clusters ${e.placements.map((p) => `"${p.clusterId}"`).join(', ')})`;
  if (first.headless !== later.headless) {
    problems.push({
      path: later.path,
      message:
        `TypeConflict: "${serviceKey(later)}" is exported ${later.headless ? 'headless' : 'with a cluster IP'} by ${where(later)} ` +
        `but ${first.headless ? 'headless' : 'with a cluster IP'} by ${where(first)}. Fix: make both exports headless (or both not)`,
    });
  }
  const other = earlier.find((e) => later.ports.some((p) => e.ports.some((q) => portsClash(p, q))));
  if (other) {
    problems.push({
      path: later.path,
      message:
        `PortConflict: "${serviceKey(later)}" is exported with ports ${later.ports.map(describePort).join(', ')} by ${where(later)} ` +
        `but with ${other.ports.map(describePort).join(', ')} by ${where(other)}. Fix: give the same port name the same number and protocol everywhere`,
    });
  }
  return problems;
}

/** Same name with a different number/protocol, or same number/protocol under another name. */
function portsClash(a: PortSpec, b: PortSpec): boolean {
  const sameName = a.name === b.name;
  const sameNumber = a.port === b.port && a.protocol === b.protocol;
  return sameName !== sameNumber;
}
