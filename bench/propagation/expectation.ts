/**
 * What "reflects the change" means for one pod, in a slice set and in DNS. Pure.
 *
 * A pod is expected either `serving` at one IP (ready; no other ready address for its name) or
 * `gone` (no ready address for its name: deleted, terminating or not ready).
 */
import { EndpointSlice } from '../../lib/kube/types';
import { DnsResult } from '../../testbed/dns';

export type Expectation =
  | { readonly state: 'serving'; readonly pod: string; readonly ip: string }
  | { readonly state: 'gone'; readonly pod: string };

/** How a slice set names the pod behind an endpoint: the in-cluster controller by targetRef, the runner by hostname. */
export type EndpointNaming = 'targetRef' | 'hostname';

export interface NamedEndpoint {
  readonly pod?: string;
  readonly address: string;
  readonly ready: boolean;
}

export function endpointsOf(slices: readonly EndpointSlice[], naming: EndpointNaming): NamedEndpoint[] {
  return slices.flatMap((s) =>
    (s.endpoints ?? []).map((e) => ({
      pod: naming === 'targetRef' ? (e.targetRef as { name?: string } | undefined)?.name : e.hostname,
      address: e.addresses[0] ?? '',
      ready: e.conditions?.ready !== false,
    })),
  );
}

/** Whether the endpoints a slice set holds for the pod (see endpointsOf) are the expected state. */
export function endpointsReflect(endpoints: readonly NamedEndpoint[], want: Expectation): boolean {
  const ready = endpoints.filter((e) => e.pod === want.pod && e.ready);
  return want.state === 'gone' ? ready.length === 0 : ready.length === 1 && ready[0].address === want.ip;
}

export function dnsReflects(result: DnsResult, want: Expectation): boolean {
  if (want.state === 'gone') {
    return result.outcome === 'NXDOMAIN' || result.outcome === 'NODATA';
  }
  return result.outcome === 'NOERROR' && result.answers.length === 1 && result.answers[0] === want.ip;
}
