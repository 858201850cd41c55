/**
 * The fleet model, derived from the construct tree at render time: one walk finds the clusters,
 * every Kubernetes object and the cluster it lands in (objects of charts nested anywhere inside a
 * cluster included), the objects that would reach no cluster, and the constructs that contribute
 * to the model (`IFleetContributor`).
 */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ExportSpec, FleetModel, GitOpsSpec, ImportSpec, Problem, RunnerSpec } from '../fleet/model';
import type { Cluster } from './cluster';
import { CheckedStatefulSet, ExtraFile, isFleetContributor } from './contribution';
import { inCreationOrder, isCluster } from './fleet-tree';

/** Everything one walk of the tree finds. */
export interface FleetScan {
  /** Every construct of the tree, the root included (for `node.validate()`). */
  readonly constructs: readonly IConstruct[];
  /** The clusters, in creation order. */
  readonly clusters: readonly Cluster[];
  /** Each cluster's Kubernetes objects, its nested charts' included, in tree order. */
  readonly objects: ReadonlyMap<Cluster, readonly ApiObject[]>;
  /** Kubernetes objects outside every cluster: in a chart beside the clusters, or nested in one. */
  readonly strays: readonly ApiObject[];
}

export function scanFleet(root: IConstruct): FleetScan {
  const constructs: IConstruct[] = [];
  const clusters: Cluster[] = [];
  const objects = new Map<Cluster, ApiObject[]>();
  const strays: ApiObject[] = [];
  const walk = (c: IConstruct, cluster: Cluster | undefined): void => {
    constructs.push(c);
    let inside = cluster;
    if (isCluster(c) && !cluster) {
      inside = c;
      clusters.push(c);
      objects.set(c, []);
    } else if (ApiObject.isApiObject(c)) {
      (inside ? objects.get(inside)! : strays).push(c);
    }
    for (const child of c.node.children) {
      walk(child, inside);
    }
  };
  walk(root, undefined);
  return { constructs, clusters: inCreationOrder(clusters), objects, strays };
}

/** The settings of the Fleet itself that the model carries. */
export interface FleetHeader {
  readonly name: string;
  readonly gitops?: GitOpsSpec;
}

/** The model, and what the contributions add beside it. */
export interface FleetAnalysis {
  readonly model: FleetModel;
  /** StatefulSets whose rendered volume claim templates the output step checks. */
  readonly statefulSets: readonly CheckedStatefulSet[];
  readonly warnings: readonly Problem[];
  /** Extra files by path, each with the construct path that writes it. */
  readonly files: ReadonlyMap<string, ExtraFile & { readonly owner: string }>;
  /** What is wrong in the contributions themselves (two runners, a file written twice). */
  readonly problems: readonly Problem[];
}

export function analyzeFleet(header: FleetHeader, scan: FleetScan): FleetAnalysis {
  const exports: ExportSpec[] = [];
  const imports: ImportSpec[] = [];
  const runners: Array<RunnerSpec & { path: string }> = [];
  const statefulSets: CheckedStatefulSet[] = [];
  const warnings: Problem[] = [];
  const files = new Map<string, ExtraFile & { owner: string }>();
  const problems: Problem[] = [];
  for (const c of inCreationOrder(scan.constructs.filter(isFleetContributor))) {
    const contribution = c.fleetContribution();
    exports.push(...(contribution.exports ?? []));
    imports.push(...(contribution.imports ?? []));
    if (contribution.runner) {
      runners.push({ ...contribution.runner, path: c.node.path });
    }
    statefulSets.push(...(contribution.statefulSets ?? []));
    warnings.push(...(contribution.warnings ?? []));
    for (const file of contribution.files ?? []) {
      const other = files.get(file.path);
      if (other) {
        problems.push({ path: c.node.path, message: `output file "${file.path}" is also written by ${other.owner}. Fix: each file needs one owner; remove one of the two constructs` });
      } else {
        files.set(file.path, { path: file.path, produce: () => file.produce(), owner: c.node.path });
      }
    }
  }
  problems.push(...runners.slice(1).map((r) => ({
    path: r.path,
    message: `the fleet already has a SyncRunner (at ${runners[0].path}, in cluster "${runners[0].hostClusterId}"); one runner deployment serves the whole fleet. Fix: remove one of them`,
  })));
  const runner = runners[0] && { hostClusterId: runners[0].hostClusterId, namespace: runners[0].namespace };
  const model: FleetModel = {
    name: header.name,
    clusters: scan.clusters.map((c) => c.spec),
    exports,
    imports,
    ...(runner ? { runner } : {}),
    ...(header.gitops ? { gitops: header.gitops } : {}),
  };
  return { model, statefulSets, warnings, files, problems };
}

/** Each Kubernetes object that would reach no cluster, as a problem naming it and the fix. */
export function strayProblems(scan: FleetScan): Problem[] {
  return scan.strays.map((o) => {
    const chart = Chart.of(o);
    return {
      path: o.node.path,
      message: `${o.kind} "${o.name}" is in chart "${chart.node.path}", which is not inside a Cluster, so no cluster would get it. ` +
        'Fix: create the object, or its chart, with a cluster (or a construct inside one) as its scope, e.g. new Chart(fleet.cluster("<cluster-id>"), ...)',
    };
  });
}
