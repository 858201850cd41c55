import { Duration } from 'cdk8s';
import { k8s, PodManagementPolicy, StatefulSetUpdateStrategy } from 'cdk8s-plus-28';
import { ContainerResources, SecretEnv } from './workload-props';

/**
 * The pod template and StatefulSet settings of a workload: what `MultiClusterStatefulSetProps`
 * sets for every provider cluster, what a `ProviderPlacement` overrides in one cluster, and what a
 * `StatefulSetMember` is built from. The Kubernetes structures (affinity, tolerations, volumes,
 * containers, probes) are the typed `k8s.*` API types of cdk8s-plus-28, written as the API
 * documents them.
 */
export interface WorkloadSpec {
  /**
   * Container image, e.g. `mysql:8.4` (a provider may override it, e.g. with a regional mirror).
   * @default - the workload's image (required on MultiClusterStatefulSet and StatefulSetMember)
   */
  readonly image?: string;
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
   * Plain environment variables of the main container. Put credentials in `secretEnv`, never
   * here: this lands in Git.
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
   * CPU and memory of the main container.
   * @default - requests 250m CPU and 512Mi memory, no limits
   */
  readonly resources?: ContainerResources;
  /**
   * Readiness probe of the main container.
   * @default - none
   */
  readonly readinessProbe?: k8s.Probe;
  /**
   * Liveness probe of the main container.
   * @default - none
   */
  readonly livenessProbe?: k8s.Probe;
  /**
   * Startup probe of the main container (holds the other probes back while a database recovers).
   * @default - none
   */
  readonly startupProbe?: k8s.Probe;
  /**
   * Container security context of the main container. Unlike cdk8s-plus, nothing is forced:
   * database images (mysql, postgres) start as root to initialise their data directory, then drop
   * privileges.
   * @default - none: the image's own user, a writable root filesystem
   */
  readonly securityContext?: k8s.SecurityContext;
  /**
   * Pod security context, e.g. `fsGroup` so the database user may write its volume.
   * @default - none
   */
  readonly podSecurityContext?: k8s.PodSecurityContext;
  /**
   * ServiceAccount the pods run as (in the workload's namespace, created elsewhere).
   * @default - the namespace's default ServiceAccount
   */
  readonly serviceAccountName?: string;
  /**
   * Extra labels for the pods. The selector label `app: <serviceName>` and the construct's own
   * `app.kubernetes.io/*` labels cannot be set here.
   * @default - none
   */
  readonly podLabels?: Record<string, string>;
  /**
   * Annotations of the pods (e.g. for a metrics scraper or a backup tool).
   * @default - none
   */
  readonly podAnnotations?: Record<string, string>;
  /**
   * Containers that run to completion before the main container starts, e.g. to render a config
   * file or wait for a peer. With `restartPolicy: 'Always'` one runs as a native sidecar
   * (Kubernetes >= 1.29).
   * @default - none
   */
  readonly initContainers?: k8s.Container[];
  /**
   * More containers running beside the main one in every pod (a metrics exporter, a backup
   * agent). They may mount `volumes` and the volume claims by name.
   * @default - none
   */
  readonly sidecars?: k8s.Container[];
  /**
   * Pod volumes beside the volume claims: ConfigMaps, Secrets, `emptyDir`... Mount them with
   * `volumeMounts` (main container) or in init containers and sidecars.
   * @default - none
   */
  readonly volumes?: k8s.Volume[];
  /**
   * Mounts of the main container beside those of the volume claims and `configMapMounts`.
   * @default - none
   */
  readonly volumeMounts?: k8s.VolumeMount[];
  /**
   * ConfigMaps mounted into the main container, each as a volume of its own: the short form of a
   * `volumes` entry plus a `volumeMounts` entry (e.g. a `my.cnf`).
   * @default - none
   */
  readonly configMapMounts?: ConfigMapMount[];
  /**
   * Node and pod (anti-)affinity of the pods, as the API writes it. `podAntiAffinity` adds its
   * term to this.
   * @default - none
   */
  readonly affinity?: k8s.Affinity;
  /**
   * Keeps the workload's pods apart: a pod anti-affinity term against the pods of the same
   * workload (its selector `app: <serviceName>`), per node by default.
   * @default - none
   */
  readonly podAntiAffinity?: PodAntiAffinity;
  /**
   * Tolerations of the pods, e.g. for nodes tainted for databases.
   * @default - none
   */
  readonly tolerations?: k8s.Toleration[];
  /**
   * Node labels a node must carry to run the pods.
   * @default - none
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Topology spread constraints of the pods (their `labelSelector` is usually the selector
   * `app: <serviceName>`).
   * @default - none
   */
  readonly topologySpreadConstraints?: k8s.TopologySpreadConstraint[];
  /**
   * Secrets (in the workload's namespace, created out of band) the kubelet pulls the images with.
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * PriorityClass of the pods.
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;
  /**
   * How pods are started and stopped (cdk8s-plus's `PodManagementPolicy`).
   * @default PodManagementPolicy.ORDERED_READY
   */
  readonly podManagementPolicy?: PodManagementPolicy;
  /**
   * How a changed pod template reaches the pods (cdk8s-plus's `StatefulSetUpdateStrategy`), e.g.
   * `StatefulSetUpdateStrategy.rollingUpdate({ partition: 2 })` for a staged rollout.
   * @default - Kubernetes' default: a rolling update of every pod
   */
  readonly updateStrategy?: StatefulSetUpdateStrategy;
  /**
   * How long a new pod must be ready before it counts as available (`minReadySeconds`).
   * @default - 0: available as soon as it is ready
   */
  readonly minReady?: Duration;
  /**
   * Time a pod gets to stop after SIGTERM (`terminationGracePeriodSeconds`).
   * @default Duration.seconds(30)
   */
  readonly terminationGracePeriod?: Duration;
  /**
   * The same as `terminationGracePeriod`, in seconds; set one of the two.
   * @default 30
   */
  readonly terminationGracePeriodSeconds?: number;
}

