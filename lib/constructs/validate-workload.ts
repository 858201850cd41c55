/**
 * Eager checks of a `WorkloadSpec` (the pod template of a StatefulSet): what the API server would
 * refuse, caught at construction time with the construct, the field, the value and the fix.
 */
import { Duration, Size } from 'cdk8s';
import { Cpu, k8s, PodManagementPolicy } from 'cdk8s-plus-28';
import { isDnsLabel } from '../fleet/names';
import { commonLabels, quantityText } from './pod-template';
import type { StatefulSetWorkloadProps } from './stateful-set-member';
import {
  isQuantity, requireDnsLabel, requireDnsSubdomain, requireEnvVarName, requireNonNegativeInteger, requirePorts, requireSecretKey, requireServiceName, requireVolumeClaims,
} from './validate';
import { WorkloadSpec } from './workload-spec';

const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** What the checks need beside the spec: the main container's name and the volume claims it mounts. */
export interface WorkloadContext {
  readonly serviceName: string;
  readonly claims: readonly { readonly name: string; readonly mountPath: string }[];
}

/**
 * The StatefulSet controller labels every pod `controller-revision-hash: <name>-<hash of up to 10
 * characters>`; a label value holds at most 63, so a longer name leaves the StatefulSet without pods.
 */
const MAX_STATEFULSET_NAME_LENGTH = 52;

/** Everything an exported StatefulSet declares: names, image, ports, claims and its pod template. */
export function requireStatefulSetWorkload(where: string, serviceName: string, props: StatefulSetWorkloadProps): void {
  requireServiceName(where, 'serviceName', serviceName);
  if (serviceName.length > MAX_STATEFULSET_NAME_LENGTH) {
    throw new Error(
      `${where}: serviceName must be at most ${MAX_STATEFULSET_NAME_LENGTH} characters (it names the StatefulSet, whose pods carry the label ` +
        `"controller-revision-hash: <name>-<hash>" of at most 63 characters), got "${serviceName}" (${serviceName.length} characters)`,
    );
  }
  requireDnsLabel(where, 'namespace', props.namespace);
  if (typeof props.image !== 'string' || props.image.trim() === '') {
    throw new Error(`${where}: image must name a container image, e.g. "mysql:8.4", got ${JSON.stringify(props.image ?? '')}`);
  }
  requirePorts(where, props.ports);
  requireVolumeClaims(where, props.volumeClaims ?? []);
  requireWorkloadSpec(where, props, { serviceName, claims: props.volumeClaims ?? [] });
}

export function requireWorkloadSpec(where: string, spec: WorkloadSpec, context: WorkloadContext): void {
  if (spec.image !== undefined && spec.image.trim() === '') {
    throw new Error(`${where}: image must name a container image, e.g. "mysql:8.4", got "${spec.image}"`);
  }
  requireEnv(where, spec);
  requireResources(where, spec);
  requireNames(where, spec);
  requireLabelsAndAnnotations(where, spec, context.serviceName);
  requireContainersAndVolumes(where, spec, context);
  (spec.tolerations ?? []).forEach((t, i) => requireToleration(`${where}: tolerations[${i}]`, t));
  requireScheduling(where, spec);
  requireDurations(where, spec);
}

function requireEnv(where: string, spec: WorkloadSpec): void {
  Object.keys(spec.env ?? {}).forEach((name) => requireEnvVarName(where, 'env', name));
  for (const s of spec.secretEnv ?? []) {
    requireEnvVarName(where, 'secretEnv', s.name);
    requireDnsSubdomain(`${where}: secretEnv "${s.name}"`, 'secretName', s.secretName);
    requireSecretKey(`${where}: secretEnv "${s.name}"`, 'key', s.key);
  }
  for (const name of spec.secretEnvFrom ?? []) {
    requireDnsSubdomain(where, 'secretEnvFrom', name);
  }
}

function requireResources(where: string, spec: WorkloadSpec): void {
  for (const [field, value] of Object.entries(spec.resources ?? {}) as Array<[string, string | Size | Cpu | undefined]>) {
    if (value === undefined) {
      continue;
    }
    const text = quantityText(value);
    if (!isQuantity(text)) {
      throw new Error(`${where}: resources.${field} must be a Kubernetes quantity such as "500m", "2" or "4Gi" (or a Cpu / Size), got "${text}"`);
    }
  }
}

