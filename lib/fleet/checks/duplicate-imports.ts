import { FleetModel, ImportSpec, Problem, serviceKey } from '../model';
import { DnsMethod } from '../names';

const METHOD_NAMES: Record<DnsMethod, string> = { [DnsMethod.AMCS]: 'DnsMethod.AMCS', [DnsMethod.CLUSTERSET]: 'DnsMethod.CLUSTERSET' };

/**
 * One import of a service per consumer cluster: two would emit its ServiceImport (and amcs-
 * Service) twice. The fix names the one HeadlessImport that keeps every DNS form and port both asked for.
 */
export function checkDuplicateImports(model: FleetModel): Problem[] {
  const first = new Map<string, ImportSpec>();
  const problems: Problem[] = [];
  for (const imp of model.imports) {
    for (const consumer of new Set(imp.consumerIds)) {
      const id = `${serviceKey(imp)} ${consumer}`;
      const earlier = first.get(id);
      if (!earlier) {
        first.set(id, imp);
      } else if (earlier !== imp) {
        problems.push({ path: imp.path, message: duplicateMessage(earlier, imp, consumer) });
      }
    }
  }
  return problems;
}

function duplicateMessage(earlier: ImportSpec, imp: ImportSpec, consumer: string): string {
  const methods = Object.values(DnsMethod).filter((m) => earlier.methods.includes(m) || imp.methods.includes(m));
  const ports = earlier.ports && imp.ports ? [...new Map([...earlier.ports, ...imp.ports].map((p) => [`${p.port}/${p.protocol}`, p])).values()] : undefined;
  const portsText = ports ? ` and ports [${ports.map((p) => `{ name: '${p.name}', port: ${p.port} }`).join(', ')}]` : '';
  const shared = sameList(earlier.consumerIds, imp.consumerIds) ? '' : ` for cluster "${consumer}" (one HeadlessImport per set of consumers that share DNS methods)`;
  return `HeadlessImport of "${serviceKey(imp)}" into "${consumer}" (dnsMethods [${imp.methods.map((m) => METHOD_NAMES[m]).join(', ')}]) duplicates [${earlier.path}] (dnsMethods [${earlier.methods.map((m) => METHOD_NAMES[m]).join(', ')}]): ` +
    `one cluster can import a service once (its ServiceImport would be emitted twice). ` +
    `Fix: combine them into one HeadlessImport with dnsMethods [${methods.map((m) => METHOD_NAMES[m]).join(', ')}]${portsText}${shared}`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return [...new Set(a)].sort().join(',') === [...new Set(b)].sort().join(',');
}
