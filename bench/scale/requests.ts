/**
 * The runner's API traffic between two /metrics samples, sorted into what the scale benchmark
 * reports: requests by verb, writes to Leases (leader election and per-source liveness: writes
 * by design) and writes to everything else (derived objects: slices, ServiceImports, Services,
 * status), which must be zero when nothing changes. Pure.
 */
import { apiRequestCounts, delta, PromSample, syncWriteCounts } from '../common/runner-process';

const MUTATING = new Set(['create', 'apply', 'update', 'patch', 'delete']);

export interface TrafficDelta {
  /** Every API request, keyed `cluster verb resource`. */
  readonly requests: Readonly<Record<string, number>>;
  readonly requestsByVerb: Readonly<Record<string, number>>;
  readonly requestsTotal: number;
  /** Mutating requests to Leases (cdk8s_mcs_api_requests_total), keyed `cluster verb`. */
  readonly leaseWrites: Readonly<Record<string, number>>;
  readonly leaseWritesTotal: number;
  /** Mutating requests to anything but Leases (cdk8s_mcs_api_requests_total), keyed `cluster verb resource`. */
  readonly derivedWrites: Readonly<Record<string, number>>;
  readonly derivedWritesTotal: number;
  /** The sync's own write counter (cdk8s_mcs_writes_total), keyed `cluster verb resource`; Leases included. */
  readonly syncWrites: Readonly<Record<string, number>>;
}

const sum = (r: Readonly<Record<string, number>>) => Object.values(r).reduce((a, b) => a + b, 0);

export function trafficBetween(before: readonly PromSample[], after: readonly PromSample[]): TrafficDelta {
  const requests = Object.fromEntries(delta(apiRequestCounts(before), apiRequestCounts(after)));
  const requestsByVerb: Record<string, number> = {};
  const leaseWrites: Record<string, number> = {};
  const derivedWrites: Record<string, number> = {};
  for (const [key, n] of Object.entries(requests)) {
    const [cluster, verb, resource] = key.split(' ');
    requestsByVerb[verb] = (requestsByVerb[verb] ?? 0) + n;
    if (!MUTATING.has(verb)) {
      continue;
    }
    if (resource === 'leases') {
      leaseWrites[`${cluster} ${verb}`] = (leaseWrites[`${cluster} ${verb}`] ?? 0) + n;
    } else {
      derivedWrites[key] = n;
    }
  }
  return {
    requests,
    requestsByVerb,
    requestsTotal: sum(requests),
    leaseWrites,
    leaseWritesTotal: sum(leaseWrites),
    derivedWrites,
    derivedWritesTotal: sum(derivedWrites),
    syncWrites: Object.fromEntries(delta(syncWriteCounts(before), syncWriteCounts(after))),
  };
}

/** Sync writes (cdk8s_mcs_writes_total) to EndpointSlices per cluster, and to anything else but Leases. */
export function sliceAndOtherWrites(t: TrafficDelta): { slicesByCluster: Record<string, number>; slices: number; other: Record<string, number> } {
  const slicesByCluster: Record<string, number> = {};
  const other: Record<string, number> = {};
  for (const [key, n] of Object.entries(t.syncWrites)) {
    const [cluster, , resource] = key.split(' ');
    if (resource === 'endpointslices') {
      slicesByCluster[cluster] = (slicesByCluster[cluster] ?? 0) + n;
    } else if (resource !== 'leases') {
      other[key] = n;
    }
  }
  return { slicesByCluster, slices: sum(slicesByCluster), other };
}
