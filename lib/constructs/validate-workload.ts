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
  dnsLabelSuggestion, dnsSubdomainSuggestion, isQuantity, labelFix, quantitySuggestion, requireDnsLabel, requireDnsSubdomain, requireEnvVarName,
  requireNonNegativeInteger, requirePorts, requireSecretKey, requireServiceName, requireVolumeClaims,
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

const IMAGE_FIX = 'set image to the image to run, with its tag, e.g. "mysql:8.4"';

/** Everything an exported StatefulSet declares: names, image, ports, claims and its pod template. */
export function requireStatefulSetWorkload(where: string, serviceName: string, props: StatefulSetWorkloadProps): void {
  requireServiceName(where, 'serviceName', serviceName);
  if (serviceName.length > MAX_STATEFULSET_NAME_LENGTH) {
    throw new Error(
      `${where}: serviceName must be at most ${MAX_STATEFULSET_NAME_LENGTH} characters (it names the StatefulSet, whose pods carry the label ` +
        `"controller-revision-hash: <name>-<hash>" of at most 63 characters), got "${serviceName}" (${serviceName.length} characters). ` +
        `Fix: use a shorter name, e.g. "${serviceName.slice(0, MAX_STATEFULSET_NAME_LENGTH).replace(/-+$/, '')}"`,
    );
  }
  requireDnsLabel(where, 'namespace', props.namespace);
  if (typeof props.image !== 'string' || props.image.trim() === '') {
    throw new Error(`${where}: image must name a container image, got ${JSON.stringify(props.image ?? '')}. Fix: ${IMAGE_FIX}`);
  }
  requirePorts(where, props.ports);
  requireVolumeClaims(where, props.volumeClaims ?? []);
  requireWorkloadSpec(where, props, { serviceName, claims: props.volumeClaims ?? [] });
}

