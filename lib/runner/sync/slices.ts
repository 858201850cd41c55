/**
 * Desired endpoints + the slices a consumer already has -> the slices to write and delete.
 *
 * Assignment is sticky, like the in-cluster EndpointSlice controller: an endpoint stays in the
 * slice that already holds it, new endpoints fill free room first, so one changed pod rewrites
 * only the one slice it lives in. Pure.
 */
import {
  amcsServiceName, derivedSliceName, DnsMethod, LABEL_DERIVED_BY, LABEL_DNS_METHOD, LABEL_ENDPOINTSLICE_MANAGED_BY, LABEL_HEADLESS,
  LABEL_IMPORT_OF, LABEL_MCS_SERVICE_NAME, LABEL_SERVICE_NAME, LABEL_SOURCE_CLUSTER, MANAGER, MAX_ENDPOINTS_PER_SLICE,
} from '../../fleet/names';
import { Endpoint, EndpointPort, EndpointSlice } from '../../kube/types';
import { endpointKey, SourceEndpoint } from './endpoints';

/** Which derived slices a plan is about. */
export interface SliceTarget {
  readonly namespace: string;
  /** The exported service (ServiceImport name). */
  readonly service: string;
  readonly sourceClusterId: string;
  readonly method: DnsMethod;
  /** For a ClusterSetIP import's MCS slices: the runner's `clusterset-<svc>` Service, so kube-proxy routes its IP. */
  readonly coreServiceName?: string;
}

export interface SlicePlan {
  /** Every slice that should exist afterwards. */
  readonly desired: readonly EndpointSlice[];
  /** The subset of `desired` that is new or differs from what exists. */
  readonly writes: readonly EndpointSlice[];
  /** Existing slices that must go. */
  readonly deletes: readonly EndpointSlice[];
}

/** The labels every derived slice of a target carries; also the selector to find them. */
export function sliceLabels(target: SliceTarget): Record<string, string> {
  const common = {
    [LABEL_ENDPOINTSLICE_MANAGED_BY]: MANAGER,
    [LABEL_DERIVED_BY]: MANAGER,
    [LABEL_SOURCE_CLUSTER]: target.sourceClusterId,
    [LABEL_IMPORT_OF]: target.service,
    [LABEL_DNS_METHOD]: target.method,
  };
  if (target.method === DnsMethod.AMCS) {
    // Indexed by cluster DNS under the selector-less amcs-<svc> Service; kube-proxy skips headless slices.
    return { ...common, [LABEL_SERVICE_NAME]: amcsServiceName(target.service), [LABEL_HEADLESS]: '' };
  }
  // KEP-1645 labels: CoreDNS's multicluster support indexes by these two.
  return { ...common, [LABEL_MCS_SERVICE_NAME]: target.service, ...(target.coreServiceName ? { [LABEL_SERVICE_NAME]: target.coreServiceName } : {}) };
}

/** Whether an existing slice belongs to a target (by its labels). */
export function isSliceOf(slice: EndpointSlice, target: SliceTarget): boolean {
  const labels = slice.metadata.labels ?? {};
  return slice.metadata.namespace === target.namespace && Object.entries(sliceLabels(target)).every(([k, v]) => labels[k] === v);
}

interface Bucket {
  readonly name: string;
  readonly addressType: string;
  readonly ports: readonly EndpointPort[];
  readonly endpoints: Endpoint[];
  readonly existing?: EndpointSlice;
}

export function planSlices(target: SliceTarget, endpoints: readonly SourceEndpoint[], existing: readonly EndpointSlice[], maxPerSlice = MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const wanted = new Map(endpoints.map((e) => [endpointKey(e), e]));
  const buckets = [...existing].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)).map((slice) => keepStillWanted(slice, wanted));
  for (const e of wanted.values()) {
    place(e, buckets, target, maxPerSlice);
  }
  const desired: EndpointSlice[] = [];
  const writes: EndpointSlice[] = [];
  const deletes: EndpointSlice[] = [];
  for (const b of buckets) {
    if (b.endpoints.length === 0) {
      if (b.existing) {
        deletes.push(b.existing);
      }
      continue;
    }
    const slice = buildSlice(target, b);
    desired.push(slice);
    if (!b.existing || !sameSliceContent(slice, b.existing)) {
      writes.push(slice);
    }
  }
  return { desired, writes, deletes };
}

