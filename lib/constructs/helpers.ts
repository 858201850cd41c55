/**
 * Small helpers the constructs share, defined once: the id of per-cluster children, the
 * same-fleet rule for clusters handed to a construct, and the model form of a port.
 */
import { IConstruct } from 'constructs';
import { PortSpec, Protocol } from '../fleet/model';
import type { Cluster } from './cluster';
import { clustersOf, fleetOf } from './fleet-tree';
import type { WorkloadPort } from './workload-props';

/**
 * The id of the children a construct creates in each cluster: its path with `/` as `--`, unique in
 * every chart because construct paths are unique (`db/mysql` becomes `db--mysql`).
 */
export function memberId(construct: IConstruct): string {
  return construct.node.path.replace(/\//g, '--');
}

/** Clusters handed to a construct must belong to the construct's own fleet. */
export function requireSameFleet(where: string, construct: IConstruct, clusters: readonly Cluster[]): void {
  const fleet = fleetOf(construct);
  const stranger = clusters.find((c) => c.node.root !== fleet);
  if (stranger) {
    const id = stranger.clusterId;
    const fix = clustersOf(fleet).some((c) => c.clusterId === id)
      ? `pass this fleet's cluster "${id}", fleet.cluster("${id}")`
      : `add the cluster to this fleet, fleet.addCluster("${id}"), and pass that, or create the construct in the other Fleet`;
    throw new Error(`${where}: cluster "${id}" belongs to another Fleet; a construct takes clusters of its own fleet only. Fix: ${fix}`);
  }
}

/** A port as the fleet model records it (exported and imported ports carry no container port). */
export function toPortSpec(p: WorkloadPort): PortSpec {
  return { name: p.name, port: p.port, protocol: p.protocol ?? Protocol.TCP, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) };
}

/**
 * Runs a constructor's input checks; when one throws, removes `construct` from its scope before
 * the error propagates, so a refused construct leaves nothing in the tree (a caller that catches
 * the error can render the fleet as if the construct had never been created).
 */
export function checkInput(construct: IConstruct, checks: () => void): void {
  try {
    checks();
  } catch (e) {
    construct.node.scope?.node.tryRemoveChild(construct.node.id);
    throw e;
  }
}

/** Props a construct has checked already before it hands them to a child construct, which then does not check them twice. */
const checkedProps = new WeakSet<object>();

/** Marks props as checked by the construct that creates a child with them (a MultiClusterStatefulSet its members). */
export function markChecked<T extends object>(props: T): T {
  checkedProps.add(props);
  return props;
}

export function isChecked(props: object): boolean {
  return checkedProps.has(props);
}