function requireNames(where: string, spec: WorkloadSpec): void {
  if (spec.serviceAccountName !== undefined) {
    requireDnsSubdomain(where, 'serviceAccountName', spec.serviceAccountName);
  }
  if (spec.priorityClassName !== undefined) {
    requireDnsSubdomain(where, 'priorityClassName', spec.priorityClassName);
  }
  (spec.imagePullSecrets ?? []).forEach((name) => requireDnsSubdomain(where, 'imagePullSecrets', name));
  if (spec.podManagementPolicy !== undefined && !Object.values(PodManagementPolicy).includes(spec.podManagementPolicy)) {
    throw new Error(`${where}: podManagementPolicy must be PodManagementPolicy.ORDERED_READY or PodManagementPolicy.PARALLEL, got ${JSON.stringify(spec.podManagementPolicy)}`);
  }
}

/** `prefix/name` as label and annotation keys take it. */
function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  const name = parts.pop()!;
  const prefixOk = parts.length === 0 || (parts.length === 1 && parts[0].length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(parts[0]));
  return prefixOk && name.length <= 63 && LABEL_NAME.test(name);
}

function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && LABEL_NAME.test(value));
}

function requireLabelMap(where: string, field: string, map: Record<string, string> | undefined, valuesAreLabels: boolean): void {
  for (const [key, value] of Object.entries(map ?? {})) {
    if (!isQualifiedName(key)) {
      throw new Error(`${where}: ${field} key must be a qualified name ([prefix/]name: name at most 63 characters of letters, digits, '-', '_' and '.'), got "${key}"`);
    }
    if (valuesAreLabels && (typeof value !== 'string' || !isLabelValue(value))) {
      throw new Error(`${where}: ${field} "${key}" must be a label value (at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit), got ${JSON.stringify(value)}`);
    }
  }
}

function requireLabelsAndAnnotations(where: string, spec: WorkloadSpec, serviceName: string): void {
  requireLabelMap(where, 'podLabels', spec.podLabels, true);
  requireLabelMap(where, 'podAnnotations', spec.podAnnotations, false);
  requireLabelMap(where, 'nodeSelector', spec.nodeSelector, true);
  const reserved = Object.keys(spec.podLabels ?? {}).find((k) => k in commonLabels(serviceName));
  if (reserved) {
    throw new Error(`${where}: podLabels "${reserved}" is set by the construct (the selector and app.kubernetes.io labels: ${Object.keys(commonLabels(serviceName)).join(', ')}); use another key`);
  }
}

function requireContainersAndVolumes(where: string, spec: WorkloadSpec, context: WorkloadContext): void {
  const containers: Array<{ field: string; c: k8s.Container }> = [
    ...(spec.initContainers ?? []).map((c, i) => ({ field: `initContainers[${i}]`, c })),
    ...(spec.sidecars ?? []).map((c, i) => ({ field: `sidecars[${i}]`, c })),
  ];
  const names = [context.serviceName];
  for (const { field, c } of containers) {
    if (!isDnsLabel(c.name ?? '')) {
      throw new Error(`${where}: ${field}.name must be a DNS label, got ${JSON.stringify(c.name)}`);
    }
    if (names.includes(c.name)) {
      throw new Error(`${where}: ${field}.name "${c.name}" is taken${c.name === context.serviceName ? ' by the main container (named after serviceName)' : ' by another container'}; each container of a pod needs its own name`);
    }
    names.push(c.name);
    if (!c.image || c.image.trim() === '') {
      throw new Error(`${where}: ${field} ("${c.name}") must name a container image, got ${JSON.stringify(c.image)}`);
    }
  }
  const volumes = podVolumeNames(where, spec, context);
  const mounts: Array<{ field: string; m: k8s.VolumeMount }> = [
    ...(spec.volumeMounts ?? []).map((m, i) => ({ field: `volumeMounts[${i}]`, m })),
    ...containers.flatMap(({ field, c }) => (c.volumeMounts ?? []).map((m, i) => ({ field: `${field}.volumeMounts[${i}]`, m }))),
  ];
  for (const { field, m } of mounts) {
    if (!volumes.includes(m.name)) {
      throw new Error(`${where}: ${field} mounts volume "${m.name}", which the pod does not have (volumes: ${volumes.map((v) => `"${v}"`).join(', ') || 'none'}). Fix: add it to volumes or configMapMounts, or mount a volume claim by its name`);
    }
    if (!m.mountPath || m.mountPath.trim() === '') {
      throw new Error(`${where}: ${field} ("${m.name}") needs a mountPath, got ${JSON.stringify(m.mountPath)}`);
    }
  }
  const mainPaths = [
    ...context.claims.map((c) => c.mountPath),
    ...(spec.configMapMounts ?? []).map((m) => m.mountPath),
    ...(spec.volumeMounts ?? []).map((m) => m.mountPath),
  ];
  const dupPath = mainPaths.find((p, i) => mainPaths.indexOf(p) !== i);
  if (dupPath !== undefined) {
    throw new Error(`${where}: mountPath "${dupPath}" is used twice in the main container; each mount needs its own path`);
  }
}

