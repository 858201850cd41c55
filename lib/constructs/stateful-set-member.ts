import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { ServiceExport } from '../../imports/multicluster.x-k8s.io';
import { ExportSpec, PlacementSpec } from '../fleet/model';
import { Cluster } from './cluster';
import { CheckedStatefulSet, FleetContribution, IFleetContributor } from './contribution';
import { enclosingCluster, stampCreation } from './fleet-tree';
import { checkInput, isChecked, toPortSpec } from './helpers';
import { commonLabels, MemberTemplate, serviceSpec, statefulSetSpec } from './pod-template';
import { INT32_MAX, requireNonNegativeInteger } from './validate';
import { requireStatefulSetWorkload } from './validate-workload';
import { PvcRetention, VolumeClaim, WorkloadPort } from './workload-props';
import { WorkloadSpec } from './workload-spec';

/** What an exported StatefulSet declares, the same in every cluster it runs in; its pod template comes from `WorkloadSpec`. */
export interface StatefulSetWorkloadProps extends WorkloadSpec {
  /** Namespace of the StatefulSet, its Service and ServiceExport; the same in every cluster (namespace sameness). */
  readonly namespace: string;
  /** Container image, e.g. `mysql:5.6`. */
  readonly image: string;
  /** Named ports, exposed by the headless Service and exported. */
  readonly ports: WorkloadPort[];
  /**
   * Name of the StatefulSet, the headless Service and the ServiceExport (they must be equal).
   * @default - the construct id
   */
  readonly serviceName?: string;
  /**
   * Volume claim templates: one PersistentVolumeClaim per pod.
   * @default - none (the pods keep no data across rescheduling)
   */
  readonly volumeClaims?: VolumeClaim[];
  /**
   * What happens to the claims when the StatefulSet is deleted.
   * @default PvcRetention.RETAIN (never lose data)
   */
  readonly pvcRetentionWhenDeleted?: PvcRetention;
  /**
   * What happens to the claims of pods removed by a scale-down.
   * @default PvcRetention.RETAIN (never lose data)
   */
  readonly pvcRetentionWhenScaled?: PvcRetention;
  /**
   * Publish pods in DNS before they are ready (peer discovery for clustering databases).
   * The runner honours it in every consumer cluster.
   * @default false
   */
  readonly publishNotReadyAddresses?: boolean;
}

/** Props of the per-cluster part of an exported StatefulSet. */
export interface StatefulSetMemberProps extends StatefulSetWorkloadProps {
  /**
   * Number of pods in this cluster.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * First pod ordinal in this cluster (StatefulSet `spec.ordinals.start`, Kubernetes >= 1.31).
   * @default 0
   */
  readonly ordinalStart?: number;
}

/**
 * What an exported StatefulSet puts into one cluster: the headless Service, the StatefulSet and
 * the ServiceExport, all named `serviceName` in `namespace`. `MultiClusterStatefulSet` creates one
 * per provider cluster (`members`); created on its own, in a cluster, it exports from that cluster.
 *
 * Its `statefulSet` is the L1 `k8s.KubeStatefulSet`: the escape hatch for anything the props do not
 * cover (`member.statefulSet.addJsonPatch(...)`).
 */
export class StatefulSetMember extends Construct implements IFleetContributor {
  /** The cluster this member is in. */
  public readonly cluster: Cluster;
  /** Name of the StatefulSet, Service and ServiceExport. */
  public readonly serviceName: string;
  /** The headless Service the pods get their DNS names from. */
  public readonly service: k8s.KubeService;
  /** The StatefulSet in this cluster (L1): JSON patches on it are rendered, and the storage class check reads it as rendered. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The ServiceExport that exports the Service to the fleet. */
  public readonly serviceExport: ServiceExport;
  /** @internal Set by a MultiClusterStatefulSet that exports this member with its others. */
  public _exportedBy?: IConstruct;
  private readonly template: MemberTemplate;

  /**
   * @param scope a Cluster, or a construct inside one
   */
  public constructor(scope: Construct, id: string, props: StatefulSetMemberProps) {
    super(scope, id);
    stampCreation(this);
    const cluster = enclosingCluster(this);
    const serviceName = props.serviceName ?? id;
    const where = `StatefulSetMember "${this.node.path}"`;
    checkInput(this, () => {
      if (!cluster) {
        throw new Error(`${where}: a StatefulSetMember must be created in a Cluster (its objects go into one cluster). Fix: new StatefulSetMember(cluster, "${id}", props), or a MultiClusterStatefulSet for several clusters`);
      }
      if (!isChecked(props)) {
        requireStatefulSetWorkload(where, serviceName, props);
        requireNonNegativeInteger(where, 'replicas', props.replicas ?? 1, INT32_MAX);
        requireNonNegativeInteger(where, 'ordinalStart', props.ordinalStart ?? 0, INT32_MAX);
      }
    });
    this.cluster = cluster!;
    this.serviceName = serviceName;
    const placement: PlacementSpec = { clusterId: this.cluster.clusterId, replicas: props.replicas ?? 1, ordinalStart: props.ordinalStart ?? 0 };
    this.template = { ...props, serviceName, placement };
    this.cluster.ensureNamespace(props.namespace);
    const metadata = { name: serviceName, namespace: props.namespace, labels: commonLabels(serviceName) };
    this.service = new k8s.KubeService(this, 'Service', { metadata, spec: serviceSpec(this.template) });
    this.statefulSet = new k8s.KubeStatefulSet(this, 'Resource', { metadata, spec: statefulSetSpec(this.template, this.cluster.spec.storageClass) });
    this.serviceExport = new ServiceExport(this, 'Export', { metadata });
  }

  /** @internal The cluster, pod count and first ordinal of this member. */
  public get _placement(): PlacementSpec {
    return this.template.placement;
  }

  /** The export from this cluster, unless a MultiClusterStatefulSet exports it with its other members. */
  public fleetContribution(): FleetContribution {
    if (this._exportedBy) {
      return {};
    }
    const exported: ExportSpec = {
      path: this.node.path,
      kind: 'StatefulSetMember',
      namespace: this.template.namespace,
      name: this.serviceName,
      headless: true,
      ports: this.template.ports.map(toPortSpec),
      placements: [this.template.placement],
      podsKnown: true,
    };
    return { exports: [exported], statefulSets: [this._checkedStatefulSet()] };
  }

  /** @internal This member's StatefulSet for the storage class check. */
  public _checkedStatefulSet(): CheckedStatefulSet {
    return { apiObject: this.statefulSet, clusterId: this.cluster.clusterId, workload: this.serviceName, path: this.node.path };
  }
}
