/**
 * The oracle, part 2: for a fleet whose constructs all accept their input, the whole-fleet
 * problems synth must report (construct path and kind of each), and the objects each cluster gets.
 */
import { ConstructDesc, creationOrder, ExtraChartDesc, extraObjectPath, FleetDesc, PortDesc, RunnerDesc, StatefulSetDesc, stsName } from './fleet-description';
import { isDns1035Label, isDnsLabel, isResolvableName, parseVersion, versionAtLeast } from './kube-rules';

export type ProblemKind =
  | 'import without export' | 'import of a non-headless export' | 'imported port not exported' | 'export TypeConflict' | 'export PortConflict'
  | 'CoreDNS cannot serve clusterset.local' | 'DNS name too long' | 'ambiguous amcs pod names' | 'no storage class' | 'Corefile cannot be patched'
  | 'same object twice' | 'object outside every cluster' | 'service imported twice into a cluster' | 'cluster ID invalid';

export interface ExpectedProblem {
  readonly path: string;
  readonly kind: ProblemKind;
}

interface Port { readonly name: string; readonly port: number; readonly protocol: string }
interface Placement { readonly clusterId: string; readonly replicas: number; readonly ordinalStart: number }
interface Export { readonly path: string; readonly key: string; readonly name: string; readonly headless: boolean; readonly ports: Port[]; readonly placements: Placement[]; readonly podsKnown: boolean }
interface Import { readonly path: string; readonly key: string; readonly name: string; readonly namespace: string; readonly consumers: string[]; readonly methods: string[]; readonly ports?: Port[] }

const port = (p: PortDesc): Port => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' });
const samePort = (a: Port, b: Port) => a.name === b.name && a.port === b.port && a.protocol === b.protocol;
/** Two exported ports clash when they share a name but not number/protocol, or the other way round. */
const clash = (a: Port, b: Port) => (a.name === b.name) !== (a.port === b.port && a.protocol === b.protocol);

function exportsOf(fleet: FleetDesc): Export[] {
  const id = (i: number) => fleet.clusters[i].id;
  return fleet.constructs.flatMap((c): Export[] => {
    if (c.kind === 'MultiClusterStatefulSet') {
      const placements = c.providers.map((p) => ({ clusterId: id(p.cluster), replicas: p.replicas ?? c.replicas ?? 1, ordinalStart: p.ordinalStart ?? 0 }));
      return [{ path: c.id, key: `${c.namespace}/${stsName(c)}`, name: stsName(c), headless: true, ports: c.ports.map(port), placements, podsKnown: true }];
    }
    if (c.kind === 'ExportedService') {
      const placements = c.providers.map((p) => ({ clusterId: id(p), replicas: 0, ordinalStart: 0 }));
      return [{ path: c.id, key: `${c.namespace}/${c.serviceName}`, name: c.serviceName, headless: c.headless ?? true, ports: c.ports.map(port), placements, podsKnown: false }];
    }
    return [];
  });
}

function importsOf(fleet: FleetDesc): Import[] {
  return fleet.constructs.flatMap((c): Import[] =>
    c.kind === 'HeadlessImport'
      ? [{
        path: c.id, key: `${c.namespace}/${c.serviceName}`, name: c.serviceName, namespace: c.namespace,
        consumers: c.consumers.map((i) => fleet.clusters[i].id), methods: [...new Set(c.dnsMethods ?? ['amcs', 'clusterset'])], ports: c.ports?.map(port),
      }]
      : [],
  );
}

/** Every whole-fleet problem, or [] when the fleet must render. */
export function fleetProblems(fleet: FleetDesc): ExpectedProblem[] {
  const exports = exportsOf(fleet);
  const imports = importsOf(fleet);
  const problems = [
    ...clusterIdProblems(fleet),
    ...importProblems(imports, exports),
    ...twiceImportedProblems(imports),
    ...conflictProblems(exports),
    ...clustersetProblems(fleet, imports),
    ...dnsNameProblems(fleet, imports, exports),
    ...ambiguityProblems(imports, exports),
    ...corefileProblems(fleet, imports),
    ...strayProblems(fleet),
  ];
  // What only the rendered objects show (storage classes as rendered, objects twice) is checked once the rest passes.
  return problems.length > 0 ? problems : [...storageProblems(fleet), ...duplicateProblems(fleet)];
}

