/**
 * Eager checks of construct input that is wrong in itself. Each throws an Error that names the
 * construct, the field, the value received and what is expected.
 */
import { isDns1035Label, isDnsLabel, isDnsSubdomain } from '../fleet/names';
import { quantityText } from './pod-template';
import { VolumeClaim, WorkloadPort } from './workload-props';

const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A Kubernetes resource quantity without sign: `50Gi`, `500M`, `1.5e9`. */
const QUANTITY = /^\+?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?\d+)?$/;

/** A Kubernetes resource quantity without sign, e.g. `500m`, `2`, `4Gi`. */
export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}

export function requireDnsLabel(where: string, field: string, value: string): void {
  if (!isDnsLabel(value)) {
    throw new Error(`${where}: ${field} must be an RFC-1123 DNS label (lowercase letters, digits and '-', at most 63 characters), got "${value}". Fix: ${labelFix(value)}`);
  }
}

/** `Cluster_1` -> use "cluster-1" instead. */
function labelFix(value: string): string {
  const suggestion = value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return isDnsLabel(suggestion) && suggestion !== value ? `use "${suggestion}" instead` : 'use lowercase letters, digits and \'-\' only, starting and ending with a letter or digit';
}

export function requireServiceName(where: string, field: string, value: string): void {
  if (!isDns1035Label(value)) {
    throw new Error(`${where}: ${field} must be a valid Service name (RFC-1035 label: starts with a letter, lowercase letters, digits and '-', at most 63 characters), got "${value}"`);
  }
}

export function requireDnsSubdomain(where: string, field: string, value: string): void {
  if (!isDnsSubdomain(value)) {
    throw new Error(`${where}: ${field} must be an RFC-1123 DNS subdomain, got "${value}"`);
  }
}

/** What the API server accepts as an environment variable name by default up to Kubernetes 1.31 (later versions accept more). */
export function requireEnvVarName(where: string, field: string, value: string): void {
  if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(value)) {
    throw new Error(`${where}: ${field} name must be an environment variable name (letters, digits, '_', '-' and '.', not starting with a digit), got "${value}"`);
  }
}

/** A key of a Secret or ConfigMap: letters, digits, '-', '_' and '.', at most 253 characters, not "." or ".."-prefixed. */
export function requireSecretKey(where: string, field: string, value: string): void {
  if (value.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(value) || value === '.' || value.startsWith('..')) {
    throw new Error(`${where}: ${field} must be a Secret key (letters, digits, '-', '_' and '.', at most 253 characters, not "." or starting with ".."), got "${value}"`);
  }
}

/** A list of clusters a construct writes into: at least one, none twice (each would get the same object twice). */
export function requireClusterList(where: string, field: string, clusters: readonly { readonly clusterId: string }[]): void {
  if (clusters.length === 0) {
    throw new Error(`${where}: ${field} must list at least one cluster, got none`);
  }
  const ids = clusters.map((c) => c.clusterId);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) {
    throw new Error(`${where}: cluster "${dup}" is listed twice in ${field}`);
  }
}

/** The largest value of a Kubernetes int32 field such as `replicas` or `ordinals.start`. */
export const INT32_MAX = 2 ** 31 - 1;

export function requireNonNegativeInteger(where: string, field: string, value: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${where}: ${field} must be a non-negative integer, got ${value}`);
  }
  if (value > max) {
    throw new Error(`${where}: ${field} must be at most ${max}, got ${value}`);
  }
}

export function requirePorts(where: string, ports: readonly WorkloadPort[]): void {
  if (ports.length === 0) {
    throw new Error(`${where}: ports must list at least one named port, got none`);
  }
  ports.forEach((p) => requirePort(where, p));
  const names = ports.map((p) => p.name);
  const dupName = names.find((n, i) => names.indexOf(n) !== i);
  if (dupName) {
    throw new Error(`${where}: port name "${dupName}" is used twice; each port needs its own name`);
  }
  const numbers = ports.map((p) => `${p.port}/${p.protocol ?? 'TCP'}`);
  const dupNumber = numbers.find((n, i) => numbers.indexOf(n) !== i);
  if (dupNumber) {
    throw new Error(`${where}: port ${dupNumber} is listed twice`);
  }
}

function requirePort(where: string, p: WorkloadPort): void {
  // Kubernetes' IsValidPortName also refuses "--", so a container port "a--b" would fail the pods.
  if (p.name.length > 15 || !IANA_SVC_NAME.test(p.name) || p.name.includes('--')) {
    throw new Error(`${where}: port name must be an IANA service name (lowercase letters, digits and single '-' between them, at most 15 characters, at least one letter), got "${p.name}"`);
  }
  for (const [field, value] of [['port', p.port], ['containerPort', p.containerPort ?? p.port]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
      throw new Error(`${where}: port "${p.name}" ${field} must be an integer between 1 and 65535, got ${value}`);
    }
  }
}

/** Claim names unique DNS labels, mount paths set and unique, sizes positive quantities, storage classes valid. */
export function requireVolumeClaims(where: string, claims: readonly VolumeClaim[]): void {
  claims.forEach((c) => requireVolumeClaim(where, c));
  const names = claims.map((c) => c.name);
  const dupName = names.find((c, i) => names.indexOf(c) !== i);
  if (dupName) {
    throw new Error(`${where}: volume claim "${dupName}" is listed twice`);
  }
  const paths = claims.map((c) => c.mountPath);
  const dupPath = paths.find((p, i) => paths.indexOf(p) !== i);
  if (dupPath !== undefined) {
    throw new Error(`${where}: mountPath "${dupPath}" is used by two volume claims; each claim needs its own mountPath`);
  }
}

function requireVolumeClaim(where: string, c: VolumeClaim): void {
  requireDnsLabel(where, 'volume claim name', c.name);
  if (c.mountPath.trim() === '') {
    throw new Error(`${where}: volume claim "${c.name}" needs a mountPath, e.g. "/var/lib/mysql", got "${c.mountPath}"`);
  }
  const size = quantityText(c.size);
  const quantity = QUANTITY.exec(size);
  if (!quantity || Number(quantity[1]) === 0) {
    throw new Error(`${where}: volume claim "${c.name}" size must be a positive Kubernetes quantity such as "50Gi" or "500M", got "${size}"`);
  }
  // '' is Kubernetes' "no dynamic provisioning" class: the claim binds to a pre-created volume.
  if (c.storageClass !== undefined && c.storageClass !== '') {
    requireDnsSubdomain(`${where}: volume claim "${c.name}"`, 'storageClass', c.storageClass);
  }
}
