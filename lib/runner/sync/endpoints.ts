/**
 * Observed provider pods -> the endpoints a consumer should see. Pure; mirrors the rules of the
 * in-cluster EndpointSlice controller so both report the same endpoints, but reads pods directly
 * so the runner need not wait for the local controller.
 */
import { EndpointPort, Pod, Service } from '../../kube/types';

export type AddressType = 'IPv4' | 'IPv6';

/** One address of one pod, as it must appear in every consumer. */
export interface SourceEndpoint {
  /**
   * The endpoint `hostname`, so `<hostname>.…` names resolve: the pod's `spec.hostname` where its
   * `spec.subdomain` is the Service's name (StatefulSet pods), as the in-cluster EndpointSlice
   * controller sets it; other pods have none and DNS names them by their address.
   */
  readonly hostname?: string;
  readonly address: string;
  readonly addressType: AddressType;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  /** The Service ports resolved against this pod's containers (target ports, Service port names). */
  readonly ports: readonly EndpointPort[];
}

/** Label selector semantics of `spec.selector`: every key must match; an empty selector selects nothing here. */
export function selectorMatches(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

export function addressTypeOf(ip: string): AddressType {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

/** The endpoints of a Service with a selector, from the pods of its namespace. */
export function podEndpoints(service: Service, pods: readonly Pod[]): SourceEndpoint[] {
  const selector = service.spec?.selector;
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  return pods
    .filter((pod) => pod.metadata.namespace === service.metadata.namespace && selectorMatches(selector, pod.metadata.labels))
    .filter(isCandidate)
    .flatMap((pod) => endpointsOfPod(pod, service, publishNotReady))
    .sort((a, b) => compareKeys(endpointKey(a), endpointKey(b)));
}

/** Stable identity of an endpoint across reconciles. */
export function endpointKey(e: { hostname?: string; address: string }): string {
  return `${e.hostname ?? ''}|${e.address}`;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isCandidate(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Failed' && phase !== 'Succeeded' && podIps(pod).length > 0;
}

function podIps(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip) => ip);
  return ips.length > 0 ? ips : pod.status?.podIP ? [pod.status.podIP] : [];
}

function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function endpointsOfPod(pod: Pod, service: Service, publishNotReady: boolean): SourceEndpoint[] {
  const serving = isPodReady(pod);
  const terminating = pod.metadata.deletionTimestamp !== undefined;
  const ports = resolvePorts(service, pod);
  const hostname = hostnameOf(pod, service);
  return podIps(pod).map((address) => ({
    ...(hostname ? { hostname } : {}),
    address,
    addressType: addressTypeOf(address),
    ready: publishNotReady || (serving && !terminating),
    serving,
    terminating,
    ports,
  }));
}

/** The in-cluster controller's rule: a hostname only for a pod whose subdomain is this Service. */
function hostnameOf(pod: Pod, service: Service): string | undefined {
  const hostname = pod.spec?.hostname;
  return hostname && pod.spec?.subdomain === service.metadata.name && pod.metadata.namespace === service.metadata.namespace ? hostname : undefined;
}

/** Service ports with their target port resolved against the pod (named target ports are per pod). */
export function resolvePorts(service: Service, pod: Pod): EndpointPort[] {
  const containerPorts = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  const resolved: EndpointPort[] = [];
  for (const sp of service.spec?.ports ?? []) {
    const protocol = sp.protocol ?? 'TCP';
    const target = sp.targetPort ?? sp.port;
    const number = typeof target === 'number'
      ? target
      : containerPorts.find((cp) => cp.name === target && (cp.protocol ?? 'TCP') === protocol)?.containerPort ?? numericString(target);
    if (number !== undefined) {
      resolved.push({ name: sp.name ?? '', port: number, protocol, ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
  }
  return resolved;
}

function numericString(value: string): number | undefined {
  return /^\d+$/.test(value) ? Number(value) : undefined;
}
