import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { ExportSpec, PlacementSpec, PortSpec } from '../fleet/model';
import { Cluster } from './cluster';
import { FleetContribution, IFleetContributor } from './contribution';
import { stampCreation } from './fleet-tree';
import { checkInput, memberId, requireSameFleet, toPortSpec } from './helpers';
import { StatefulSetMember } from './stateful-set-member';
import {
  INT32_MAX, requireDnsLabel, requireDnsSubdomain, requireEnvVarName, requireNonNegativeInteger, requirePorts, requireSecretKey, requireServiceName, requireVolumeClaims,
} from './validate';
import { ContainerResources, PodManagementPolicy, PvcRetention, SecretEnv, VolumeClaim, WorkloadPort } from './workload-props';

/** Where a MultiClusterStatefulSet runs, and how. */
export interface ProviderPlacement {
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

export interface MultiClusterStatefulSetProps {
  /** Namespace of the StatefulSet, its Service and ServiceExport; the same in every cluster (namespace sameness). */
  readonly namespace: string;
  /** Container image, e.g. `mysql:5.6`. */
  readonly image: string;
  /** The clusters that run the workload and export it. */
  readonly providers: ProviderPlacement[];
  /** Named ports, exposed by the headless Service and exported. */
  readonly ports: WorkloadPort[];
  /**
   * Name of the StatefulSet, the headless Service and the ServiceExport (they must be equal).
   * @default - the construct id
   */
  readonly serviceName?: string;
  /**
   * Pods per provider cluster, unless a placement says otherwise.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Plain environment variables. Put credentials in `secretEnv`, never here: this lands in Git.
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables read from existing Secrets, which are created out of band
   * (kubectl, SealedSecret, ExternalSecret) and never written to Git.
   * @default - none
   */
  readonly secretEnv?: SecretEnv[];
  /**
   * Existing Secrets whose every key becomes an environment variable (`envFrom`).
   * @default - none
   */
  readonly secretEnvFrom?: string[];
  /**
   * Container command (entrypoint).
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Container arguments.
   * @default - the image's command
   */
  readonly args?: string[];
  /**
   * Volume claim templates: one PersistentVolumeClaim per pod.
   * @default - none (the pods keep no data across rescheduling)
   */
  readonly volumeClaims?: VolumeClaim[];
  /**
   * @default - requests 250m CPU and 512Mi memory, no limits
   */
  readonly resources?: ContainerResources;
  /**
   * @default PodManagementPolicy.ORDERED_READY
   */
  readonly podManagementPolicy?: PodManagementPolicy;
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
  /**
   * @default 30
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * @default - none
   */
  readonly readinessProbe?: k8s.Probe;
  /**
   * @default - none
   */
  readonly livenessProbe?: k8s.Probe;
  /**
   * Container security context. Unlike cdk8s-plus, nothing is forced: database images
   * (mysql, postgres) start as root to initialise their data directory, then drop privileges.
   * @default - none: the image's own user, a writable root filesystem
   */
  readonly securityContext?: k8s.SecurityContext;
  /**
   * @default - the namespace's default ServiceAccount
   */
  readonly serviceAccountName?: string;
  /**
   * Extra labels for the pods (the selector stays `app: <serviceName>`).
   * @default - none
   */
  readonly podLabels?: Record<string, string>;
}

/**
 * A StatefulSet exported to the fleet: in each provider cluster, a StatefulSet, the headless
 * Service its pods get their DNS names from (`serviceName` equals the Service), and a
 * ServiceExport of the same name. Pods are reachable from consumer clusters one by one, by name.
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
  private readonly placements: readonly PlacementSpec[];

  public constructor(scope: Construct, id: string, props: MultiClusterStatefulSetProps) {
    super(scope, id);
    stampCreation(this);
    this.serviceName = props.serviceName ?? id;
    this.namespace = props.namespace;
    const where = `MultiClusterStatefulSet "${this.node.path}"`;
    let placements: PlacementSpec[] = [];
    checkInput(this, () => {
      validateProps(where, this.serviceName, props);
      requireSameFleet(where, this, props.providers.map((p) => p.cluster));
      placements = props.providers.map((p) => toPlacement(where, p, props.replicas ?? 1));
    });
    this.ports = props.ports.map(toPortSpec);
    const members = new Map<string, StatefulSetMember>();
    props.providers.forEach((p, i) => {
      const member = new StatefulSetMember(p.cluster, memberId(this), { ...props, serviceName: this.serviceName, placement: placements[i] });
      members.set(p.cluster.clusterId, member);
    });
    this.members = members;
    this.placements = placements;
  }

  /** The export of the service from every provider cluster, and each member's StatefulSet for the storage class check. */
  public fleetContribution(): FleetContribution {
    const exported: ExportSpec = {
      path: this.node.path,
      kind: 'MultiClusterStatefulSet',
      namespace: this.namespace,
      name: this.serviceName,
      headless: true,
      ports: this.ports,
      placements: this.placements,
      podsKnown: true,
    };
    const statefulSets = [...this.members].map(([clusterId, m]) => ({ apiObject: m.statefulSet, clusterId, workload: this.serviceName, path: m.node.path }));
    return { exports: [exported], statefulSets };
  }
}

