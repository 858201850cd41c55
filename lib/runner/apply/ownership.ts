/**
 * How `cdk8s-mcs apply` marks what it owns: a field manager for server-side apply, and two labels
 * on every applied object. Prune deletes only objects that carry both labels with our values.
 */
import { createHash } from 'node:crypto';
import { KubeObject } from '../../kube/types';
import { ManifestObject } from '../../fleet/apply-order';

/** Field manager of every server-side apply made by `cdk8s-mcs apply`. */
export const APPLY_FIELD_MANAGER = 'cdk8s-mcs-apply';
/** Says which tool applied the object; its value is always APPLY_FIELD_MANAGER. */
export const LABEL_APPLIED_BY = 'mcs.cdk8s.io/applied-by';
/** Names the inventory (fleet and cluster) that owns the object, see inventoryId(). */
export const LABEL_INVENTORY = 'mcs.cdk8s.io/inventory';

const LABEL_VALUE_MAX = 63;

/**
 * `reference.cluster-1`: the value of LABEL_INVENTORY for a fleet's objects in one cluster.
 * Longer than a label value may be, it keeps a readable prefix and ends in a hash of the whole.
 */
export function inventoryId(fleetName: string, clusterId: string): string {
  const full = `${fleetName}.${clusterId}`;
  if (full.length <= LABEL_VALUE_MAX) {
    return full;
  }
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 10);
  return `${full.slice(0, LABEL_VALUE_MAX - hash.length - 1).replace(/[^A-Za-z0-9]+$/, '')}-${hash}`;
}

/** The object with our two ownership labels added (everything else untouched). */
export function withOwnershipLabels<T extends ManifestObject>(obj: T, inventory: string): T {
  const metadata = obj.metadata as ManifestObject['metadata'] & { labels?: Record<string, string> };
  const labels = { ...(metadata.labels ?? {}), [LABEL_APPLIED_BY]: APPLY_FIELD_MANAGER, [LABEL_INVENTORY]: inventory };
  return { ...obj, metadata: { ...metadata, labels } };
}

export type Ownership = { readonly owned: true } | { readonly owned: false; readonly reason: string };

/** Whether a live object carries our marker for this inventory; if not, why not (for the report). */
export function ownershipOf(live: KubeObject, inventory: string): Ownership {
  const labels = live.metadata.labels ?? {};
  if (labels[LABEL_APPLIED_BY] !== APPLY_FIELD_MANAGER) {
    return { owned: false, reason: `it lacks the label ${LABEL_APPLIED_BY}=${APPLY_FIELD_MANAGER} (not applied by cdk8s-mcs apply, or taken over)` };
  }
  const holder = labels[LABEL_INVENTORY];
  if (holder !== inventory) {
    return { owned: false, reason: `its label ${LABEL_INVENTORY} is ${holder === undefined ? 'missing' : `"${holder}"`}, expected "${inventory}" (another fleet or cluster owns it now)` };
  }
  return { owned: true };
}
