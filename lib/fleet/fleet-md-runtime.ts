/**
 * fleet.md's "What the runner writes" section: the objects no folder of dist holds because the
 * runner derives them from live state, per exported service and cluster. It spells out namespace
 * sameness (KEP-1645): every cluster where the service's namespace exists is a consumer, so the
 * providers get a ServiceImport and MCS EndpointSlices too, not only the clusters that import it.
 */
import { FleetModel, serviceKey } from './model';
import { amcsServiceName, derivedSliceName, DnsMethod } from './names';

export function runnerWritesSection(model: FleetModel): string[] {
  const consumersByKey = consumerMethods(model);
  const clusterIds = [...new Set(model.clusters.map((c) => c.id))];
  const rows = model.exports.flatMap((exp) => {
    const key = serviceKey(exp);
    const providers = new Set(exp.placements.map((p) => p.clusterId));
    const consumers = consumersByKey.get(key) ?? new Map<string, Set<DnsMethod>>();
    const slices = (method: DnsMethod) => [...providers].map((p) => `\`${derivedSliceName({ service: exp.name, sourceClusterId: p, method, addressType: 'IPv4', index: 0 })}\``).join(', ');
    return clusterIds.filter((id) => providers.has(id) || consumers.has(id)).map((id) => {
      const c = { id };
      const methods = consumers.get(c.id);
      const role = [providers.has(c.id) ? 'provider' : '', methods ? `imports it (${[...methods].join(', ')})` : 'namespace sameness: the namespace exists here'].filter(Boolean).join('; ');
      const amcs = methods?.has(DnsMethod.AMCS) ? `; for \`${amcsServiceName(exp.name)}\`: ${slices(DnsMethod.AMCS)}` : '';
      const serviceImport = methods ? `\`${key}\` (from dist; the runner writes its status)` : `\`${key}\` (created by the runner)`;
      return `| \`${key}\` | \`${c.id}\` | ${role} | ${serviceImport} | ${slices(DnsMethod.CLUSTERSET)}${amcs} |`;
    });
  });
  if (rows.length === 0) {
    return [];
  }
  return [
    '## What the runner writes',
    '',
    'Derived from live state by `cdk8s-mcs sync`, not in dist. Namespace sameness: a service exported from any cluster is imported into',
    'every cluster where its namespace exists, providers included, so each of them gets a ServiceImport and MCS EndpointSlices',
    '(labels `multicluster.kubernetes.io/service-name` and `multicluster.kubernetes.io/source-cluster`; one slice per source cluster',
    'and per 100 endpoints, `-0` the first). A cluster not listed here gets them too as soon as the namespace is created there.',
    '',
    '| service | in cluster | why | ServiceImport | EndpointSlices |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ];
}

/** Per service key: each consumer cluster and the DNS methods it imports the service by. */
function consumerMethods(model: FleetModel): Map<string, Map<string, Set<DnsMethod>>> {
  const byKey = new Map<string, Map<string, Set<DnsMethod>>>();
  for (const imp of model.imports) {
    const consumers = byKey.get(serviceKey(imp)) ?? new Map<string, Set<DnsMethod>>();
    byKey.set(serviceKey(imp), consumers);
    imp.consumerIds.forEach((id) => imp.methods.forEach((m) => consumers.set(id, (consumers.get(id) ?? new Set()).add(m))));
  }
  return byKey;
}
