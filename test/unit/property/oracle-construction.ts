/**
 * The oracle, part 1: which construct of a fleet description is the first whose input is wrong in
 * itself, and which fields of it are wrong. Built from kube-rules.ts alone, never from lib/.
 */
import { ClusterDesc, ConstructDesc, creationOrder, FleetDesc, ImportDesc, PortDesc, SecretDesc, StatefulSetDesc, stsName } from './fleet-description';
import {
  isConfigMapKey, isDns1035Label, isDnsDomain, isDnsLabel, isDnsSubdomain, isEnvVarName, isNonNegativeInt32, isPortName, isPortNumber, isPositiveQuantity, parseVersion,
} from './kube-rules';

/** The error the build must throw: its message names `construct` and one of `fields`. */
export interface ConstructionError {
  /** Text naming the construct, e.g. `cluster "eu-1"` or `HeadlessImport "import-mysql"`. */
  readonly construct: string;
  /** Each acceptable field (or phrase) the message may name; matched case-insensitively. */
  readonly fields: readonly string[];
  /** Short rule names, for the statistics. */
  readonly rules: readonly string[];
}

interface Wrong {
  readonly field: string;
  readonly rule: string;
}

/** Kubernetes' StatefulSet controller labels pods with `<name>-<10-character hash>`, a label value of at most 63. */
export const MAX_STATEFULSET_NAME = 52;
const CLASH = 'There is already a Construct';
const CLUSTER_CHILDREN = ['crds', 'cluster-id', 'clusterset'];

export function firstConstructionError(fleet: FleetDesc): ConstructionError | undefined {
  const topIds = new Set<string>();
  const clusterIds: string[] = [];
  let runners = 0;
  for (const step of creationOrder(fleet)) {
    if ('cluster' in step) {
      const c = fleet.clusters[step.cluster];
      // Fleet.addCluster checks the ID before it creates the Cluster, which checks the rest.
      const idWrong = clusterIdWrong(c, clusterIds);
      if (idWrong.length > 0) return { construct: `cluster "${c.id}"`, fields: idWrong.map((w) => w.field), rules: idWrong.map((w) => `Cluster ${w.rule}`) };
      if (topIds.has(c.id)) return { construct: `'${c.id}'`, fields: [CLASH], rules: ['construct id used twice'] };
      const wrong = clusterWrong(c);
      if (wrong.length > 0) return { construct: `cluster "${c.id}"`, fields: wrong.map((w) => w.field), rules: wrong.map((w) => `Cluster ${w.rule}`) };
      clusterIds.push(c.id);
      topIds.add(c.id);
      continue;
    }
    const c = step.construct;
    // A user's chart is refused or rendered by the whole-fleet checks, never by a constructor.
    if (c.kind === 'ExtraChart') continue;
    if (topIds.has(c.id)) return { construct: `'${c.id}'`, fields: [CLASH], rules: ['construct id used twice'] };
    topIds.add(c.id);
    const wrong = constructWrong(c, runners);
    if (wrong.length > 0) return { construct: `${c.kind} "${c.id}"`, fields: wrong.map((w) => w.field), rules: wrong.map((w) => `${c.kind} ${w.rule}`) };
    if (CLUSTER_CHILDREN.includes(c.id) && c.kind !== 'SyncRunner') {
      return { construct: `'${c.id}'`, fields: [CLASH], rules: ['construct id clashes inside a cluster'] };
    }
    runners += c.kind === 'SyncRunner' ? 1 : 0;
  }
  return undefined;
}

/** An ID used twice stops construction; one that is no DNS label or is reserved is a fleet problem at synth (oracle-fleet.ts). */
function clusterIdWrong(c: ClusterDesc, earlier: readonly string[]): Wrong[] {
  return earlier.includes(c.id) ? [{ field: 'added twice', rule: 'id used twice' }] : [];
}

function clusterWrong(c: ClusterDesc): Wrong[] {
  const wrong: Wrong[] = [];
  if (c.storageClass !== undefined && !isDnsSubdomain(c.storageClass)) wrong.push({ field: 'storageClass', rule: 'storageClass invalid' });
  if (c.clusterDomain !== undefined && (!isDnsDomain(c.clusterDomain) || c.clusterDomain === 'clusterset.local')) {
    wrong.push({ field: 'clusterDomain', rule: 'clusterDomain invalid' });
  }
  if (c.coreDnsVersion !== undefined && !parseVersion(c.coreDnsVersion)) wrong.push({ field: 'coreDnsVersion', rule: 'coreDnsVersion not a version' });
  if (c.coreDnsFlavour !== undefined && !['in-tree', 'external-plugin'].includes(c.coreDnsFlavour)) wrong.push({ field: 'coreDnsFlavour', rule: 'coreDnsFlavour unknown' });
  if (c.kubeContext === '') wrong.push({ field: 'kubeContext', rule: 'kubeContext empty' });
  return wrong;
}

function constructWrong(c: ConstructDesc, runnersSoFar: number): Wrong[] {
  switch (c.kind) {
    case 'MultiClusterStatefulSet':
      return statefulSetWrong(c);
    case 'ExportedService':
      return [
        ...(isDns1035Label(c.serviceName) ? [] : [{ field: 'serviceName', rule: 'serviceName invalid' }]),
        ...namespaceWrong(c.namespace),
        ...portsWrong(c.ports),
        ...listWrong('providers', c.providers),
      ];
    case 'HeadlessImport':
      return importWrong(c);
    case 'LiteralSecret':
      return secretWrong(c);
    case 'SyncRunner':
      return [
        ...namespaceWrong(c.namespace ?? 'cdk8s-mcs-system'),
        ...(isNonNegativeInt32(c.replicas ?? 2) ? [] : [{ field: 'replicas', rule: 'replicas invalid' }]),
        ...(runnersSoFar > 0 ? [{ field: 'already has a SyncRunner', rule: 'second runner' }] : []),
      ];
    case 'ExtraChart':
      return [];
  }
}

