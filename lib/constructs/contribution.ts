/**
 * How constructs contribute to the fleet model. The model is never filled on the side while
 * constructs are built: at render time, `Fleet` finds every construct of its tree that implements
 * `IFleetContributor` (`node.findAll()`) and asks it what it contributes. Asking must be free of
 * side effects: a fleet can be rendered any number of times.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ExportSpec, ImportSpec, Problem, RunnerSpec } from '../fleet/model';
import type { Cluster } from './cluster';

/** A StatefulSet whose volume claim templates the fleet checks read from its rendered form. */
export interface CheckedStatefulSet {
  /** The StatefulSet object; its rendered `volumeClaimTemplates` are checked, JSON patches included. */
  readonly apiObject: ApiObject;
  /** The cluster it is emitted into. */
  readonly clusterId: string;
  /** Name of the workload, for messages. */
  readonly workload: string;
  /** Construct path a problem is reported at. */
  readonly path: string;
}

/** A file written next to `fleet.json` that is not a Kubernetes object (e.g. EKS add-on values). */
export interface ExtraFile {
  /** Path relative to the output folder. */
  readonly path: string;
  /** Produces the content; called only after the fleet checks passed. */
  produce(): string;
}

/** What one construct adds to the fleet model. Every field may be left out. */
export interface FleetContribution {
  /**
   * Services this construct exports.
   * @default - none
   */
  readonly exports?: readonly ExportSpec[];
  /**
   * Services this construct imports.
   * @default - none
   */
  readonly imports?: readonly ImportSpec[];
  /**
   * The SyncRunner deployment, for the construct that deploys it.
   * @default - none
   */
  readonly runner?: RunnerSpec;
  /**
   * StatefulSets whose volume claim templates must resolve to a storage class.
   * @default - none
   */
  readonly statefulSets?: readonly CheckedStatefulSet[];
  /**
   * Warnings printed by synth and listed in `fleet.md`.
   * @default - none
   */
  readonly warnings?: readonly Problem[];
  /**
   * Files written next to `fleet.json`.
   * @default - none
   */
  readonly files?: readonly ExtraFile[];
}

/**
 * A construct that contributes to the fleet model (exports, imports, the runner, warnings, extra
 * files). Implement it in your own constructs to make them visible to the fleet checks,
 * `fleet.json` and `fleet.md`.
 */
export interface IFleetContributor extends IConstruct {
  /** What this construct contributes, computed from its current state; must have no side effects. */
  fleetContribution(): FleetContribution;
}

export function isFleetContributor(x: IConstruct): x is IFleetContributor {
  return typeof (x as Partial<IFleetContributor>).fleetContribution === 'function';
}

/**
 * @internal
 * A construct that puts objects into every cluster of its fleet, including clusters created after
 * it: a new Cluster calls `_addToCluster` on each such construct it finds in the tree.
 */
export interface IEveryClusterConstruct extends IConstruct {
  /** @internal */
  _addToCluster(cluster: Cluster): void;
}

export function isEveryClusterConstruct(x: IConstruct): x is IEveryClusterConstruct {
  return typeof (x as Partial<IEveryClusterConstruct>)._addToCluster === 'function';
}
