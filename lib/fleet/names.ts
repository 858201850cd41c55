/**
 * Every name, label and DNS form that cdk8s-mcs derives, computed in one place.
 *
 * The compiler (constructs) and the runner (sync) both import these functions, so they can never
 * disagree on a string such as `amcs-<svc>` or a slice name. Pure and dependency-free.
 */

/** Our identity: the EndpointSlice `managed-by` value, the server-side-apply field manager prefix. */
export const MANAGER = 'cdk8s-mcs';
/** The runner's server-side-apply field manager (slices, ServiceImports it owns, export and import status). */
export const SYNC_FIELD_MANAGER = `${MANAGER}-sync`;

/** KEP-1645: the multi-cluster service an EndpointSlice belongs to (the ServiceImport name). */
export const LABEL_MCS_SERVICE_NAME = 'multicluster.kubernetes.io/service-name';
/** KEP-1645: the cluster ID the endpoints of an EndpointSlice come from. */
export const LABEL_SOURCE_CLUSTER = 'multicluster.kubernetes.io/source-cluster';
/** discovery/v1: who manages an EndpointSlice; never `endpointslice-controller.k8s.io` for ours. */
export const LABEL_ENDPOINTSLICE_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
/** discovery/v1: the core Service an EndpointSlice belongs to (what cluster DNS indexes by). */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** Set by the EndpointSlice controller on headless slices; kube-proxy ignores slices carrying it. */
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
/** The well-known value the in-cluster EndpointSlice controller uses for `managed-by`. */
export const DEFAULT_ENDPOINTSLICE_MANAGER = 'endpointslice-controller.k8s.io';

/** Our own label prefix. */
export const LABEL_PREFIX = 'mcs.cdk8s.io';
/** On an `amcs-<svc>` Service: the name of the imported service it mirrors. */
export const LABEL_IMPORT_OF = `${LABEL_PREFIX}/import-of`;
/** On objects the runner derives (slices, ServiceImports it had to create): what produced them. */
export const LABEL_DERIVED_BY = `${LABEL_PREFIX}/derived-by`;
/** On EndpointSlices the runner derives: which DNS method the slice serves (`clusterset` or `amcs`). */
export const LABEL_DNS_METHOD = `${LABEL_PREFIX}/dns-method`;
/** Standard recommended labels. */
export const LABEL_APP_NAME = 'app.kubernetes.io/name';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_APP_MANAGED_BY = 'app.kubernetes.io/managed-by';

/** KEP-2149 ClusterProperty holding this cluster's ID. */
export const CLUSTER_ID_PROPERTY = 'cluster.clusterset.k8s.io';
/** KEP-2149 ClusterProperty holding the ClusterSet this cluster belongs to. */
export const CLUSTERSET_PROPERTY = 'clusterset.k8s.io';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
/** KEP-1645: the clusterset zone "must be clusterset.local". */
export const CLUSTERSET_ZONE = 'clusterset.local';
/** Prefix of the consumer-side selector-less headless Service (the cluster.local DNS method). */
export const AMCS_PREFIX = 'amcs-';
/** KEP-1645 / discovery/v1 guidance: endpoints per EndpointSlice. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** An RFC-1123 DNS label: lowercase alphanumerics and '-', at most 63 characters. */
export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

/** An RFC-1035 label (what Service names must be): like a DNS label but starting with a letter. */
export function isDns1035Label(value: string): boolean {
  return value.length <= 63 && DNS_1035_LABEL.test(value);
}

/** An RFC-1123 DNS subdomain: dot-separated DNS labels, at most 253 characters. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && value.split('.').every((label) => DNS_LABEL.test(label));
}

/** Why a fully qualified DNS name is unusable, or `undefined` when it is fine. */
export function dnsNameProblem(fqdn: string): string | undefined {
  if (fqdn.length > 253) {
    return `"${fqdn}" is ${fqdn.length} characters long (the limit is 253)`;
  }
  const long = fqdn.split('.').find((label) => label.length > 63);
  return long ? `label "${long}" of "${fqdn}" is ${long.length} characters long (the limit is 63)` : undefined;
}