/** Keeps in an existing slice the endpoints still wanted with the same ports, updated; removes them from `wanted`. */
function keepStillWanted(slice: EndpointSlice, wanted: Map<string, SourceEndpoint>): Bucket {
  const ports = slice.ports ?? [];
  const kept: Endpoint[] = [];
  for (const e of slice.endpoints ?? []) {
    const key = endpointKey({ hostname: e.hostname, address: e.addresses[0] ?? '' });
    const source = wanted.get(key);
    if (source && source.addressType === slice.addressType && samePorts(source.ports, ports)) {
      kept.push(toEndpoint(source));
      wanted.delete(key);
    }
  }
  return { name: slice.metadata.name, addressType: slice.addressType, ports, endpoints: kept, existing: slice };
}

function place(e: SourceEndpoint, buckets: Bucket[], target: SliceTarget, maxPerSlice: number): void {
  const fits = buckets.find((b) => b.addressType === e.addressType && samePorts(e.ports, b.ports) && b.endpoints.length < maxPerSlice);
  if (fits) {
    fits.endpoints.push(toEndpoint(e));
    return;
  }
  buckets.push({ name: freeName(target, e.addressType, buckets), addressType: e.addressType, ports: e.ports, endpoints: [toEndpoint(e)] });
}

function freeName(target: SliceTarget, addressType: string, buckets: readonly Bucket[]): string {
  const taken = new Set(buckets.map((b) => b.name));
  for (let index = 0; ; index++) {
    const name = derivedSliceName({ ...target, addressType, index });
    if (!taken.has(name)) {
      return name;
    }
  }
}

function toEndpoint(e: SourceEndpoint): Endpoint {
  // No targetRef and no nodeName: they would point at objects of another cluster.
  return { addresses: [e.address], ...(e.hostname ? { hostname: e.hostname } : {}), conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating } };
}

function buildSlice(target: SliceTarget, b: Bucket): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: b.name, namespace: target.namespace, labels: sliceLabels(target) },
    addressType: b.addressType,
    ports: b.ports.map((p) => ({ ...p })),
    endpoints: b.endpoints,
  };
}

function samePorts(a: readonly EndpointPort[], b: readonly EndpointPort[]): boolean {
  return canonical(a.map(normalizePort)) === canonical(b.map(normalizePort));
}

function normalizePort(p: EndpointPort): EndpointPort {
  return { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) };
}

/** Labels whose absence matters too: they attach a slice to a core Service. */
const PRESENCE_LABELS = [LABEL_SERVICE_NAME, LABEL_HEADLESS];

/** Compares only what the runner owns: labels it sets, address type, ports and endpoints. */
export function sameSliceContent(desired: EndpointSlice, actual: EndpointSlice): boolean {
  const labels = actual.metadata.labels ?? {};
  const wanted = desired.metadata.labels ?? {};
  const labelsMatch = Object.entries(wanted).every(([k, v]) => labels[k] === v) && PRESENCE_LABELS.every((k) => (k in wanted) === (k in labels));
  return (
    labelsMatch &&
    desired.addressType === actual.addressType &&
    samePorts(desired.ports ?? [], actual.ports ?? []) &&
    canonical((desired.endpoints ?? []).map(normalizeEndpoint)) === canonical((actual.endpoints ?? []).map(normalizeEndpoint))
  );
}

function normalizeEndpoint(e: Endpoint): unknown {
  const c = e.conditions ?? {};
  return { addresses: e.addresses, hostname: e.hostname ?? '', ready: c.ready ?? true, serving: c.serving ?? c.ready ?? true, terminating: c.terminating ?? false, extra: Boolean(e.targetRef || e.nodeName) };
}

/** JSON with sorted keys, for order-insensitive object comparison. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}
