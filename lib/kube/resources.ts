/** The API resources the runner touches, and their REST paths. */

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

export const PODS: ResourceType = { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };
export const SERVICES: ResourceType = { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true };
export const NAMESPACES: ResourceType = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
export const ENDPOINT_SLICES: ResourceType = { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true };
export const SERVICE_EXPORTS: ResourceType = { group: 'multicluster.x-k8s.io', version: 'v1alpha1', kind: 'ServiceExport', plural: 'serviceexports', namespaced: true };
export const SERVICE_IMPORTS: ResourceType = { group: 'multicluster.x-k8s.io', version: 'v1alpha1', kind: 'ServiceImport', plural: 'serviceimports', namespaced: true };
export const LEASES: ResourceType = { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true };
export const CONFIG_MAPS: ResourceType = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };
export const CRDS: ResourceType = { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false };

export function apiVersionOf(rt: ResourceType): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

/** `/api/v1/namespaces/ns/pods/name/status` and friends; omit `namespace` to address all namespaces. */
export function resourcePath(rt: ResourceType, o: { namespace?: string; name?: string; subresource?: string } = {}): string {
  const base = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  const ns = rt.namespaced && o.namespace ? `/namespaces/${encodeURIComponent(o.namespace)}` : '';
  const name = o.name ? `/${encodeURIComponent(o.name)}` : '';
  const sub = o.name && o.subresource ? `/${o.subresource}` : '';
  return `${base}${ns}/${rt.plural}${name}${sub}`;
}
