/**
 * What prune may delete. It deletes only objects a previous apply of this inventory recorded,
 * that dist no longer has, and that still carry our labels; and never these:
 * - PersistentVolumeClaims: they hold data;
 * - a Namespace that still holds anything we are not pruning (deleting it would delete that too);
 * - a CustomResourceDefinition that still has instances we are not pruning (same reason).
 */
import { KubeObject } from '../../kube/types';
import { groupOf, ObjectRef, refKey, refOf } from './object-ref';

export type PruneGuard = 'namespace-contents' | 'crd-instances';

export const NEVER_PRUNED_PVC = 'PersistentVolumeClaims are never pruned: they hold data (delete it by hand if you mean it)';

/** Why `ref` must never be pruned whatever its labels say, or undefined. */
export function keptFromPrune(ref: ObjectRef): string | undefined {
  return groupOf(ref.apiVersion) === '' && ref.kind === 'PersistentVolumeClaim' ? NEVER_PRUNED_PVC : undefined;
}

/** The live check a prune of `ref` needs first, if any. */
export function pruneGuardOf(ref: ObjectRef): PruneGuard | undefined {
  if (groupOf(ref.apiVersion) === '' && ref.kind === 'Namespace') {
    return 'namespace-contents';
  }
  if (groupOf(ref.apiVersion) === 'apiextensions.k8s.io' && ref.kind === 'CustomResourceDefinition') {
    return 'crd-instances';
  }
  return undefined;
}

/** Objects every namespace gets from the cluster itself; they never make a namespace "in use". */
const CLUSTER_PROVIDED = new Set(['/ServiceAccount/default', '/ConfigMap/kube-root-ca.crt']);

/**
 * The objects in a namespace that forbid deleting it: everything except what we prune anyway,
 * what is already terminating, what an owner reference ties to something else (garbage
 * collected with its owner), Events, the cluster's own per-namespace objects, and the Endpoints
 * of a Service we prune. PersistentVolumeClaims always block, owned or not.
 */
export function namespaceBlockers(contents: readonly KubeObject[], pruning: ReadonlySet<string>): KubeObject[] {
  const isPrunedService = (o: KubeObject) => pruning.has(refKey({ apiVersion: 'v1', kind: 'Service', namespace: o.metadata.namespace, name: o.metadata.name }));
  return contents.filter((o) => {
    const group = groupOf(o.apiVersion);
    if (group === '' && o.kind === 'PersistentVolumeClaim') {
      return true;
    }
    if (pruning.has(refKey(refOf(o))) || o.metadata.deletionTimestamp || (o.metadata.ownerReferences ?? []).length > 0) {
      return false;
    }
    if (o.kind === 'Event' || CLUSTER_PROVIDED.has(`${group}/${o.kind}/${o.metadata.name}`)) {
      return false;
    }
    return !(group === '' && o.kind === 'Endpoints' && isPrunedService(o));
  });
}

/** Instances of a CRD that forbid deleting it: all but those we prune and those already terminating. */
export function crdBlockers(instances: readonly KubeObject[], pruning: ReadonlySet<string>): KubeObject[] {
  return instances.filter((o) => !pruning.has(refKey(refOf(o))) && !o.metadata.deletionTimestamp);
}
