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
  return [...byKey.values()].flatMap((exports) => exports.slice(1).flatMap((later) => compare(exports[0], later)));
}

function compare(first: ExportSpec, later: ExportSpec): Problem[] {
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
  const conflicts = later.ports.filter((p) => first.ports.some((q) => portsClash(p, q)));
  if (conflicts.length > 0) {
    problems.push({
      path: later.path,
      message:
        `PortConflict: "${serviceKey(later)}" is exported with ports ${later.ports.map(describePort).join(', ')} by ${where(later)} ` +
        `but with ${first.ports.map(describePort).join(', ')} by ${where(first)}. Fix: give the same port name the same number and protocol everywhere`,
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