/** A ConfigMap mounted into the main container as a volume. */
export interface ConfigMapMount {
  /** Name of the ConfigMap, in the workload's namespace (created in each provider cluster, e.g. with `new k8s.KubeConfigMap(cluster, ...)`). */
  readonly configMapName: string;
  /** Where the volume is mounted, e.g. `/etc/mysql/conf.d`. */
  readonly mountPath: string;
  /**
   * Name of the pod volume.
   * @default - the ConfigMap's name
   */
  readonly volumeName?: string;
  /**
   * Only these keys, each at a path of its own under `mountPath`.
   * @default - every key, as a file named like the key
   */
  readonly items?: k8s.KeyToPath[];
  /**
   * File mode of the files, e.g. `0o444`.
   * @default - 0o644 (Kubernetes' default)
   */
  readonly defaultMode?: number;
  /**
   * Mount one key only, as a file at `mountPath` (the volume mount's `subPath`); the file does not
   * follow later changes of the ConfigMap.
   * @default - the whole volume at `mountPath`
   */
  readonly subPath?: string;
  /**
   * Start the pods even when the ConfigMap does not exist.
   * @default false
   */
  readonly optional?: boolean;
}

/** A pod anti-affinity term that keeps the pods of one workload apart. */
export interface PodAntiAffinity {
  /**
   * The node label whose values are the domains pods are spread over.
   * @default 'kubernetes.io/hostname' (one pod per node)
   */
  readonly topologyKey?: string;
  /**
   * Whether the scheduler must keep the pods apart (a pod stays Pending when it cannot) or only
   * prefers to.
   * @default false (preferred)
   */
  readonly required?: boolean;
  /**
   * Weight (1-100) of the preference, when not required.
   * @default 100
   */
  readonly weight?: number;
}