export function requireWorkloadSpec(where: string, spec: WorkloadSpec, context: WorkloadContext): void {
  if (spec.image !== undefined && spec.image.trim() === '') {
    throw new Error(`${where}: image must name a container image, got "${spec.image}". Fix: ${IMAGE_FIX}`);
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
      const suggestion = quantitySuggestion(text);
      const fix = suggestion !== undefined
        ? `use "${suggestion}" instead`
        : field.startsWith('cpu') ? `set ${field} in cores, e.g. "500m" (Cpu.millis(500)) or "2"` : `set ${field} in bytes, e.g. "4Gi" (Size.gibibytes(4)) or "512Mi"`;
      throw new Error(`${where}: resources.${field} must be a Kubernetes quantity such as "500m", "2" or "4Gi" (or a Cpu / Size), got "${text}". Fix: ${fix}`);
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
    const given = String(spec.podManagementPolicy).toLowerCase();
    const fix = given.includes('parallel') ? 'use PodManagementPolicy.PARALLEL'
      : given.includes('order') ? 'use PodManagementPolicy.ORDERED_READY'
        : 'use PodManagementPolicy.ORDERED_READY (one pod at a time) or PodManagementPolicy.PARALLEL (all at once)';
    throw new Error(`${where}: podManagementPolicy must be PodManagementPolicy.ORDERED_READY or PodManagementPolicy.PARALLEL, got ${JSON.stringify(spec.podManagementPolicy)}. Fix: ${fix}`);
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

/** Letters, digits, '-', '_' and '.', every run of other characters as one '-', starting and ending with a letter or digit, at most 63. */
function toLabelName(value: string): string {
  return value.replace(/[^-A-Za-z0-9_.]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}

/** `bad key!` -> `bad-key`, `Example.com/tier` -> `example.com/tier`: the label or annotation key closest to `key`, or undefined. */
export function qualifiedNameSuggestion(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const name = toLabelName(key.slice(slash + 1));
  const prefix = slash < 0 ? undefined : (dnsSubdomainSuggestion(key.slice(0, slash)) ?? key.slice(0, slash));
  const suggestion = prefix === undefined || prefix === '' ? name : `${prefix}/${name}`;
  return isQualifiedName(suggestion) && suggestion !== key ? suggestion : undefined;
}

/** `a b` -> `a-b`, `42` (a number) -> `"42"`: the label value closest to `value`, or undefined. */
export function labelValueSuggestion(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    return undefined;
  }
  const suggestion = toLabelName(String(value));
  return isLabelValue(suggestion) && suggestion !== value ? suggestion : undefined;
}

function requireLabelMap(where: string, field: string, map: Record<string, string> | undefined, valuesAreLabels: boolean): void {
  for (const [key, value] of Object.entries(map ?? {})) {
    if (!isQualifiedName(key)) {
      const suggestion = qualifiedNameSuggestion(key);
      const fix = suggestion !== undefined ? `use "${suggestion}" instead` : 'use a key such as "tier" or "example.com/tier"';
      throw new Error(`${where}: ${field} key must be a qualified name ([prefix/]name: name at most 63 characters of letters, digits, '-', '_' and '.'), got "${key}". Fix: ${fix}`);
    }
    if (valuesAreLabels && (typeof value !== 'string' || !isLabelValue(value))) {
      const suggestion = labelValueSuggestion(value);
      const fix = suggestion !== undefined ? `use "${suggestion}" instead` : 'use a string of letters, digits, \'-\', \'_\' and \'.\', e.g. "primary"';
      throw new Error(`${where}: ${field} "${key}" must be a label value (at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit), got ${JSON.stringify(value)}. Fix: ${fix}`);
    }
  }
}

function requireLabelsAndAnnotations(where: string, spec: WorkloadSpec, serviceName: string): void {
  requireLabelMap(where, 'podLabels', spec.podLabels, true);
  requireLabelMap(where, 'podAnnotations', spec.podAnnotations, false);
  requireLabelMap(where, 'nodeSelector', spec.nodeSelector, true);
  const reserved = Object.keys(spec.podLabels ?? {}).find((k) => k in commonLabels(serviceName));
  if (reserved) {
    throw new Error(
      `${where}: podLabels "${reserved}" is set by the construct (the selector and app.kubernetes.io labels: ${Object.keys(commonLabels(serviceName)).join(', ')}). ` +
        `Fix: remove "${reserved}" from podLabels (every pod gets ${reserved}: "${commonLabels(serviceName)[reserved]}"), or use another key`,
    );
  }
}

/** `initContainers[0]` -> `init`, `sidecars[1]` -> `sidecar`. */
function containerKind(field: string): string {
  return field.startsWith('init') ? 'init' : 'sidecar';
}

function requireContainersAndVolumes(where: string, spec: WorkloadSpec, context: WorkloadContext): void {
  const containers: Array<{ field: string; c: k8s.Container }> = [
    ...(spec.initContainers ?? []).map((c, i) => ({ field: `initContainers[${i}]`, c })),
    ...(spec.sidecars ?? []).map((c, i) => ({ field: `sidecars[${i}]`, c })),
  ];
  const names = [context.serviceName];
  for (const { field, c } of containers) {
    if (!isDnsLabel(c.name ?? '')) {
      const fix = c.name ? labelFix(c.name) : `name the container, e.g. "${containerKind(field)}"`;
      throw new Error(`${where}: ${field}.name must be a DNS label, got ${JSON.stringify(c.name)}. Fix: ${fix}`);
    }
    if (names.includes(c.name)) {
      const rename = [`${c.name}-${containerKind(field)}`, ...[2, 3, 4, 5, 6, 7, 8, 9].map((n) => `${c.name}-${n}`)].find((n) => isDnsLabel(n) && !names.includes(n));
      throw new Error(
        `${where}: ${field}.name "${c.name}" is taken${c.name === context.serviceName ? ' by the main container (named after serviceName)' : ' by another container'}. ` +
          `Fix: give ${field} its own name${rename ? `, e.g. "${rename}"` : ''}`,
      );
    }
    names.push(c.name);
    if (!c.image || c.image.trim() === '') {
      throw new Error(`${where}: ${field} ("${c.name}") must name a container image, got ${JSON.stringify(c.image)}. Fix: set image on ${field} to the image it runs, with its tag, e.g. "busybox:1.36"`);
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
      throw new Error(`${where}: ${field} ("${m.name}") needs a mountPath, got ${JSON.stringify(m.mountPath)}. Fix: set mountPath to the folder the container sees the volume at, e.g. "/mnt/${m.name}"`);
    }
  }
  const mainPaths = [
    ...context.claims.map((c) => c.mountPath),
    ...(spec.configMapMounts ?? []).map((m) => m.mountPath),
    ...(spec.volumeMounts ?? []).map((m) => m.mountPath),
  ];
  const dupPath = mainPaths.find((p, i) => mainPaths.indexOf(p) !== i);
  if (dupPath !== undefined) {
    const other = `${dupPath.replace(/\/+$/, '')}-2`;
    throw new Error(`${where}: mountPath "${dupPath}" is used twice in the main container. Fix: give each mount its own path${mainPaths.includes(other) ? '' : `, e.g. "${other}" for the second`}`);
  }
}

/** Every pod volume name (volumes, ConfigMap mounts, claims): DNS labels, each once. */
function podVolumeNames(where: string, spec: WorkloadSpec, context: WorkloadContext): string[] {
  const named: Array<{ field: string; name: string; fromConfigMapName?: boolean }> = [
    ...(spec.volumes ?? []).map((v, i) => ({ field: `volumes[${i}]`, name: v.name })),
    ...(spec.configMapMounts ?? []).map((m, i) => ({ field: `configMapMounts[${i}]`, name: m.volumeName ?? m.configMapName, fromConfigMapName: m.volumeName === undefined })),
    ...context.claims.map((c) => ({ field: `volume claim "${c.name}"`, name: c.name })),
  ];
  (spec.configMapMounts ?? []).forEach((m, i) => {
    requireDnsSubdomain(`${where}: configMapMounts[${i}]`, 'configMapName', m.configMapName);
    if (!m.mountPath || m.mountPath.trim() === '') {
      throw new Error(`${where}: configMapMounts[${i}] ("${m.configMapName}") needs a mountPath, got ${JSON.stringify(m.mountPath)}. Fix: set mountPath to the folder the files appear in, e.g. "/etc/mysql/conf.d"`);
    }
  });
  const seen = new Map<string, string>();
  for (const { field, name, fromConfigMapName } of named) {
    if (!isDnsLabel(name ?? '')) {
      const suggestion = dnsLabelSuggestion(name ?? '');
      const fix = fromConfigMapName
        ? `set volumeName, which a ConfigMap name with dots needs${suggestion !== undefined ? `, e.g. volumeName: "${suggestion}"` : ''}`
        : name ? labelFix(name) : 'name the volume, e.g. "data"';
      throw new Error(`${where}: ${field} volume name must be a DNS label, got ${JSON.stringify(name)}. Fix: ${fix}`);
    }
    const first = seen.get(name);
    if (first) {
      // Rename the volume the user named (a volume or ConfigMap mount), not the claim, whose name is also its template's.
      const target = field.startsWith('volume claim') ? first : field;
      const taken = [...seen.keys(), ...named.map((n) => n.name)];
      const rename = [2, 3, 4, 5, 6, 7, 8, 9].map((n) => `${name.slice(0, 60).replace(/-+$/, '')}-${n}`).find((n) => !taken.includes(n));
      throw new Error(
        `${where}: volume name "${name}" is used by ${first} and ${field}. ` +
          `Fix: give ${target} its own name${rename ? `, e.g. "${rename}"` : ''}, and use it in the volumeMounts that mount it`,
      );
    }
    seen.set(name, field);
  }
  return [...seen.keys()];
}

/** `equal` -> `Equal`: the entry of `allowed` that `value` spells in another case, if any. */
function sameIgnoringCase(value: unknown, allowed: readonly string[]): string | undefined {
  return typeof value === 'string' ? allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase()) : undefined;
}

function requireToleration(where: string, t: k8s.Toleration): void {
  if (t.operator !== undefined && !TOLERATION_OPERATORS.includes(t.operator)) {
    const operator = sameIgnoringCase(t.operator, TOLERATION_OPERATORS);
    const fix = operator ? `use operator "${operator}"`
      : t.value ? `use operator "Equal" (it matches key ${JSON.stringify(t.key ?? '')} with value ${JSON.stringify(t.value)})`
        : t.key ? `use operator "Exists" (it matches key ${JSON.stringify(t.key)} with any value)` : 'use operator "Exists" (without a key it tolerates every taint)';
    throw new Error(`${where}: operator must be "Equal" or "Exists", got ${JSON.stringify(t.operator)}. Fix: ${fix}`);
  }
  if (t.effect !== undefined && t.effect !== '' && !TAINT_EFFECTS.includes(t.effect)) {
    const effect = sameIgnoringCase(t.effect, TAINT_EFFECTS);
    const fix = effect ? `use effect "${effect}"` : 'use the effect of the taint to tolerate (kubectl describe node shows it), or omit effect to tolerate all';
    throw new Error(`${where}: effect must be one of ${TAINT_EFFECTS.map((e) => `"${e}"`).join(', ')} (or empty for all), got ${JSON.stringify(t.effect)}. Fix: ${fix}`);
  }
  if (t.operator === 'Exists' && t.value !== undefined && t.value !== '') {
    throw new Error(`${where}: value must be empty with operator "Exists", got ${JSON.stringify(t.value)}. Fix: use operator "Equal" to match the value ${JSON.stringify(t.value)}, or drop value to match any value`);
  }
  if (!t.key && t.operator !== 'Exists') {
    throw new Error(`${where}: a toleration without a key must use operator "Exists" (it then tolerates every taint). Fix: set key to the taint's key, or set operator: "Exists"`);
  }
  if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
    throw new Error(`${where}: tolerationSeconds applies to effect "NoExecute" only, got effect ${JSON.stringify(t.effect)}. Fix: set effect: "NoExecute", or drop tolerationSeconds`);
  }
}

