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
export function labelFix(value: string): string {
  const suggestion = dnsLabelSuggestion(value);
  return suggestion !== undefined ? `use "${suggestion}" instead` : 'use lowercase letters, digits and \'-\' only, starting and ending with a letter or digit';
}

/** `Cluster_1` -> `cluster-1`: the DNS label closest to `value`, or undefined when there is none (or `value` is one). */
export function dnsLabelSuggestion(value: string): string | undefined {
  const suggestion = toLabelChars(value).slice(0, 63).replace(/-+$/, '');
  return isDnsLabel(suggestion) && suggestion !== value ? suggestion : undefined;
}

/** Lowercase, every run of other characters as one '-', no '-' at either end. */
function toLabelChars(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** `1_MySQL` -> `mysql`: the Service name (RFC-1035 label) closest to `value`, or undefined when there is none (or `value` is one). */
export function serviceNameSuggestion(value: string): string | undefined {
  let suggestion = toLabelChars(value).replace(/^[^a-z]+/, '');
  if (suggestion === '' && /[0-9]/.test(value)) {
    suggestion = `svc-${toLabelChars(value)}`;
  }
  suggestion = suggestion.slice(0, 63).replace(/-+$/, '');
  return isDns1035Label(suggestion) && suggestion !== value ? suggestion : undefined;
}

export function requireServiceName(where: string, field: string, value: string): void {
  if (!isDns1035Label(value)) {
    const suggestion = serviceNameSuggestion(value);
    const fix = suggestion !== undefined ? `use "${suggestion}" instead` : 'use lowercase letters, digits and \'-\' only, starting with a letter, e.g. "mysql"';
    throw new Error(`${where}: ${field} must be a valid Service name (RFC-1035 label: starts with a letter, lowercase letters, digits and '-', at most 63 characters), got "${value}". Fix: ${fix}`);
  }
}

/** `Fast SSD` -> `fast-ssd`, `My.Registry_1` -> `my.registry-1`: the DNS subdomain closest to `value`, or undefined. */
export function dnsSubdomainSuggestion(value: string): string | undefined {
  const suggestion = value.split('.').map((part) => toLabelChars(part).slice(0, 63).replace(/-+$/, '')).filter((part) => part !== '').join('.').slice(0, 253).replace(/[-.]+$/, '');
  return isDnsSubdomain(suggestion) && suggestion !== '' && suggestion !== value ? suggestion : undefined;
}

export function requireDnsSubdomain(where: string, field: string, value: string): void {
  if (!isDnsSubdomain(value)) {
    const suggestion = dnsSubdomainSuggestion(value);
    const fix = suggestion !== undefined
      ? `use "${suggestion}" instead`
      : 'use lowercase letters, digits, \'-\' and \'.\' only (at most 253 characters), each dot-separated part starting and ending with a letter or digit';
    throw new Error(`${where}: ${field} must be an RFC-1123 DNS subdomain, got "${value}". Fix: ${fix}`);
  }
}

const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** `MY PASSWORD` -> `MY_PASSWORD`, `1PASSWORD` -> `_1PASSWORD`: the environment variable name closest to `value`, or undefined. */
export function envVarNameSuggestion(value: string): string | undefined {
  const suggestion = value.trim().replace(/[^-._a-zA-Z0-9]+/g, '_').replace(/^(?=[0-9])/, '_');
  return ENV_VAR_NAME.test(suggestion) && suggestion !== value ? suggestion : undefined;
}

/** What the API server accepts as an environment variable name by default up to Kubernetes 1.31 (later versions accept more). */
export function requireEnvVarName(where: string, field: string, value: string): void {
  if (!ENV_VAR_NAME.test(value)) {
    const suggestion = envVarNameSuggestion(value);
    const fix = suggestion !== undefined ? `use "${suggestion}" instead` : 'name the variable, e.g. "DB_PASSWORD"';
    throw new Error(`${where}: ${field} name must be an environment variable name (letters, digits, '_', '-' and '.', not starting with a digit), got "${value}". Fix: ${fix}`);
  }
}

function isSecretKey(value: string): boolean {
  return value.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(value) && value !== '.' && !value.startsWith('..');
}

/** `a b` -> `a_b`, `..x` -> `x`: the Secret key closest to `value`, or undefined. */
export function secretKeySuggestion(value: string): string | undefined {
  const suggestion = value.trim().replace(/[^-._a-zA-Z0-9]+/g, '_').replace(/^\.+/, '').slice(0, 253);
  return isSecretKey(suggestion) && suggestion !== value ? suggestion : undefined;
}

/** A key of a Secret or ConfigMap: letters, digits, '-', '_' and '.', at most 253 characters, not "." or ".."-prefixed. */
export function requireSecretKey(where: string, field: string, value: string): void {
  if (!isSecretKey(value)) {
    const suggestion = secretKeySuggestion(value);
    const fix = suggestion !== undefined ? `use "${suggestion}" instead` : 'use a key of letters, digits, \'-\', \'_\' and \'.\', e.g. "password"';
    throw new Error(`${where}: ${field} must be a Secret key (letters, digits, '-', '_' and '.', at most 253 characters, not "." or starting with ".."), got "${value}". Fix: ${fix}`);
  }
}

/**
 * The candidate `value` most likely meant: the same but for case, or within a few typing mistakes
 * (edit distance at most a third of its length, so none for a name under 3 characters); undefined
 * when none is close.
 */
export function closestName(value: string, candidates: readonly string[]): string | undefined {
  const lower = value.toLowerCase();
  const sameCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameCase !== undefined) {
    return sameCase;
  }
  let best: { name: string; distance: number } | undefined;
  for (const c of candidates) {
    const distance = editDistance(lower, c.toLowerCase());
    if (distance <= Math.floor(value.length / 3) && (!best || distance < best.distance)) {
      best = { name: c, distance };
    }
  }
  return best?.name;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** A list of clusters a construct writes into: at least one, none twice (each would get the same object twice). */
export function requireClusterList(where: string, field: string, clusters: readonly { readonly clusterId: string }[]): void {
  if (clusters.length === 0) {
    throw new Error(`${where}: ${field} must list at least one cluster, got none. Fix: list the clusters, e.g. ${field}: [fleet.cluster("<cluster-id>")]`);
  }
  const ids = clusters.map((c) => c.clusterId);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) {
    throw new Error(`${where}: cluster "${dup}" is listed twice in ${field}. Fix: list "${dup}" once`);
  }
}

