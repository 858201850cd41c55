/**
 * The leader election record in a coordination.k8s.io Lease, as client-go's resourcelock writes
 * it. Pure: what the next record is when acquiring, renewing or releasing, and whether two
 * observations are the same record (client-go compares the raw record, not the resourceVersion).
 */
import { Lease } from '../../kube/types';

export type LeaseSpec = NonNullable<Lease['spec']>;

/** RFC 3339 with microseconds, the Lease's MicroTime format. */
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** The record fields, in a fixed order, so that equal records give equal strings. */
export function rawRecord(spec: LeaseSpec | undefined): string {
  const s = spec ?? {};
  return JSON.stringify([s.holderIdentity ?? '', s.leaseDurationSeconds ?? 0, s.acquireTime ?? '', s.renewTime ?? '', s.leaseTransitions ?? 0]);
}

/** The record to write to acquire or renew: a renewal keeps acquireTime and transitions, an acquisition counts one more transition. */
export function acquiringRecord(o: { observed?: LeaseSpec; identity: string; leaseDurationMs: number; wallNowMs: number }): LeaseSpec {
  const renewing = o.observed?.holderIdentity === o.identity;
  const now = microTime(o.wallNowMs);
  return {
    holderIdentity: o.identity,
    leaseDurationSeconds: Math.ceil(o.leaseDurationMs / 1000),
    acquireTime: renewing && o.observed?.acquireTime ? o.observed.acquireTime : now,
    renewTime: now,
    leaseTransitions: (o.observed?.leaseTransitions ?? 0) + (renewing || !o.observed ? 0 : 1),
  };
}

/** client-go's release: no holder, a 1 s duration, so a standby takes over at its next look. */
export function releasedRecord(observed: LeaseSpec | undefined, wallNowMs: number): LeaseSpec {
  const now = microTime(wallNowMs);
  return { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: observed?.leaseTransitions ?? 0 };
}

/** The whole Lease to PUT: the observed object (its resourceVersion makes the update optimistic) with a new record. */
export function leaseWithRecord(observed: Lease | undefined, o: { namespace: string; name: string; spec: LeaseSpec }): Lease {
  const metadata = observed ? { ...observed.metadata, managedFields: undefined } : { name: o.name, namespace: o.namespace };
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec: o.spec };
}
