import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { ServiceExport } from '../../imports/multicluster.x-k8s.io';
import { PlacementSpec, Protocol } from '../fleet/model';
import { LABEL_APP_MANAGED_BY, LABEL_APP_NAME, LABEL_PART_OF, MANAGER } from '../fleet/names';
import { Cluster } from './cluster';
import type { MultiClusterStatefulSetProps } from './multi-cluster-stateful-set';
import { AccessMode, PodManagementPolicy, PvcRetention } from './workload-props';

/** Props of the per-cluster part of a MultiClusterStatefulSet. */
export interface StatefulSetMemberProps extends MultiClusterStatefulSetProps {
  /** Name of the StatefulSet, Service and ServiceExport. */
  readonly serviceName: string;
  /** The cluster and the pod ordinals this member runs. */
  readonly placement: PlacementSpec;
}

const DEFAULT_CPU_REQUEST = '250m';
const DEFAULT_MEMORY_REQUEST = '512Mi';

/**
 * What a MultiClusterStatefulSet puts into one provider cluster: the headless Service, the
 * StatefulSet and the ServiceExport, all named `serviceName` in `namespace`.
 */
export class StatefulSetMember extends Construct {
  /** The headless Service the pods get their DNS names from. */
  public readonly service: k8s.KubeService;
  /** The StatefulSet in this cluster. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The ServiceExport that exports the Service to the fleet. */
  public readonly serviceExport: ServiceExport;

  public constructor(cluster: Cluster, id: string, props: StatefulSetMemberProps) {
    super(cluster, id);
    cluster.ensureNamespace(props.namespace);
    const metadata = { name: props.serviceName, namespace: props.namespace, labels: commonLabels(props.serviceName) };
    this.service = new k8s.KubeService(this, 'Service', { metadata, spec: serviceSpec(props) });
    this.statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata,
      spec: statefulSetSpec(props, cluster.spec.storageClass),
    });
    this.serviceExport = new ServiceExport(this, 'Export', { metadata });
  }
}

export function selectorLabels(serviceName: string): Record<string, string> {
  return { app: serviceName };
}

function commonLabels(serviceName: string): Record<string, string> {
  return { ...selectorLabels(serviceName), [LABEL_APP_NAME]: serviceName, [LABEL_PART_OF]: serviceName, [LABEL_APP_MANAGED_BY]: MANAGER };
}

function serviceSpec(props: StatefulSetMemberProps): k8s.ServiceSpec {
  return {
    // Headless: per-pod A records, and the MCS import type becomes Headless.
    clusterIp: 'None',
    selector: selectorLabels(props.serviceName),
    publishNotReadyAddresses: props.publishNotReadyAddresses ?? false,
    ports: props.ports.map((p) => ({
      name: p.name,
      port: p.port,
      protocol: p.protocol ?? Protocol.TCP,
      targetPort: k8s.IntOrString.fromNumber(p.containerPort ?? p.port),
      ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    })),
  };
}

function statefulSetSpec(props: StatefulSetMemberProps, clusterStorageClass: string | undefined): k8s.StatefulSetSpec {
  const claims = props.volumeClaims ?? [];
  return {
    replicas: props.placement.replicas,
    // serviceName must equal the headless Service: pods then get hostname/subdomain and DNS names.
    serviceName: props.serviceName,
    selector: { matchLabels: selectorLabels(props.serviceName) },
    podManagementPolicy: props.podManagementPolicy ?? PodManagementPolicy.ORDERED_READY,
    ...(props.placement.ordinalStart > 0 ? { ordinals: { start: props.placement.ordinalStart } } : {}),
    persistentVolumeClaimRetentionPolicy: {
      whenDeleted: props.pvcRetentionWhenDeleted ?? PvcRetention.RETAIN,
      whenScaled: props.pvcRetentionWhenScaled ?? PvcRetention.RETAIN,
    },
    template: {
      metadata: { labels: { ...props.podLabels, ...commonLabels(props.serviceName) } },
      spec: podSpec(props),
    },
    ...(claims.length > 0
      ? {
        volumeClaimTemplates: claims.map((c) => ({
          metadata: { name: c.name },
          spec: {
            accessModes: c.accessModes ?? [AccessMode.READ_WRITE_ONCE],
            storageClassName: c.storageClass ?? clusterStorageClass,
            resources: { requests: { storage: k8s.Quantity.fromString(c.size) } },
          },
        })),
      }
      : {}),
  };
}

function podSpec(props: StatefulSetMemberProps): k8s.PodSpec {
  return {
    terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 30,
    ...(props.serviceAccountName ? { serviceAccountName: props.serviceAccountName } : {}),
    containers: [container(props)],
  };
}

function container(props: StatefulSetMemberProps): k8s.Container {
  const env = [
    ...Object.entries(props.env ?? {}).map(([name, value]) => ({ name, value })),
    ...(props.secretEnv ?? []).map((s) => ({
      name: s.name,
      valueFrom: { secretKeyRef: { name: s.secretName, key: s.key, ...(s.optional ? { optional: true } : {}) } },
    })),
  ];
  const r = props.resources ?? {};
  const q = (v: string | undefined) => (v === undefined ? undefined : k8s.Quantity.fromString(v));
  const limits = { cpu: q(r.cpuLimit), memory: q(r.memoryLimit) };
  return {
    name: props.serviceName,
    image: props.image,
    ...(props.command ? { command: props.command } : {}),
    ...(props.args ? { args: props.args } : {}),
    ports: props.ports.map((p) => ({ name: p.name, containerPort: p.containerPort ?? p.port, protocol: p.protocol ?? Protocol.TCP })),
    ...(env.length > 0 ? { env } : {}),
    ...(props.secretEnvFrom?.length ? { envFrom: props.secretEnvFrom.map((name) => ({ secretRef: { name } })) } : {}),
    ...((props.volumeClaims ?? []).length > 0 ? { volumeMounts: props.volumeClaims!.map((c) => ({ name: c.name, mountPath: c.mountPath })) } : {}),
    resources: {
      requests: { cpu: q(r.cpuRequest ?? DEFAULT_CPU_REQUEST)!, memory: q(r.memoryRequest ?? DEFAULT_MEMORY_REQUEST)! },
      ...(limits.cpu || limits.memory ? { limits: Object.fromEntries(Object.entries(limits).filter(([, v]) => v)) as Record<string, k8s.Quantity> } : {}),
    },
    ...(props.readinessProbe ? { readinessProbe: props.readinessProbe } : {}),
    ...(props.livenessProbe ? { livenessProbe: props.livenessProbe } : {}),
    ...(props.securityContext ? { securityContext: props.securityContext } : {}),
  };
}