/** `-1` -> set replicas to 0, `2.5` -> set replicas to 3. */
function nonNegativeIntegerFix(field: string, value: number, max: number): string {
  return Number.isFinite(value) ? `set ${field} to a whole number of 0 or more, e.g. ${Math.min(max, Math.max(0, Math.round(value)))}` : `set ${field} to a whole number of 0 or more`;
}

/** The largest value of a Kubernetes int32 field such as `replicas` or `ordinals.start`. */
export const INT32_MAX = 2 ** 31 - 1;

export function requireNonNegativeInteger(where: string, field: string, value: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${where}: ${field} must be a non-negative integer, got ${value}. Fix: ${nonNegativeIntegerFix(field, value, max)}`);
  }
  if (value > max) {
    throw new Error(`${where}: ${field} must be at most ${max}, got ${value}. Fix: set ${field} to ${max} or less`);
  }
}

export function requirePorts(where: string, ports: readonly WorkloadPort[]): void {
  if (ports.length === 0) {
    throw new Error(`${where}: ports must list at least one named port, got none. Fix: name the ports the service listens on, e.g. ports: [{ name: "http", port: 8080 }]`);
  }
  ports.forEach((p) => requirePort(where, p));
  const names = ports.map((p) => p.name);
  const dupName = names.find((n, i) => names.indexOf(n) !== i);
  if (dupName) {
    const second = ports.filter((p) => p.name === dupName)[1];
    const rename = `${dupName}-${second.port}`;
    const example = isPortName(rename) && !names.includes(rename) ? `, e.g. "${rename}" for port ${second.port}` : '';
    throw new Error(`${where}: port name "${dupName}" is used twice. Fix: give each port its own name${example}`);
  }
  const numbers = ports.map((p) => `${p.port}/${p.protocol ?? 'TCP'}`);
  const dupNumber = numbers.find((n, i) => numbers.indexOf(n) !== i);
  if (dupNumber) {
    const [first, second] = ports.filter((_p, i) => numbers[i] === dupNumber);
    throw new Error(`${where}: port ${dupNumber} is listed twice. Fix: remove port "${second.name}" (port "${first.name}" has the same number), or give it another number`);
  }
}

function isPortName(name: string): boolean {
  // Kubernetes' IsValidPortName also refuses "--", so a container port "a--b" would fail the pods.
  return name.length <= 15 && IANA_SVC_NAME.test(name) && !name.includes('--');
}

/** `MySQL` -> `mysql`, `a--b` -> `a-b`, `8080` -> `port-8080`: the IANA service name closest to `value`, or undefined. */
export function portNameSuggestion(value: string): string | undefined {
  let suggestion = toLabelChars(value).replace(/-+/g, '-');
  if (suggestion !== '' && !/[a-z]/.test(suggestion)) {
    suggestion = `port-${suggestion}`;
  }
  suggestion = suggestion.slice(0, 15).replace(/-+$/, '');
  return isPortName(suggestion) && suggestion !== value ? suggestion : undefined;
}

function requirePort(where: string, p: WorkloadPort): void {
  if (!isPortName(p.name)) {
    const suggestion = portNameSuggestion(p.name);
    const fix = suggestion !== undefined ? `use "${suggestion}" instead` : 'name the port after its protocol, e.g. "http" or "mysql"';
    throw new Error(`${where}: port name must be an IANA service name (lowercase letters, digits and single '-' between them, at most 15 characters, at least one letter), got "${p.name}". Fix: ${fix}`);
  }
  for (const [field, value] of [['port', p.port], ['containerPort', p.containerPort ?? p.port]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
      const fix = field === 'port'
        ? 'set port to the number the Service listens on, from 1 to 65535'
        : 'set containerPort to the number the container listens on, from 1 to 65535, or omit it to use port';
      throw new Error(`${where}: port "${p.name}" ${field} must be an integer between 1 and 65535, got ${value}. Fix: ${fix}`);
    }
  }
}

/** Claim names unique DNS labels, mount paths set and unique, sizes positive quantities, storage classes valid. */
export function requireVolumeClaims(where: string, claims: readonly VolumeClaim[]): void {
  claims.forEach((c) => requireVolumeClaim(where, c));
  const names = claims.map((c) => c.name);
  const dupName = names.find((c, i) => names.indexOf(c) !== i);
  if (dupName) {
    throw new Error(`${where}: volume claim "${dupName}" is listed twice. Fix: ${renameFix(dupName, names, 'remove one of them, or rename the second')}`);
  }
  const paths = claims.map((c) => c.mountPath);
  const dupPath = paths.find((p, i) => paths.indexOf(p) !== i);
  if (dupPath !== undefined) {
    const second = claims.filter((c) => c.mountPath === dupPath)[1];
    const path = `${dupPath.replace(/\/[^/]*\/*$/, '')}/${second.name}`;
    const example = paths.includes(path) ? '' : `, e.g. mountPath: "${path}"`;
    throw new Error(`${where}: mountPath "${dupPath}" is used by two volume claims. Fix: give volume claim "${second.name}" its own mountPath${example}`);
  }
}

/** `data` taken -> `rename it, e.g. "data-2"`: a DNS label not in `taken`, or `otherwise` when none is found. */
function renameFix(name: string, taken: readonly string[], otherwise: string): string {
  for (let n = 2; n < 100; n++) {
    const candidate = `${name.slice(0, 60).replace(/-+$/, '')}-${n}`;
    if (isDnsLabel(candidate) && !taken.includes(candidate)) {
      return `${otherwise}, e.g. "${candidate}"`;
    }
  }
  return otherwise;
}

/** Units written the way people write them (`10GB`, `1 gi`, `512mb`) as Kubernetes writes them. */
const UNIT_SPELLINGS: Record<string, string> = {
  k: 'k', kb: 'k', ki: 'Ki', kib: 'Ki',
  mb: 'M', mi: 'Mi', mib: 'Mi',
  g: 'G', gb: 'G', gi: 'Gi', gib: 'Gi',
  t: 'T', tb: 'T', ti: 'Ti', tib: 'Ti',
  p: 'P', pb: 'P', pi: 'Pi', pib: 'Pi',
};

/**
 * `10 GB` -> `10G`, `1gi` -> `1Gi`, `-1Gi` -> `1Gi`: the Kubernetes quantity closest to `value`, or
 * undefined when there is none (or `value` is one). With `positive`, never suggests zero.
 */
export function quantitySuggestion(value: string, positive = false): string | undefined {
  const compact = value.replace(/\s+/g, '').replace(/^-/, '');
  let suggestion = compact;
  if (!QUANTITY.test(compact)) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)([a-zA-Z]+)$/.exec(compact);
    // No 'm' among the spellings: it is milli in Kubernetes, so only 'mb' and 'mib' become 'M' and 'Mi'.
    const unit = m ? UNIT_SPELLINGS[m[2].toLowerCase()] : undefined;
    suggestion = m && unit ? `${m[1]}${unit}` : '';
  }
  const quantity = QUANTITY.exec(suggestion);
  if (!quantity || suggestion === value || (positive && Number(quantity[1]) === 0)) {
    return undefined;
  }
  return suggestion;
}

function requireVolumeClaim(where: string, c: VolumeClaim): void {
  requireDnsLabel(where, 'volume claim name', c.name);
  if (c.mountPath.trim() === '') {
    throw new Error(`${where}: volume claim "${c.name}" needs a mountPath, got "${c.mountPath}". Fix: set mountPath to the folder the container keeps this data in, e.g. "/var/lib/mysql"`);
  }
  const size = quantityText(c.size);
  const quantity = QUANTITY.exec(size);
  if (!quantity || Number(quantity[1]) === 0) {
    const suggestion = quantitySuggestion(size, true);
    const fix = suggestion !== undefined ? `use "${suggestion}" instead` : 'set size to the storage the claim requests, e.g. "50Gi" (or Size.gibibytes(50))';
    throw new Error(`${where}: volume claim "${c.name}" size must be a positive Kubernetes quantity such as "50Gi" or "500M", got "${size}". Fix: ${fix}`);
  }
  // '' is Kubernetes' "no dynamic provisioning" class: the claim binds to a pre-created volume.
  if (c.storageClass !== undefined && c.storageClass !== '') {
    requireDnsSubdomain(`${where}: volume claim "${c.name}"`, 'storageClass', c.storageClass);
  }
}