function toPlacement(where: string, p: ProviderPlacement, defaultReplicas: number): PlacementSpec {
  const placement = { clusterId: p.cluster.clusterId, replicas: p.replicas ?? defaultReplicas, ordinalStart: p.ordinalStart ?? 0 };
  requireNonNegativeInteger(`${where} in cluster "${placement.clusterId}"`, 'replicas', placement.replicas, INT32_MAX);
  requireNonNegativeInteger(`${where} in cluster "${placement.clusterId}"`, 'ordinalStart', placement.ordinalStart, INT32_MAX);
  return placement;
}

/**
 * The StatefulSet controller labels every pod `controller-revision-hash: <name>-<hash of up to 10
 * characters>`; a label value holds at most 63, so a longer name leaves the StatefulSet without pods.
 */
const MAX_STATEFULSET_NAME_LENGTH = 52;

function validateProps(where: string, serviceName: string, props: MultiClusterStatefulSetProps): void {
  requireServiceName(where, 'serviceName', serviceName);
  if (serviceName.length > MAX_STATEFULSET_NAME_LENGTH) {
    throw new Error(
      `${where}: serviceName must be at most ${MAX_STATEFULSET_NAME_LENGTH} characters (it names the StatefulSet, whose pods carry the label ` +
        `"controller-revision-hash: <name>-<hash>" of at most 63 characters), got "${serviceName}" (${serviceName.length} characters)`,
    );
  }
  requireDnsLabel(where, 'namespace', props.namespace);
  if (props.image.trim() === '') {
    throw new Error(`${where}: image must name a container image, e.g. "mysql:8.4", got ""`);
  }
  if (props.providers.length === 0) {
    throw new Error(`${where}: providers must list at least one cluster, got none`);
  }
  const ids = props.providers.map((p) => p.cluster.clusterId);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) {
    throw new Error(`${where}: cluster "${dup}" is listed twice in providers; give it one placement with the total replicas`);
  }
  requirePorts(where, props.ports);
  Object.keys(props.env ?? {}).forEach((name) => requireEnvVarName(where, 'env', name));
  for (const s of props.secretEnv ?? []) {
    requireEnvVarName(where, 'secretEnv', s.name);
    requireDnsSubdomain(`${where}: secretEnv "${s.name}"`, 'secretName', s.secretName);
    requireSecretKey(`${where}: secretEnv "${s.name}"`, 'key', s.key);
  }
  for (const name of props.secretEnvFrom ?? []) {
    requireDnsSubdomain(where, 'secretEnvFrom', name);
  }
  requireVolumeClaims(where, props.volumeClaims ?? []);
  requireNonNegativeInteger(where, 'replicas', props.replicas ?? 1, INT32_MAX);
  requireNonNegativeInteger(where, 'terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? 30);
}