function statefulSetWrong(s: StatefulSetDesc): Wrong[] {
  const name = stsName(s);
  const wrong: Wrong[] = [];
  if (!isDns1035Label(name) || name.length > MAX_STATEFULSET_NAME) wrong.push({ field: 'serviceName', rule: 'serviceName invalid' });
  wrong.push(...namespaceWrong(s.namespace));
  if (s.image.trim() === '') wrong.push({ field: 'image', rule: 'image empty' });
  wrong.push(...listWrong('providers', s.providers.map((p) => p.cluster)));
  wrong.push(...portsWrong(s.ports));
  for (const e of s.secretEnv) {
    if (!isEnvVarName(e.name) || !isDnsSubdomain(e.secretName) || !isConfigMapKey(e.key)) wrong.push({ field: 'secretEnv', rule: 'secretEnv invalid' });
  }
  wrong.push(...claimsWrong(s));
  const counts = [s.replicas ?? 1, ...s.providers.map((p) => p.replicas ?? s.replicas ?? 1)];
  if (!counts.every(isNonNegativeInt32)) wrong.push({ field: 'replicas', rule: 'replicas invalid' });
  if (!s.providers.every((p) => isNonNegativeInt32(p.ordinalStart ?? 0))) wrong.push({ field: 'ordinalStart', rule: 'ordinalStart invalid' });
  return wrong;
}

function claimsWrong(s: StatefulSetDesc): Wrong[] {
  const wrong: Wrong[] = [];
  const names = s.volumeClaims.map((v) => v.name);
  const paths = s.volumeClaims.map((v) => v.mountPath);
  if (!names.every(isDnsLabel) || new Set(names).size < names.length) wrong.push({ field: 'volume claim', rule: 'volume claim name invalid' });
  if (paths.some((p) => p === '') || new Set(paths).size < paths.length) wrong.push({ field: 'mountPath', rule: 'volume claim mountPath invalid' });
  if (!s.volumeClaims.every((v) => isPositiveQuantity(v.size))) wrong.push({ field: 'size', rule: 'volume claim size invalid' });
  // '' is Kubernetes' "no dynamic provisioning" class, so it is allowed on a claim.
  if (!s.volumeClaims.every((v) => v.storageClass === undefined || v.storageClass === '' || isDnsSubdomain(v.storageClass))) {
    wrong.push({ field: 'storageClass', rule: 'volume claim storageClass invalid' });
  }
  return wrong;
}

function importWrong(i: ImportDesc): Wrong[] {
  const methodsWrong = i.dnsMethods !== undefined && (i.dnsMethods.length === 0 || i.dnsMethods.some((m) => !['amcs', 'clusterset'].includes(m)));
  return [
    ...(isDns1035Label(i.serviceName) ? [] : [{ field: 'serviceName', rule: 'serviceName invalid' }]),
    ...namespaceWrong(i.namespace),
    ...listWrong('consumers', i.consumers),
    ...(methodsWrong ? [{ field: 'dns method', rule: 'dnsMethods invalid' }, { field: 'dnsMethods', rule: 'dnsMethods invalid' }] : []),
    ...(i.ports ? portsWrong(i.ports) : []),
  ];
}

function secretWrong(s: SecretDesc): Wrong[] {
  return [
    ...(s.acknowledged ? [] : [{ field: 'acknowledgePlaintextInGit', rule: 'not acknowledged' }]),
    ...(isDnsSubdomain(s.secretName) ? [] : [{ field: 'secretName', rule: 'secretName invalid' }]),
    ...namespaceWrong(s.namespace),
    ...listWrong('clusters', s.clusters),
    ...(Object.keys(s.stringData).every(isConfigMapKey) ? [] : [{ field: 'stringData', rule: 'stringData key invalid' }]),
  ];
}

function namespaceWrong(ns: string): Wrong[] {
  return isDnsLabel(ns) ? [] : [{ field: 'namespace', rule: 'namespace invalid' }];
}

function listWrong(field: string, clusters: readonly number[]): Wrong[] {
  if (clusters.length === 0) return [{ field, rule: `${field} empty` }];
  return new Set(clusters).size < clusters.length ? [{ field, rule: `${field} duplicated` }] : [];
}

function portsWrong(ports: readonly PortDesc[]): Wrong[] {
  const wrong: Wrong[] = [];
  if (ports.length === 0) wrong.push({ field: 'port', rule: 'ports empty' });
  if (!ports.every((p) => isPortName(p.name))) wrong.push({ field: 'port', rule: 'port name invalid' });
  if (!ports.every((p) => isPortNumber(p.port) && isPortNumber(p.containerPort ?? p.port))) wrong.push({ field: 'port', rule: 'port number invalid' });
  if (new Set(ports.map((p) => p.name)).size < ports.length) wrong.push({ field: 'port', rule: 'port name duplicated' });
  if (new Set(ports.map((p) => `${p.port}/${p.protocol ?? 'TCP'}`)).size < ports.length) wrong.push({ field: 'port', rule: 'port number duplicated' });
  return wrong;
}
