import { describePort, exportsOf, FleetModel, ImportSpec, PortSpec, Problem, serviceKey } from '../model';
import { quoteList } from './import-has-export';

/** Imported ports must be exported, with the same name, number and protocol; headless imports need headless exports. */
export function checkImportPorts(model: FleetModel): Problem[] {
  return model.imports.flatMap((imp) => checkOne(model, imp));
}

function checkOne(model: FleetModel, imp: ImportSpec): Problem[] {
  const providers = exportsOf(model, imp);
  if (providers.length === 0) {
    return []; // reported by checkImportsHaveExports
  }
  const problems: Problem[] = [];
  const notHeadless = providers.filter((e) => !e.headless);
  if (notHeadless.length > 0) {
    problems.push({
      path: imp.path,
      message:
        `HeadlessImport of "${serviceKey(imp)}": the export at ${notHeadless.map((e) => e.path).join(', ')} is not headless (clusterIP: None), ` +
        'so per-pod DNS names cannot exist. Fix: export a headless Service',
    });
  }
  const available = providers.flatMap((e) => e.ports.map((p) => ({ port: p, from: e.placements.map((pl) => pl.clusterId) })));
  for (const wanted of imp.ports ?? []) {
    if (!available.some((a) => samePort(a.port, wanted))) {
      const offered = available.map((a) => `${describePort(a.port)} from ${quoteList(a.from)}`).join(', ');
      problems.push({
        path: imp.path,
        message:
          `HeadlessImport of "${serviceKey(imp)}" in ${quoteList(imp.consumerIds)}: port ${describePort(wanted)} is not exported by any provider ` +
          `(exports: ${offered || 'none'}). Fix: import one of the exported ports, or omit ports to import them all`,
      });
    }
  }
  return problems;
}

export function samePort(a: PortSpec, b: PortSpec): boolean {
  return a.name === b.name && a.port === b.port && a.protocol === b.protocol;
}
