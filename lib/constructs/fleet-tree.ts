/**
 * Finding things in a fleet's construct tree: the Fleet at its root, the Clusters, the cluster a
 * construct belongs to. Fleets and clusters are recognised by a symbol (as cdk8s recognises charts
 * and API objects), so this module needs neither class and nothing here imports them at run time.
 */
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { FleetModel } from '../fleet/model';
import type { Cluster } from './cluster';

const FLEET = Symbol.for('cdk8s-mcs.Fleet');
const CLUSTER = Symbol.for('cdk8s-mcs.Cluster');
const CREATED = Symbol.for('cdk8s-mcs.created');
let created = 0;

/** What constructs need to know of the Fleet they are part of. */
export interface FleetRoot extends IConstruct {
  /** Name of the ClusterSet. */
  readonly name: string;
  /** The fleet model, derived from the tree (during a render: the render's). */
  readonly model: FleetModel;
}

/** Marks `construct` as a Fleet (called by the Fleet's constructor). */
export function markFleet(construct: IConstruct): void {
  Object.defineProperty(construct, FLEET, { value: true });
}

/** Marks `construct` as a Cluster (called by the Cluster's constructor). */
export function markCluster(construct: IConstruct): void {
  Object.defineProperty(construct, CLUSTER, { value: true });
  stampCreation(construct);
}

/**
 * Records when a construct was created. A scope lists its children by id, and JavaScript puts
 * integer-like ids ("55") before the others, so tree order is not creation order; the model orders
 * clusters and contributions (the oldest export wins a conflict) by this stamp instead.
 */
export function stampCreation(construct: IConstruct): void {
  Object.defineProperty(construct, CREATED, { value: created++ });
}

/** How many constructs have been stamped so far: unchanged means no cluster or library construct was created since. */
export function creationCount(): number {
  return created;
}

/** `constructs` in creation order where stamped (`stampCreation`), the others after them in tree order. */
export function inCreationOrder<T extends IConstruct>(constructs: readonly T[]): T[] {
  const stamp = (c: T) => (c as unknown as Record<symbol, number | undefined>)[CREATED] ?? Number.MAX_SAFE_INTEGER;
  return constructs.map((c, i) => ({ c, i, s: stamp(c) })).sort((a, b) => a.s - b.s || a.i - b.i).map((x) => x.c);
}

export function isFleet(x: unknown): x is FleetRoot {
  return x !== null && typeof x === 'object' && FLEET in x;
}

export function isCluster(x: unknown): x is Cluster {
  return x !== null && typeof x === 'object' && CLUSTER in x;
}

/** The fleet `construct` belongs to; throws naming the construct and the fix when it is in none. */
export function fleetOf(construct: IConstruct): FleetRoot {
  const root = construct.node.root;
  if (!isFleet(root)) {
    throw new Error(
      `"${construct.node.path}" is not part of a Fleet. Fix: create it with a Fleet, or a construct inside one, as its scope, e.g. new ${construct.constructor.name}(fleet, "${construct.node.id}", ...)`,
    );
  }
  return root;
}

/** The closest Cluster enclosing `construct` (itself included), if any. */
export function enclosingCluster(construct: IConstruct): Cluster | undefined {
  for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
    if (isCluster(c)) {
      return c;
    }
  }
  return undefined;
}

/** The closest Chart strictly above `construct`, if any. */
export function enclosingChart(construct: IConstruct): Chart | undefined {
  for (let c = construct.node.scope; c; c = c.node.scope) {
    if (Chart.isChart(c)) {
      return c;
    }
  }
  return undefined;
}

/** The clusters of a fleet, in creation order. Clusters cannot live inside a chart, so the walk does not enter charts. */
export function clustersOf(fleet: IConstruct): Cluster[] {
  const found: Cluster[] = [];
  const walk = (c: IConstruct): void => {
    for (const child of c.node.children) {
      if (isCluster(child)) {
        found.push(child);
      } else if (!Chart.isChart(child)) {
        walk(child);
      }
    }
  };
  walk(fleet);
  return inCreationOrder(found);
}