function requireScheduling(where: string, spec: WorkloadSpec): void {
  const spread = spec.podAntiAffinity;
  if (spread?.topologyKey !== undefined && !isQualifiedName(spread.topologyKey)) {
    const suggestion = qualifiedNameSuggestion(spread.topologyKey);
    const fix = suggestion !== undefined ? `use "${suggestion}" instead` : 'use "kubernetes.io/hostname" (one pod per node) or "topology.kubernetes.io/zone" (one per zone)';
    throw new Error(`${where}: podAntiAffinity.topologyKey must be a node label key such as "kubernetes.io/hostname" or "topology.kubernetes.io/zone", got "${spread.topologyKey}". Fix: ${fix}`);
  }
  if (spread?.weight !== undefined && (!Number.isInteger(spread.weight) || spread.weight < 1 || spread.weight > 100)) {
    const weight = Number.isFinite(spread.weight) ? Math.min(100, Math.max(1, Math.round(spread.weight))) : 100;
    throw new Error(`${where}: podAntiAffinity.weight must be an integer from 1 to 100, got ${spread.weight}. Fix: use weight: ${weight}`);
  }
  if (spread?.required && spread.weight !== undefined) {
    throw new Error(`${where}: podAntiAffinity.weight applies to preferred anti-affinity only. Fix: drop weight, or set required: false`);
  }
}

function requireDurations(where: string, spec: WorkloadSpec): void {
  if (spec.terminationGracePeriod !== undefined && spec.terminationGracePeriodSeconds !== undefined) {
    throw new Error(
      `${where}: set terminationGracePeriod or terminationGracePeriodSeconds, not both (got ${spec.terminationGracePeriod.toHumanString()} and ${spec.terminationGracePeriodSeconds}). ` +
        'Fix: drop terminationGracePeriodSeconds and keep terminationGracePeriod',
    );
  }
  requireWholeSeconds(where, 'terminationGracePeriod', spec.terminationGracePeriod);
  requireWholeSeconds(where, 'minReady', spec.minReady);
  requireNonNegativeInteger(where, 'terminationGracePeriodSeconds', spec.terminationGracePeriodSeconds ?? 30);
}

function requireWholeSeconds(where: string, field: string, d: Duration | undefined): void {
  if (d !== undefined && !Number.isInteger(d.toSeconds({ integral: false }))) {
    throw new Error(`${where}: ${field} must be a whole number of seconds (the API takes seconds), got ${d.toHumanString()}. Fix: set ${field} to Duration.seconds(${Math.ceil(d.toSeconds({ integral: false }))})`);
  }
}
