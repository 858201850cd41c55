/**
 * A workload's Kubernetes specs from its `WorkloadSpec`: the headless Service, the StatefulSet and
 * its pod template. Pure functions; fields the spec does not set are left out, so the defaults of
 * the reference scenario render exactly as before pod-template control existed.
 */
import { Duration, Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { PlacementSpec, Protocol } from '../fleet/model';
import { LABEL_APP_MANAGED_BY, LABEL_APP_NAME, LABEL_PART_OF, MANAGER } from '../fleet/names';
import { AccessMode, PodManagementPolicy, PvcRetention, VolumeClaim, WorkloadPort } from './workload-props';
import { WorkloadSpec } from './workload-spec';

/** Everything one cluster's StatefulSet is built from: the workload's spec with that cluster's overrides applied. */
export interface MemberTemplate extends WorkloadSpec {
  readonly serviceName: string;
  readonly namespace: string;
  readonly image: string;
  readonly ports: readonly WorkloadPort[];
  readonly placement: PlacementSpec;
  readonly volumeClaims?: readonly VolumeClaim[];
  readonly pvcRetentionWhenDeleted?: PvcRetention;
  readonly pvcRetentionWhenScaled?: PvcRetention;
  readonly publishNotReadyAddresses?: boolean;
}

const DEFAULT_CPU_REQUEST = '250m';
const DEFAULT_MEMORY_REQUEST = '512Mi';
const DEFAULT_TERMINATION_GRACE_SECONDS = 30;

/** The keys of `WorkloadSpec`, so a placement's overrides can be told from its other fields. */
const WORKLOAD_SPEC_KEYS: Record<keyof WorkloadSpec, 'replace' | 'merge'> = {
  image: 'replace', command: 'replace', args: 'replace', env: 'merge', secretEnv: 'replace', secretEnvFrom: 'replace', resources: 'replace',
  readinessProbe: 'replace', livenessProbe: 'replace', startupProbe: 'replace', securityContext: 'replace', podSecurityContext: 'replace',
  serviceAccountName: 'replace', podLabels: 'merge', podAnnotations: 'merge', initContainers: 'replace', sidecars: 'replace', volumes: 'replace',
  volumeMounts: 'replace', configMapMounts: 'replace', affinity: 'replace', podAntiAffinity: 'replace', tolerations: 'replace', nodeSelector: 'merge',
  topologySpreadConstraints: 'replace', imagePullSecrets: 'replace', priorityClassName: 'replace', podManagementPolicy: 'replace',
  updateStrategy: 'replace', minReady: 'replace', terminationGracePeriod: 'replace', terminationGracePeriodSeconds: 'replace',
};

/**
 * `base` with the `WorkloadSpec` fields `override` sets: maps (`env`, `podLabels`, `podAnnotations`,
 * `nodeSelector`) are merged, the override's keys winning; every other field is replaced. Fields of
 * `override` that are not `WorkloadSpec` fields (a placement's `cluster`, `replicas`) are ignored.
 */
export function withOverrides<T extends WorkloadSpec>(base: T, override: WorkloadSpec): T {
  const merged: Record<string, unknown> = { ...(base as object) };
  for (const [key, how] of Object.entries(WORKLOAD_SPEC_KEYS)) {
    const value = (override as Record<string, unknown>)[key];
    if (value !== undefined) {
      merged[key] = how === 'merge' ? { ...(merged[key] as object | undefined), ...(value as object) } : value;
    }
  }
  // The two spellings of the grace period: the one the override sets wins.
  if (override.terminationGracePeriod !== undefined) {
    delete merged.terminationGracePeriodSeconds;
  } else if (override.terminationGracePeriodSeconds !== undefined) {
    delete merged.terminationGracePeriod;
  }
  return merged as T;
}

/** Whether `placement` sets any `WorkloadSpec` field (else its cluster's spec is the workload's own). */
export function hasOverrides(placement: WorkloadSpec): boolean {
  return Object.keys(WORKLOAD_SPEC_KEYS).some((key) => (placement as Record<string, unknown>)[key] !== undefined);
}

/** A quantity as the API takes it, from a string or a cdk8s-plus `Cpu` / cdk8s `Size`. */
export function quantityText(value: string | Size | Cpu): string {
  if (typeof value === 'string') {
    return value;
  }
  return 'asString' in value ? value.asString() : value.amount;
}

/** Whole seconds of a grace period or duration (the API takes integers). */
export function wholeSeconds(d: Duration): number {
  return d.toSeconds({ integral: false });
}

export function selectorLabels(serviceName: string): Record<string, string> {
  return { app: serviceName };
}

/** Labels of every object of a workload; pods carry them too, so `podLabels` cannot set them. */
export function commonLabels(serviceName: string): Record<string, string> {
  return { ...selectorLabels(serviceName), [LABEL_APP_NAME]: serviceName, [LABEL_PART_OF]: serviceName, [LABEL_APP_MANAGED_BY]: MANAGER };
}

export function serviceSpec(t: MemberTemplate): k8s.ServiceSpec {
  return {
    // Headless: per-pod A records, and the MCS import type becomes Headless.
    clusterIp: 'None',
    selector: selectorLabels(t.serviceName),
    publishNotReadyAddresses: t.publishNotReadyAddresses ?? false,
    ports: t.ports.map((p) => ({
      name: p.name,
      port: p.port,
      protocol: p.protocol ?? Protocol.TCP,
      targetPort: k8s.IntOrString.fromNumber(p.containerPort ?? p.port),
      ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    })),
  };
}

export function statefulSetSpec(t: MemberTemplate, clusterStorageClass: string | undefined): k8s.StatefulSetSpec {
  const claims = t.volumeClaims ?? [];
  return {
    replicas: t.placement.replicas,
    // serviceName must equal the headless Service: pods then get hostname/subdomain and DNS names.
    serviceName: t.serviceName,
    selector: { matchLabels: selectorLabels(t.serviceName) },
    podManagementPolicy: t.podManagementPolicy ?? PodManagementPolicy.ORDERED_READY,
    ...(t.placement.ordinalStart > 0 ? { ordinals: { start: t.placement.ordinalStart } } : {}),
    ...(t.updateStrategy ? { updateStrategy: t.updateStrategy._toKube() } : {}),
    ...(t.minReady !== undefined ? { minReadySeconds: wholeSeconds(t.minReady) } : {}),
    persistentVolumeClaimRetentionPolicy: {
      whenDeleted: t.pvcRetentionWhenDeleted ?? PvcRetention.RETAIN,
      whenScaled: t.pvcRetentionWhenScaled ?? PvcRetention.RETAIN,
    },
    template: {
      metadata: {
        labels: { ...t.podLabels, ...commonLabels(t.serviceName) },
        ...(t.podAnnotations && Object.keys(t.podAnnotations).length > 0 ? { annotations: t.podAnnotations } : {}),
      },
      spec: podSpec(t),
    },
    ...(claims.length > 0 ? { volumeClaimTemplates: claims.map((c) => claimTemplate(c, clusterStorageClass)) } : {}),
  };
}

function claimTemplate(c: VolumeClaim, clusterStorageClass: string | undefined): k8s.KubePersistentVolumeClaimProps {
  return {
    metadata: { name: c.name },
    spec: {
      accessModes: c.accessModes ?? [AccessMode.READ_WRITE_ONCE],
      storageClassName: c.storageClass ?? clusterStorageClass,
      resources: { requests: { storage: k8s.Quantity.fromString(quantityText(c.size)) } },
    },
  };
}

function terminationGraceSeconds(t: WorkloadSpec): number {
  if (t.terminationGracePeriod !== undefined) {
    return wholeSeconds(t.terminationGracePeriod);
  }
  return t.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS;
}

function podSpec(t: MemberTemplate): k8s.PodSpec {
  const affinity = withAntiAffinity(t);
  const volumes = [...(t.volumes ?? []), ...(t.configMapMounts ?? []).map(configMapVolume)];
  return {
    terminationGracePeriodSeconds: terminationGraceSeconds(t),
    ...(t.serviceAccountName ? { serviceAccountName: t.serviceAccountName } : {}),
    ...(t.initContainers?.length ? { initContainers: t.initContainers } : {}),
    containers: [mainContainer(t), ...(t.sidecars ?? [])],
    ...(volumes.length > 0 ? { volumes } : {}),
    ...(affinity ? { affinity } : {}),
    ...(t.tolerations?.length ? { tolerations: t.tolerations } : {}),
    ...(t.nodeSelector && Object.keys(t.nodeSelector).length > 0 ? { nodeSelector: t.nodeSelector } : {}),
    ...(t.topologySpreadConstraints?.length ? { topologySpreadConstraints: t.topologySpreadConstraints } : {}),
    ...(t.imagePullSecrets?.length ? { imagePullSecrets: t.imagePullSecrets.map((name) => ({ name })) } : {}),
    ...(t.priorityClassName ? { priorityClassName: t.priorityClassName } : {}),
    ...(t.podSecurityContext ? { securityContext: t.podSecurityContext } : {}),
  };
}

/** `affinity` with the `podAntiAffinity` term added (required or preferred). */
function withAntiAffinity(t: MemberTemplate): k8s.Affinity | undefined {
  const spread = t.podAntiAffinity;
  if (!spread) {
    return t.affinity;
  }
  const term: k8s.PodAffinityTerm = { labelSelector: { matchLabels: selectorLabels(t.serviceName) }, topologyKey: spread.topologyKey ?? 'kubernetes.io/hostname' };
  const existing = t.affinity?.podAntiAffinity;
  const podAntiAffinity: k8s.PodAntiAffinity = spread.required
    ? { ...existing, requiredDuringSchedulingIgnoredDuringExecution: [...(existing?.requiredDuringSchedulingIgnoredDuringExecution ?? []), term] }
    : {
      ...existing,
      preferredDuringSchedulingIgnoredDuringExecution: [...(existing?.preferredDuringSchedulingIgnoredDuringExecution ?? []), { weight: spread.weight ?? 100, podAffinityTerm: term }],
    };
  return { ...t.affinity, podAntiAffinity };
}

function configMapVolume(m: NonNullable<WorkloadSpec['configMapMounts']>[number]): k8s.Volume {
  return {
    name: m.volumeName ?? m.configMapName,
    configMap: {
      name: m.configMapName,
      ...(m.items ? { items: m.items } : {}),
      ...(m.defaultMode !== undefined ? { defaultMode: m.defaultMode } : {}),
      ...(m.optional ? { optional: true } : {}),
    },
  };
}

function mainContainer(t: MemberTemplate): k8s.Container {
  const env = [
    ...Object.entries(t.env ?? {}).map(([name, value]) => ({ name, value })),
    ...(t.secretEnv ?? []).map((s) => ({
      name: s.name,
      valueFrom: { secretKeyRef: { name: s.secretName, key: s.key, ...(s.optional ? { optional: true } : {}) } },
    })),
  ];
  const volumeMounts: k8s.VolumeMount[] = [
    ...(t.volumeClaims ?? []).map((c) => ({ name: c.name, mountPath: c.mountPath })),
    ...(t.configMapMounts ?? []).map((m) => ({ name: m.volumeName ?? m.configMapName, mountPath: m.mountPath, readOnly: true, ...(m.subPath ? { subPath: m.subPath } : {}) })),
    ...(t.volumeMounts ?? []),
  ];
  return {
    name: t.serviceName,
    image: t.image,
    ...(t.command ? { command: t.command } : {}),
    ...(t.args ? { args: t.args } : {}),
    ports: t.ports.map((p) => ({ name: p.name, containerPort: p.containerPort ?? p.port, protocol: p.protocol ?? Protocol.TCP })),
    ...(env.length > 0 ? { env } : {}),
    ...(t.secretEnvFrom?.length ? { envFrom: t.secretEnvFrom.map((name) => ({ secretRef: { name } })) } : {}),
    ...(volumeMounts.length > 0 ? { volumeMounts } : {}),
    resources: containerResources(t),
    ...(t.readinessProbe ? { readinessProbe: t.readinessProbe } : {}),
    ...(t.livenessProbe ? { livenessProbe: t.livenessProbe } : {}),
    ...(t.startupProbe ? { startupProbe: t.startupProbe } : {}),
    ...(t.securityContext ? { securityContext: t.securityContext } : {}),
  };
}

function containerResources(t: WorkloadSpec): k8s.ResourceRequirements {
  const r = t.resources ?? {};
  const q = (v: string | Size | Cpu | undefined) => (v === undefined ? undefined : k8s.Quantity.fromString(quantityText(v)));
  const limits = Object.entries({ cpu: q(r.cpuLimit), memory: q(r.memoryLimit) }).filter((e): e is [string, k8s.Quantity] => e[1] !== undefined);
  return {
    requests: { cpu: q(r.cpuRequest ?? DEFAULT_CPU_REQUEST)!, memory: q(r.memoryRequest ?? DEFAULT_MEMORY_REQUEST)! },
    ...(limits.length > 0 ? { limits: Object.fromEntries(limits) } : {}),
  };
}