/** A cluster ID that is no DNS label, or names an output folder of the GitOps entry points (dist/argocd/, dist/clusters/). */
function clusterIdProblems(fleet: FleetDesc): ExpectedProblem[] {
  return fleet.clusters.filter((c) => !isDnsLabel(c.id) || ['argocd', 'clusters'].includes(c.id)).map((c) => ({ path: c.id, kind: 'cluster ID invalid' as const }));
}

function importProblems(imports: Import[], exports: Export[]): ExpectedProblem[] {
  return imports.flatMap((imp): ExpectedProblem[] => {
    const of = exports.filter((e) => e.key === imp.key);
    if (of.length === 0) return [{ path: imp.path, kind: 'import without export' }];
    const offered = of.flatMap((e) => e.ports);
    return [
      ...(of.some((e) => !e.headless) ? [{ path: imp.path, kind: 'import of a non-headless export' as const }] : []),
      ...(imp.ports ?? []).filter((p) => !offered.some((o) => samePort(o, p))).map(() => ({ path: imp.path, kind: 'imported port not exported' as const })),
    ];
  });
}

/** One import of a service per consumer: every later import into a cluster that already imports it, once per such cluster. */
function twiceImportedProblems(imports: Import[]): ExpectedProblem[] {
  return imports.flatMap((imp, i) => [...new Set(imp.consumers)]
    .filter((id) => imports.slice(0, i).some((x) => x.key === imp.key && x.consumers.includes(id)))
    .map(() => ({ path: imp.path, kind: 'service imported twice into a cluster' as const })));
}

/** Every export after the first of its service must agree with the first on headlessness, and with all before it on ports. */
function conflictProblems(exports: Export[]): ExpectedProblem[] {
  return exports.flatMap((e, i): ExpectedProblem[] => {
    const earlier = exports.slice(0, i).filter((x) => x.key === e.key);
    if (earlier.length === 0) return [];
    return [
      ...(earlier[0].headless !== e.headless ? [{ path: e.path, kind: 'export TypeConflict' as const }] : []),
      ...(earlier.some((x) => x.ports.some((p) => e.ports.some((q) => clash(p, q)))) ? [{ path: e.path, kind: 'export PortConflict' as const }] : []),
    ];
  });
}

/** Whether a cluster's CoreDNS can serve clusterset.local (its version is known to be well formed by now). */
export function servesClusterset(fleet: FleetDesc, clusterId: string): boolean {
  const c = fleet.clusters.find((x) => x.id === clusterId)!;
  const version = c.coreDnsVersion === undefined ? undefined : parseVersion(c.coreDnsVersion);
  if (!version) return false;
  return versionAtLeast(version, c.coreDnsFlavour === 'external-plugin' ? [1, 9, 3] : [1, 12, 2]);
}

function clustersetProblems(fleet: FleetDesc, imports: Import[]): ExpectedProblem[] {
  return imports
    .filter((imp) => imp.methods.includes('clusterset'))
    .flatMap((imp) => imp.consumers.filter((id) => !servesClusterset(fleet, id)).map(() => ({ path: imp.path, kind: 'CoreDNS cannot serve clusterset.local' as const })));
}

function dnsNameProblems(fleet: FleetDesc, imports: Import[], exports: Export[]): ExpectedProblem[] {
  const problems: ExpectedProblem[] = [];
  const seen = new Set<string>();
  const domain = (id: string) => fleet.clusters.find((c) => c.id === id)!.clusterDomain ?? 'cluster.local';
  for (const imp of imports) {
    for (const consumer of imp.consumers) {
      for (const e of exports.filter((x) => x.key === imp.key)) {
        for (const p of e.placements.filter((x) => !e.podsKnown || x.replicas > 0)) {
          const pod = e.podsKnown ? `${e.name}-${p.ordinalStart + p.replicas - 1}` : undefined;
          for (const method of imp.methods) {
            const tail = `${imp.namespace}.svc.${method === 'amcs' ? domain(consumer) : 'clusterset.local'}`;
            const service = method === 'amcs' ? `amcs-${imp.name}` : pod ? `${p.clusterId}.${imp.name}` : imp.name;
            const fqdn = `${pod ? `${pod}.` : ''}${service}.${tail}`;
            if (!isResolvableName(fqdn) && !seen.has(fqdn)) {
              seen.add(fqdn);
              problems.push({ path: imp.path, kind: 'DNS name too long' });
            }
          }
        }
      }
    }
  }
  const amcsTooLong = imports.filter((imp) => imp.methods.includes('amcs') && !isDns1035Label(`amcs-${imp.name}`));
  return [...problems, ...amcsTooLong.map((imp) => ({ path: imp.path, kind: 'DNS name too long' as const }))];
}

