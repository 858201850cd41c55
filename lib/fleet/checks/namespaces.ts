import { Problem } from '../model';

/** Namespaces every Kubernetes cluster has from the start. */
export const BUILTIN_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** A rendered object of one cluster, as the namespace rule reads it. */
export interface PlacedObject {
  /** Path of the construct that emitted it. */
  readonly path: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** `metadata.namespace`, if it sets one. */
  readonly namespace?: string;
}

/**
 * Every namespace an object of the cluster is placed in exists when it is applied: the cluster's
 * output creates it (a Namespace object), it is one of Kubernetes' own, or the cluster says it
 * exists already (`existingNamespaces`). Otherwise the first apply to a fresh cluster fails half
 * way, or (GitOps) the engine's sync stays failed. One problem per missing namespace, naming the
 * first object in it. Pure.
 */
export function checkNamespacesExist(clusterId: string, existing: readonly string[], objects: readonly PlacedObject[]): Problem[] {
  const created = new Set(objects.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1').map((o) => o.name));
  const known = new Set([...BUILTIN_NAMESPACES, ...existing, ...created]);
  const missing = new Map<string, PlacedObject[]>();
  for (const o of objects) {
    if (o.namespace !== undefined && !known.has(o.namespace)) {
      missing.set(o.namespace, [...(missing.get(o.namespace) ?? []), o]);
    }
  }
  return [...missing].map(([ns, [first, ...rest]]) => ({
    path: first.path,
    message:
      `cluster "${clusterId}": ${first.kind} "${first.name}"${rest.length > 0 ? ` (and ${rest.length} more object${rest.length === 1 ? '' : 's'})` : ''} is in namespace "${ns}", ` +
      `which nothing in the fleet creates in that cluster: applied to a cluster without it, the object is refused. ` +
      `Fix: create it (cluster.ensureNamespace("${ns}") on cluster "${clusterId}"), or say it exists already (addCluster("${clusterId}", { existingNamespaces: ["${ns}"] }))`,
  }));
}
