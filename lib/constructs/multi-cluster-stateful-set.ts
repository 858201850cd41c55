import { Construct } from 'constructs';
import { ExportSpec, PlacementSpec, PortSpec } from '../fleet/model';
import { Cluster } from './cluster';
import { FleetContribution, IFleetContributor } from './contribution';
import { stampCreation } from './fleet-tree';
import { checkInput, markChecked, memberId, requireSameFleet, toPortSpec } from './helpers';
import { hasOverrides, withOverrides } from './pod-template';
import { StatefulSetMember, StatefulSetWorkloadProps } from './stateful-set-member';
import { closestName, INT32_MAX, requireNonNegativeInteger } from './validate';
import { requireStatefulSetWorkload } from './validate-workload';
import { WorkloadSpec } from './workload-spec';

/**
 * Where a MultiClusterStatefulSet runs, and how. Every `WorkloadSpec` field set here overrides the
 * workload's value in this cluster: maps (`env`, `podLabels`, `podAnnotations`, `nodeSelector`)
 * are merged, this placement's keys winning; every other field (lists included) is replaced.
 */
export interface ProviderPlacement extends WorkloadSpec {
  /** A provider cluster of the fleet. */
  readonly cluster: Cluster;
  /**
   * Number of pods in this cluster.
   * @default - the `replicas` of the MultiClusterStatefulSet
   */
  readonly replicas?: number;
  /**
   * First pod ordinal in this cluster (StatefulSet `spec.ordinals.start`, Kubernetes >= 1.31).
   * Give providers disjoint ranges so `<pod>.amcs-<svc>` names stay unambiguous.
   * @default 0
   */
  readonly ordinalStart?: number;
}

export interface MultiClusterStatefulSetProps extends StatefulSetWorkloadProps {
  /** The clusters that run the workload and export it, each with its pod count and overrides. */
  readonly providers: ProviderPlacement[];
  /**
   * Pods per provider cluster, unless a placement says otherwise.
   * @default 1
   */
  readonly replicas?: number;
}

/**
 * A StatefulSet exported to the fleet: in each provider cluster, a StatefulSet, the headless
 * Service its pods get their DNS names from (`serviceName` equals the Service), and a
 * ServiceExport of the same name. Pods are reachable from consumer clusters one by one, by name.
 *
 * The pod template is typed (`WorkloadSpec`: init containers, volumes, affinity, tolerations...)
 * and each provider may override it. For anything else, patch the L1 StatefulSet of a member:
 * `mysql.member(cluster1).statefulSet.addJsonPatch(JsonPatch.add('/spec/template/spec/hostNetwork', true))`.
 */
export class MultiClusterStatefulSet extends Construct implements IFleetContributor {
  /** Name of the StatefulSet, Service and ServiceExport. */
  public readonly serviceName: string;
  /** Namespace of the StatefulSet in every provider cluster. */
  public readonly namespace: string;
  /** The exported ports. */
  public readonly ports: readonly PortSpec[];
  /** The per-cluster objects, keyed by cluster ID. */
  public readonly members: ReadonlyMap<string, StatefulSetMember>;

  public constructor(scope: Construct, id: string, props: MultiClusterStatefulSetProps) {
    super(scope, id);
    stampCreation(this);
    this.serviceName = props.serviceName ?? id;
    this.namespace = props.namespace;
    const where = `MultiClusterStatefulSet "${this.node.path}"`;
    checkInput(this, () => {
      requireStatefulSetWorkload(where, this.serviceName, props);
      requireProviders(where, props);
      requireSameFleet(where, this, props.providers.map((p) => p.cluster));
      for (const p of props.providers) {
        const inCluster = `${where} in cluster "${p.cluster.clusterId}"`;
        requireNonNegativeInteger(inCluster, 'replicas', p.replicas ?? props.replicas ?? 1, INT32_MAX);
        requireNonNegativeInteger(inCluster, 'ordinalStart', p.ordinalStart ?? 0, INT32_MAX);
        if (hasOverrides(p)) {
          requireStatefulSetWorkload(inCluster, this.serviceName, withOverrides(props, p));
        }
      }
    });
    this.ports = props.ports.map(toPortSpec);
    const members = new Map<string, StatefulSetMember>();
    for (const p of props.providers) {
      const { providers, ...workload } = hasOverrides(p) ? withOverrides(props, p) : props;
      const member = new StatefulSetMember(p.cluster, memberId(this), markChecked({
        ...workload,
        serviceName: this.serviceName,
        replicas: p.replicas ?? props.replicas ?? 1,
        ordinalStart: p.ordinalStart ?? 0,
      }));
      member._exportedBy = this;
      members.set(p.cluster.clusterId, member);
    }
    this.members = members;
  }

  /** The member in `cluster` (a Cluster or its ID): its `statefulSet` is the escape hatch to the L1 StatefulSet. */
  public member(cluster: Cluster | string): StatefulSetMember {
    const id = typeof cluster === 'string' ? cluster : cluster.clusterId;
    const found = this.members.get(id);
    if (!found) {
      const providers = [...this.members.keys()];
      const closest = closestName(id, providers) ?? providers[0];
      throw new Error(
        `MultiClusterStatefulSet "${this.node.path}" does not run in cluster "${id}" (providers: ${providers.map((k) => `"${k}"`).join(', ')}). ` +
          `Fix: ask for a provider, e.g. member("${closest}"), or add { cluster: fleet.cluster("${id}") } to providers`,
      );
    }
    return found;
  }

  /** The export of the service from every provider cluster, and each member's StatefulSet for the storage class check. */
  public fleetContribution(): FleetContribution {
    const members = [...this.members.values()];
    const exported: ExportSpec = {
      path: this.node.path,
      kind: 'MultiClusterStatefulSet',
      namespace: this.namespace,
      name: this.serviceName,
      headless: true,
      ports: this.ports,
      placements: members.map((m): PlacementSpec => m._placement),
      podsKnown: true,
    };
    return { exports: [exported], statefulSets: members.map((m) => m._checkedStatefulSet()) };
  }
}

function requireProviders(where: string, props: MultiClusterStatefulSetProps): void {
  if (props.providers.length === 0) {
    throw new Error(`${where}: providers must list at least one cluster, got none. Fix: place it in a cluster, e.g. providers: [{ cluster: fleet.cluster("<cluster-id>") }]`);
  }
  const ids = props.providers.map((p) => p.cluster.clusterId);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) {
    const total = props.providers.filter((p) => p.cluster.clusterId === dup).reduce((sum, p) => sum + (p.replicas ?? props.replicas ?? 1), 0);
    throw new Error(`${where}: cluster "${dup}" is listed twice in providers. Fix: give it one placement with the total replicas: { cluster: fleet.cluster("${dup}"), replicas: ${total} }`);
  }
  requireNonNegativeInteger(where, 'replicas', props.replicas ?? 1, INT32_MAX);
}
