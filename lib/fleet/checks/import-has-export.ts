import { exportsOf, FleetModel, Problem, serviceKey } from '../model';

/** Every import names a service that some construct in the fleet exports. */
export function checkImportsHaveExports(model: FleetModel): Problem[] {
  const exported = [...new Set(model.exports.map(serviceKey))];
  return model.imports
    .filter((imp) => exportsOf(model, imp).length === 0)
    .map((imp) => ({
      path: imp.path,
      message:
        `HeadlessImport of "${serviceKey(imp)}" into ${quoteList(imp.consumerIds)}: no construct in the fleet exports ${serviceKey(imp)} ` +
        `(exported: ${exported.length ? exported.join(', ') : 'nothing'}). ` +
        'Fix: export it with a MultiClusterStatefulSet or ExportedService in a provider cluster, or correct serviceName/namespace',
    }));
}

export function quoteList(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}
