/**
 * The fleet model: plain, immutable data describing clusters, exports and imports.
 *
 * Constructs register what they emit here; the fleet checks, `fleet.json` and `fleet.md` are all
 * computed from it. Nothing in this module knows about cdk8s.
 */
import { CoreDnsFlavour } from '../corefile';
import { DnsMethod } from './names';

export { CoreDnsFlavour };

/** Transport protocol of a port. */
export enum Protocol {
  TCP = 'TCP',
  UDP = 'UDP',
  SCTP = 'SCTP',
}

/** A named service port as exported and imported (ServiceImport ports carry no targetPort). */
export interface PortSpec {
  readonly name: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly appProtocol?: string;
}

export interface ClusterSpec {
  /** Construct path, for error messages. */
  readonly path: string;
  readonly id: string;
  readonly kubeContext: string;
  readonly clusterDomain: string;
  readonly storageClass?: string;
  readonly coreDnsVersion?: string;
  readonly coreDnsFlavour: CoreDnsFlavour;
}

/** Where an exported workload runs, and which pod ordinals it has there. */
export interface PlacementSpec {
  readonly clusterId: string;
  readonly replicas: number;
  readonly ordinalStart: number;
}

export interface ExportSpec {
  readonly path: string;
  /** The construct kind, for messages (e.g. `MultiClusterStatefulSet`). */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly headless: boolean;
  readonly ports: readonly PortSpec[];
  readonly placements: readonly PlacementSpec[];
  /** True when the pods are StatefulSet pods whose names the compiler knows. */
  readonly podsKnown: boolean;
}

export interface ImportSpec {
  readonly path: string;
  readonly namespace: string;
  readonly name: string;
  readonly consumerIds: readonly string[];
  /** The ports imported; `undefined` means every port of the export. */
  readonly ports?: readonly PortSpec[];
  readonly methods: readonly DnsMethod[];
}

export interface VolumeClaimSpec {
  readonly path: string;
  readonly clusterId: string;
  readonly workload: string;
  readonly claimName: string;
  readonly storageClass?: string;
}

export interface FleetModel {
  readonly name: string;
  readonly clusters: readonly ClusterSpec[];
  readonly exports: readonly ExportSpec[];
  readonly imports: readonly ImportSpec[];
  readonly volumeClaims: readonly VolumeClaimSpec[];
}

/** One thing wrong with a fleet, attached to the construct that can fix it. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** `3306/TCP "tcp"` */
export function describePort(port: PortSpec): string {
  return `${port.port}/${port.protocol} "${port.name}"`;
}

/** `provider-ns/mysql` */
export function serviceKey(o: { namespace: string; name: string }): string {
  return `${o.namespace}/${o.name}`;
}

/** The exports of a namespaced service name, oldest (first declared) first. */
export function exportsOf(model: FleetModel, key: { namespace: string; name: string }): ExportSpec[] {
  return model.exports.filter((e) => e.namespace === key.namespace && e.name === key.name);
}

export function clusterById(model: FleetModel, id: string): ClusterSpec | undefined {
  return model.clusters.find((c) => c.id === id);
}
