/**
 * What Kubernetes and DNS accept, written out independently of lib/ (from the API server's
 * validation in k8s.io/apimachinery/pkg/util/validation and pkg/apis/core/validation), so that the
 * oracle and the output checks never agree with the library by sharing its code.
 */

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** RFC-1123 label: Namespace names, cluster IDs, volume names. */
export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && LABEL.test(s);
}

/** RFC-1035 label: Service names (and so ServiceExport/ServiceImport names). */
export function isDns1035Label(s: string): boolean {
  return s.length <= 63 && LABEL_1035.test(s);
}

/** RFC-1123 subdomain: most object names. Kubernetes limits the whole name, not each label. */
export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && s.split('.').every((l) => LABEL.test(l));
}

/** A DNS domain that resolvers accept: a subdomain whose labels are at most 63 characters. */
export function isDnsDomain(s: string): boolean {
  return isDnsSubdomain(s) && s.split('.').every((l) => l.length <= 63);
}

/** A fully qualified name a resolver can ask for. */
export function isResolvableName(fqdn: string): boolean {
  return fqdn.length <= 253 && fqdn.split('.').every((l) => l.length >= 1 && l.length <= 63);
}

/** IsValidPortName: container (and hence StatefulSet) port names. */
export function isPortName(s: string): boolean {
  return s.length <= 15 && /^[a-z0-9-]+$/.test(s) && /[a-z]/.test(s) && !s.includes('--') && !s.startsWith('-') && !s.endsWith('-');
}

export function isPortNumber(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** int32 fields (replicas, ordinals.start) that must not be negative. */
export function isNonNegativeInt32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 2 ** 31 - 1;
}

/** IsEnvVarName as enforced by default up to Kubernetes 1.31 (C identifier plus '-' and '.'). */
export function isEnvVarName(s: string): boolean {
  return /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(s);
}

/** IsConfigMapKey: Secret and ConfigMap keys. */
export function isConfigMapKey(s: string): boolean {
  return s.length >= 1 && s.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(s) && s !== '.' && !s.startsWith('..');
}

const QUANTITY = /^\+?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?\d+)?$/;

/** A resource.Quantity that is greater than zero (what a storage request must be). */
export function isPositiveQuantity(s: string): boolean {
  const m = QUANTITY.exec(s);
  return m !== null && Number(m[1]) > 0;
}

/** A label value: at most 63 characters, alphanumeric at both ends. */
export function isLabelValue(s: string): boolean {
  return s.length <= 63 && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(s);
}

/** A label key: `[prefix/]name`, the prefix a DNS subdomain, the name like a label value but non-empty. */
export function isLabelKey(s: string): boolean {
  const parts = s.split('/');
  if (parts.length > 2) {
    return false;
  }
  const name = parts[parts.length - 1];
  const prefixOk = parts.length === 1 || isDnsSubdomain(parts[0]);
  return prefixOk && name.length >= 1 && isLabelValue(name);
}

/** RBAC object names only need to be valid path segments. */
export function isPathSegmentName(s: string): boolean {
  return s.length >= 1 && s !== '.' && s !== '..' && !/[/%]/.test(s);
}

const VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][0-9A-Za-z.-]+)?$/;

/** `1.12.2`, `v1.12`, `1.11.1-eksbuild.4` as [major, minor, patch], or undefined when not a version. */
export function parseVersion(s: string): [number, number, number] | undefined {
  const m = VERSION.exec(s);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function versionAtLeast(v: [number, number, number], min: [number, number, number]): boolean {
  return (v[0] - min[0] || v[1] - min[1] || v[2] - min[2]) >= 0;
}

/** Kinds without a namespace. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'ClusterProperty']);

/** Which name rule each emitted kind's metadata.name follows. */
export function nameRuleFor(kind: string): ((s: string) => boolean) | undefined {
  switch (kind) {
    case 'Namespace':
      return isDnsLabel;
    case 'Service':
    case 'ServiceExport':
    case 'ServiceImport':
      return isDns1035Label;
    case 'ClusterRole':
    case 'ClusterRoleBinding':
    case 'Role':
    case 'RoleBinding':
      return isPathSegmentName;
    case 'StatefulSet':
    case 'Deployment':
    case 'ConfigMap':
    case 'Secret':
    case 'ServiceAccount':
    case 'CustomResourceDefinition':
    case 'ClusterProperty':
      return isDnsSubdomain;
    default:
      return undefined;
  }
}