/** Every pod volume name (volumes, ConfigMap mounts, claims): DNS labels, each once. */
function podVolumeNames(where: string, spec: WorkloadSpec, context: WorkloadContext): string[] {
  const named = [
    ...(spec.volumes ?? []).map((v, i) => ({ field: `volumes[${i}]`, name: v.name })),
    ...(spec.configMapMounts ?? []).map((m, i) => ({ field: `configMapMounts[${i}]`, name: m.volumeName ?? m.configMapName })),
    ...context.claims.map((c) => ({ field: `volume claim "${c.name}"`, name: c.name })),
  ];
  (spec.configMapMounts ?? []).forEach((m, i) => {
    requireDnsSubdomain(`${where}: configMapMounts[${i}]`, 'configMapName', m.configMapName);
    if (!m.mountPath || m.mountPath.trim() === '') {
      throw new Error(`${where}: configMapMounts[${i}] ("${m.configMapName}") needs a mountPath, e.g. "/etc/mysql/conf.d", got ${JSON.stringify(m.mountPath)}`);
    }
  });
  const seen = new Map<string, string>();
  for (const { field, name } of named) {
    if (!isDnsLabel(name ?? '')) {
      throw new Error(`${where}: ${field} volume name must be a DNS label, got ${JSON.stringify(name)}${field.startsWith('configMapMounts') ? ' (set volumeName when the ConfigMap name has dots)' : ''}`);
    }
    const first = seen.get(name);
    if (first) {
      throw new Error(`${where}: volume name "${name}" is used by ${first} and ${field}; each pod volume needs its own name`);
    }
    seen.set(name, field);
  }
  return [...seen.keys()];
}

function requireToleration(where: string, t: k8s.Toleration): void {
  if (t.operator !== undefined && !TOLERATION_OPERATORS.includes(t.operator)) {
    throw new Error(`${where}: operator must be "Equal" or "Exists", got ${JSON.stringify(t.operator)}`);
  }
  if (t.effect !== undefined && t.effect !== '' && !TAINT_EFFECTS.includes(t.effect)) {
    throw new Error(`${where}: effect must be one of ${TAINT_EFFECTS.map((e) => `"${e}"`).join(', ')} (or empty for all), got ${JSON.stringify(t.effect)}`);
  }
  if (t.operator === 'Exists' && t.value !== undefined && t.value !== '') {
    throw new Error(`${where}: value must be empty with operator "Exists", got ${JSON.stringify(t.value)}; use operator "Equal" to match a value`);
  }
  if (!t.key && t.operator !== 'Exists') {
    throw new Error(`${where}: a toleration without a key must use operator "Exists" (it then tolerates every taint)`);
  }
  if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
    throw new Error(`${where}: tolerationSeconds applies to effect "NoExecute" only, got effect ${JSON.stringify(t.effect)}`);
  }
}

function requireScheduling(where: string, spec: WorkloadSpec): void {
  const spread = spec.podAntiAffinity;
  if (spread?.topologyKey !== undefined && !isQualifiedName(spread.topologyKey)) {
    throw new Error(`${where}: podAntiAffinity.topologyKey must be a node label key such as "kubernetes.io/hostname" or "topology.kubernetes.io/zone", got "${spread.topologyKey}"`);
  }
  if (spread?.weight !== undefined && (!Number.isInteger(spread.weight) || spread.weight < 1 || spread.weight > 100)) {
    throw new Error(`${where}: podAntiAffinity.weight must be an integer from 1 to 100, got ${spread.weight}`);
  }
  if (spread?.required && spread.weight !== undefined) {
    throw new Error(`${where}: podAntiAffinity.weight applies to preferred anti-affinity only; drop it or set required: false`);
  }
}

function requireDurations(where: string, spec: WorkloadSpec): void {
  if (spec.terminationGracePeriod !== undefined && spec.terminationGracePeriodSeconds !== undefined) {
    throw new Error(`${where}: set terminationGracePeriod or terminationGracePeriodSeconds, not both (got ${spec.terminationGracePeriod.toHumanString()} and ${spec.terminationGracePeriodSeconds})`);
  }
  requireWholeSeconds(where, 'terminationGracePeriod', spec.terminationGracePeriod);
  requireWholeSeconds(where, 'minReady', spec.minReady);
  requireNonNegativeInteger(where, 'terminationGracePeriodSeconds', spec.terminationGracePeriodSeconds ?? 30);
}

function requireWholeSeconds(where: string, field: string, d: Duration | undefined): void {
  if (d !== undefined && !Number.isInteger(d.toSeconds({ integral: false }))) {
    throw new Error(`${where}: ${field} must be a whole number of seconds (the API takes seconds), got ${d.toHumanString()}`);
  }
}