function ambiguityProblems(imports: Import[], exports: Export[]): ExpectedProblem[] {
  return imports
    .filter((imp) => imp.methods.includes('amcs'))
    .filter((imp) => {
      const placements = exports.filter((e) => e.key === imp.key && e.podsKnown).flatMap((e) => e.placements.filter((p) => p.replicas > 0));
      return placements.some((a, i) => placements.slice(i + 1).some((b) => a.ordinalStart < b.ordinalStart + b.replicas && b.ordinalStart < a.ordinalStart + a.replicas));
    })
    .map((imp) => ({ path: imp.path, kind: 'ambiguous amcs pod names' as const }));
}

function storageProblems(fleet: FleetDesc): ExpectedProblem[] {
  return fleet.constructs
    .filter((c): c is StatefulSetDesc => c.kind === 'MultiClusterStatefulSet')
    .flatMap((s) =>
      s.providers.flatMap((p) => {
        const cluster = fleet.clusters[p.cluster];
        return s.volumeClaims
          .filter((v) => v.storageClass === undefined && cluster.storageClass === undefined)
          .map(() => ({ path: `${cluster.id}/${s.id}`, kind: 'no storage class' as const }));
      }),
    );
}

/** Every ConfigMap of a chart created outside all clusters is refused, at its own path. */
function strayProblems(fleet: FleetDesc): ExpectedProblem[] {
  return fleet.constructs
    .filter((c): c is ExtraChartDesc => c.kind === 'ExtraChart' && c.cluster === undefined)
    .flatMap((c) => Array.from({ length: c.configMaps }, (_, n) => ({ path: extraObjectPath(c, n), kind: 'object outside every cluster' as const })));
}

const COREDNS = 'coredns-multicluster';

/** A Corefile the clusterset patch can work on has a kubernetes plugin serving the cluster domain. */
function corefileProblems(fleet: FleetDesc, imports: Import[]): ExpectedProblem[] {
  const consumers = new Set(imports.filter((i) => i.methods.includes('clusterset')).flatMap((i) => i.consumers));
  return fleet.clusters
    .filter((c) => consumers.has(c.id) && servesClusterset(fleet, c.id) && c.baseCorefile !== undefined)
    .filter((c) => !c.baseCorefile!.split('\n').some((line) => /^\s*kubernetes\s/.test(line) && line.split(/\s+/).includes(c.clusterDomain ?? 'cluster.local')))
    .map((c) => ({ path: `${c.id}/${COREDNS}`, kind: 'Corefile cannot be patched' as const }));
}

/** One object a cluster gets: `Kind namespace/name`, and the construct path that emits it. */
export interface EmittedObject {
  readonly key: string;
  readonly path: string;
  /** A user's own object: its namespace is the user's business, not one the constructs create. */
  readonly user?: boolean;
}

const CRDS = ['serviceexports.multicluster.x-k8s.io', 'serviceimports.multicluster.x-k8s.io', 'clusterproperties.about.k8s.io'];
const RUNNER = 'cdk8s-mcs-sync';
const COREDNS_RBAC = 'cdk8s-mcs-coredns-serviceimports';

/** Objects per cluster ID, in the order constructs emit them. */
export function emittedObjects(fleet: FleetDesc): Map<string, EmittedObject[]> {
  const out = new Map<string, EmittedObject[]>();
  const clustersetConsumers = new Set(importsOf(fleet).filter((i) => i.methods.includes('clusterset')).flatMap((i) => i.consumers));
  const runners = fleet.constructs.filter((c): c is RunnerDesc => c.kind === 'SyncRunner');
  for (const step of creationOrder(fleet)) {
    if ('cluster' in step) {
      const id = fleet.clusters[step.cluster].id;
      out.set(id, clusterObjects(id, clustersetConsumers.has(id)));
      // Every cluster gets the runner's RBAC, whenever it is added.
      runners.forEach((r) => out.get(id)!.push(...runnerRbac(r.namespace ?? 'cdk8s-mcs-system')));
    } else {
      constructObjects(step.construct).forEach(({ cluster, key, path, user }) => {
        const id = fleet.clusters[cluster].id;
        out.get(id)!.push({ key, path: path && `${id}/${path}`, ...(user ? { user } : {}) });
      });
    }
  }
  return withNamespaces(out);
}

