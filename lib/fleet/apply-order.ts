/**
 * The order in which a cluster's objects must be applied, shared by the compiler (file names in
 * `dist/<cluster>/`) and the runner's `apply` (which applies files in name order).
 */

/** A Kubernetes object as it appears in a manifest. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly annotations?: Record<string, string> };
  readonly [key: string]: unknown;
}

/** Set on an object to move it to a later phase than its kind implies (e.g. the CoreDNS ConfigMap). */
export const ANNOTATION_APPLY_PHASE = 'mcs.cdk8s.io/apply-phase';

/**
 * Apply phases, in order. CRDs must be established before their instances; namespaces before
 * namespaced objects; RBAC before what needs it; the CoreDNS change only after the CRDs and RBAC
 * it depends on (CoreDNS stops answering if it cannot list ServiceImports).
 */
export enum ApplyPhase {
  CRDS = 0,
  NAMESPACES = 1,
  CLUSTER = 2,
  CONFIG = 3,
  SERVICES = 4,
  WORKLOADS = 5,
  MULTICLUSTER = 6,
  DNS = 7,
}

const PHASE_BY_KIND: Record<string, ApplyPhase> = {
  CustomResourceDefinition: ApplyPhase.CRDS,
  Namespace: ApplyPhase.NAMESPACES,
  ClusterProperty: ApplyPhase.CLUSTER,
  ClusterRole: ApplyPhase.CLUSTER,
  ClusterRoleBinding: ApplyPhase.CLUSTER,
  Role: ApplyPhase.CLUSTER,
  RoleBinding: ApplyPhase.CLUSTER,
  ServiceAccount: ApplyPhase.CLUSTER,
  StorageClass: ApplyPhase.CLUSTER,
  ConfigMap: ApplyPhase.CONFIG,
  Secret: ApplyPhase.CONFIG,
  Service: ApplyPhase.SERVICES,
  StatefulSet: ApplyPhase.WORKLOADS,
  Deployment: ApplyPhase.WORKLOADS,
  Pod: ApplyPhase.WORKLOADS,
  ServiceExport: ApplyPhase.MULTICLUSTER,
  ServiceImport: ApplyPhase.MULTICLUSTER,
};

export function applyPhase(obj: ManifestObject): ApplyPhase {
  const explicit = obj.metadata.annotations?.[ANNOTATION_APPLY_PHASE];
  if (explicit !== undefined && explicit in ApplyPhase) {
    return ApplyPhase[explicit as keyof typeof ApplyPhase];
  }
  return PHASE_BY_KIND[obj.kind] ?? ApplyPhase.WORKLOADS;
}

/** `06-serviceexport.provider-ns.mysql.yaml`: phase first so that a plain name sort is an apply order. */
export function manifestFileName(obj: ManifestObject): string {
  const phase = String(applyPhase(obj)).padStart(2, '0');
  const parts = [obj.kind.toLowerCase(), obj.metadata.namespace, obj.metadata.name].filter((p) => p !== undefined);
  return `${phase}-${parts.join('.')}.yaml`;
}

/** Objects sorted into apply order (phase, then kind, namespace, name): deterministic. */
export function sortForApply<T extends ManifestObject>(objects: readonly T[]): T[] {
  return [...objects].sort((a, b) => compare(manifestFileName(a), manifestFileName(b)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `StatefulSet provider-ns/mysql` */
export function describeObject(obj: ManifestObject): string {
  return `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
}
