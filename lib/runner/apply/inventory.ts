/**
 * The inventory: what `apply` applied to one cluster for one fleet, kept in the cluster itself as
 * a ConfigMap `kube-system/cdk8s-mcs-inventory-<fleet>` (kube-system always exists and is never
 * pruned), so that `--prune` can delete exactly what an earlier apply created and dist dropped.
 */
import { KubeObject } from '../../kube/types';
import { compareRefs, ObjectRef, refKey } from './object-ref';
import { APPLY_FIELD_MANAGER, LABEL_APPLIED_BY, LABEL_INVENTORY } from './ownership';

export const INVENTORY_NAMESPACE = 'kube-system';
const INVENTORY_PREFIX = 'cdk8s-mcs-inventory-';
const FORMAT = 'cdk8s-mcs-inventory/v1';

export interface Inventory {
  readonly fleet: string;
  readonly clusterId: string;
  readonly objects: readonly ObjectRef[];
}

export function inventoryName(fleetName: string): string {
  return `${INVENTORY_PREFIX}${fleetName}`;
}

/** The inventory ConfigMap: one object per line in `data.objects`, sorted, so a diff of it reads well. */
export function inventoryConfigMap(inv: Inventory, inventoryLabel: string): KubeObject {
  const lines = sortedUnique(inv.objects).map((r) => JSON.stringify(r.namespace ? { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name } : { apiVersion: r.apiVersion, kind: r.kind, name: r.name }));
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: inventoryName(inv.fleet),
      namespace: INVENTORY_NAMESPACE,
      labels: { [LABEL_APPLIED_BY]: APPLY_FIELD_MANAGER, [LABEL_INVENTORY]: inventoryLabel },
    },
    data: { format: FORMAT, fleet: inv.fleet, cluster: inv.clusterId, objects: lines.length ? `${lines.join('\n')}\n` : '' },
  };
}

/** Reads an inventory ConfigMap; errors name the ConfigMap, the line and what was expected. */
export function parseInventory(cm: KubeObject): Inventory {
  const where = `ConfigMap ${cm.metadata.namespace}/${cm.metadata.name}`;
  const data = (cm.data ?? {}) as Record<string, string>;
  if (data.format !== FORMAT) {
    throw new Error(`${where}: data.format is ${JSON.stringify(data.format)}, expected "${FORMAT}" (written by another tool or a newer cdk8s-mcs?)`);
  }
  const objects = (data.objects ?? '').split('\n').filter((l) => l.trim()).map((line, i) => parseLine(line, `${where}: data.objects line ${i + 1}`));
  return { fleet: data.fleet ?? '', clusterId: data.cluster ?? '', objects };
}

function parseLine(line: string, where: string): ObjectRef {
  let r: Partial<ObjectRef>;
  try {
    r = JSON.parse(line) as Partial<ObjectRef>;
  } catch {
    throw new Error(`${where}: not JSON: ${line.slice(0, 120)}`);
  }
  if (typeof r.apiVersion !== 'string' || typeof r.kind !== 'string' || typeof r.name !== 'string') {
    throw new Error(`${where}: expected {"apiVersion","kind","namespace"?,"name"}, got ${line.slice(0, 120)}`);
  }
  return r.namespace ? { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name } : { apiVersion: r.apiVersion, kind: r.kind, name: r.name };
}

/** Refs by identity (refKey); a later ref wins, so a new apiVersion replaces an old one. */
export function unionRefs(...lists: (readonly ObjectRef[])[]): ObjectRef[] {
  const byKey = new Map<string, ObjectRef>();
  for (const ref of lists.flat()) {
    byKey.set(refKey(ref), ref);
  }
  return [...byKey.values()].sort(compareRefs);
}

/** Same members, same apiVersions: then the stored inventory needs no write. */
export function sameRefs(a: readonly ObjectRef[], b: readonly ObjectRef[]): boolean {
  const line = (r: ObjectRef) => `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}`;
  const sa = sortedUnique(a).map(line);
  const sb = sortedUnique(b).map(line);
  return sa.length === sb.length && sa.every((l, i) => l === sb[i]);
}

function sortedUnique(refs: readonly ObjectRef[]): ObjectRef[] {
  return unionRefs(refs);
}