function clusterObjects(id: string, servesClusterset: boolean): EmittedObject[] {
  return [
    ...CRDS.map((n) => ({ key: `CustomResourceDefinition ${n}`, path: `${id}/crds/${n}` })),
    { key: 'ClusterProperty cluster.clusterset.k8s.io', path: `${id}/cluster-id` },
    { key: 'ClusterProperty clusterset.k8s.io', path: `${id}/clusterset` },
    ...(servesClusterset ? [`ClusterRole ${COREDNS_RBAC}`, `ClusterRoleBinding ${COREDNS_RBAC}`, 'ConfigMap kube-system/coredns'].map((key) => ({ key, path: COREDNS })) : []),
  ];
}

function runnerRbac(ns: string): EmittedObject[] {
  return [`ClusterRole ${RUNNER}`, `ClusterRoleBinding ${RUNNER}`, `ServiceAccount ${ns}/${RUNNER}`, `Role ${ns}/${RUNNER}`, `RoleBinding ${ns}/${RUNNER}`].map((key) => ({ key, path: '' }));
}

/** What one construct puts into which cluster (by index), with the object's path below the cluster. */
function constructObjects(c: ConstructDesc): Array<{ cluster: number; key: string; path: string; user?: boolean }> {
  switch (c.kind) {
    case 'MultiClusterStatefulSet':
      return c.providers.flatMap((p) => [
        { cluster: p.cluster, key: `Service ${c.namespace}/${stsName(c)}`, path: `${c.id}/Service` },
        { cluster: p.cluster, key: `StatefulSet ${c.namespace}/${stsName(c)}`, path: `${c.id}/Resource` },
        { cluster: p.cluster, key: `ServiceExport ${c.namespace}/${stsName(c)}`, path: `${c.id}/Export` },
      ]);
    case 'ExportedService':
      return c.providers.map((cluster) => ({ cluster, key: `ServiceExport ${c.namespace}/${c.serviceName}`, path: c.id }));
    case 'HeadlessImport':
      return c.consumers.flatMap((cluster) => [
        { cluster, key: `ServiceImport ${c.namespace}/${c.serviceName}`, path: `${c.id}/Resource` },
        ...((c.dnsMethods ?? ['amcs', 'clusterset']).includes('amcs') ? [{ cluster, key: `Service ${c.namespace}/amcs-${c.serviceName}`, path: `${c.id}/AmcsService` }] : []),
      ]);
    case 'LiteralSecret':
      return c.clusters.map((cluster) => ({ cluster, key: `Secret ${c.namespace}/${c.secretName}`, path: c.id }));
    case 'SyncRunner': {
      const ns = c.namespace ?? 'cdk8s-mcs-system';
      return [`ConfigMap ${ns}/${RUNNER}-fleet`, `Deployment ${ns}/${RUNNER}`].map((key) => ({ cluster: c.host, key, path: '' }));
    }
    case 'ExtraChart': {
      const cluster = c.cluster;
      if (cluster === undefined) return [];
      const configMaps = Array.from({ length: c.configMaps }, (_, n) => ({ cluster, key: `ConfigMap ${c.id}/${c.id}-settings-${n}`, path: extraObjectPath(c, n), user: true }));
      return [{ cluster, key: `Namespace ${c.id}`, path: `${c.id}-ns`, user: true }, ...configMaps];
    }
  }
}

/** Each namespace a construct uses in a cluster gets its Namespace object (the CoreDNS ConfigMap lives in kube-system, which exists). */
function withNamespaces(out: Map<string, EmittedObject[]>): Map<string, EmittedObject[]> {
  for (const objects of out.values()) {
    const namespaces = new Set(objects.filter((o) => o.path !== COREDNS && !o.user).map((o) => /^\S+ ([^/ ]+)\//.exec(o.key)?.[1]).filter((n): n is string => n !== undefined));
    namespaces.forEach((n) => objects.push({ key: `Namespace ${n}`, path: '' }));
  }
  return out;
}

function duplicateProblems(fleet: FleetDesc): ExpectedProblem[] {
  return [...emittedObjects(fleet).values()].flatMap((objects) =>
    objects.filter((o, i) => objects.findIndex((x) => x.key === o.key) !== i).map((o) => ({ path: o.path, kind: 'same object twice' as const })),
  );
}
