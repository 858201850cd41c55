/** Identity of an object across versions of its API: group, kind, namespace and name. */
import { ManifestObject } from '../../fleet/apply-order';

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  /** Absent for cluster-scoped objects. */
  readonly namespace?: string;
  readonly name: string;
}

/** `apps` from `apps/v1`, `` from `v1`. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function refOf(obj: Pick<ManifestObject, 'apiVersion' | 'kind' | 'metadata'>): ObjectRef {
  const { namespace, name } = obj.metadata;
  return namespace ? { apiVersion: obj.apiVersion, kind: obj.kind, namespace, name } : { apiVersion: obj.apiVersion, kind: obj.kind, name };
}

/**
 * `apps/StatefulSet/provider-ns/mysql`: the version is left out on purpose, so that an object
 * keeps its identity when dist moves it from `v1beta1` to `v1`.
 */
export function refKey(ref: ObjectRef): string {
  return `${groupOf(ref.apiVersion)}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** `StatefulSet provider-ns/mysql`, `Namespace provider-ns`. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** Apply-order sort key for refs that have no manifest any more (prune): by kind, namespace, name. */
export function compareRefs(a: ObjectRef, b: ObjectRef): number {
  const ka = refKey(a);
  const kb = refKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