/** The consumer-side Service that carries remote pods under cluster.local: `amcs-<svc>`. */
export function amcsServiceName(serviceName: string): string {
  return `${AMCS_PREFIX}${serviceName}`;
}

/** The service an `amcs-` Service name mirrors, or `undefined` when the name is not one. */
export function serviceOfAmcsName(name: string): string | undefined {
  return name.startsWith(AMCS_PREFIX) && name.length > AMCS_PREFIX.length ? name.slice(AMCS_PREFIX.length) : undefined;
}

/** Prefix of the consumer-side ClusterIP Service whose IPs are a ClusterSetIP import's `spec.ips`. */
export const CLUSTERSET_IP_PREFIX = 'clusterset-';

/**
 * The selector-less ClusterIP Service the runner derives in every consumer for a ClusterSetIP
 * import: `clusterset-<svc>`; names over 63 characters keep a prefix of the service name and end
 * in a hash of the whole name, so two services never share one.
 */
export function clustersetIpServiceName(serviceName: string): string {
  const name = `${CLUSTERSET_IP_PREFIX}${serviceName}`;
  if (name.length <= 63) {
    return name;
  }
  const hash = fnv1a32(serviceName).toString(16).padStart(8, '0');
  return `${name.slice(0, 63 - hash.length - 1)}-${hash}`;
}

/** 32-bit FNV-1a of a string's UTF-16 code units: a stable, dependency-free name suffix. */
function fnv1a32(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** StatefulSet pod name for an ordinal. */
export function podName(statefulSetName: string, ordinal: number): string {
  return `${statefulSetName}-${ordinal}`;
}

/** The DNS methods a consumer can use to reach a provider pod. */
export enum DnsMethod {
  /** `<pod>.amcs-<svc>.<ns>.svc.cluster.local`: a selector-less headless Service, no DNS change. */
  AMCS = 'amcs',
  /** `<pod>.<cluster-id>.<svc>.<ns>.svc.clusterset.local`: ServiceImport + MCS slices + CoreDNS. */
  CLUSTERSET = 'clusterset',
}

/**
 * Name of a derived EndpointSlice. Dots separate the parts because no part can contain one, so
 * two different (service, cluster, method) triples can never produce the same name.
 * Example: `mysql.cluster-1.clusterset-ipv4-0`.
 */
export function derivedSliceName(o: { service: string; sourceClusterId: string; method: DnsMethod; addressType: string; index: number }): string {
  const service = o.method === DnsMethod.AMCS ? amcsServiceName(o.service) : o.service;
  return `${service}.${o.sourceClusterId}.${o.method}-${o.addressType.toLowerCase()}-${o.index}`;
}

/** `<pod>.<cluster-id>.<svc>.<ns>.svc.clusterset.local` */
export function clustersetPodFqdn(o: { pod: string; clusterId: string; service: string; namespace: string }): string {
  return `${o.pod}.${o.clusterId}.${o.service}.${o.namespace}.svc.${CLUSTERSET_ZONE}`;
}

/** `<svc>.<ns>.svc.clusterset.local` (every ready endpoint across the clusterset) */
export function clustersetServiceFqdn(o: { service: string; namespace: string }): string {
  return `${o.service}.${o.namespace}.svc.${CLUSTERSET_ZONE}`;
}

/** `<pod>.amcs-<svc>.<ns>.svc.<cluster-domain>` */
export function amcsPodFqdn(o: { pod: string; service: string; namespace: string; clusterDomain?: string }): string {
  return `${o.pod}.${amcsServiceName(o.service)}.${o.namespace}.svc.${o.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN}`;
}

/** `<pod>.<svc>.<ns>.svc.<cluster-domain>` (in the provider cluster itself) */
export function localPodFqdn(o: { pod: string; service: string; namespace: string; clusterDomain?: string }): string {
  return `${o.pod}.${o.service}.${o.namespace}.svc.${o.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN}`;
}
