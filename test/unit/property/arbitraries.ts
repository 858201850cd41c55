/**
 * fast-check arbitraries for whole fleets. `cleanFleet` builds fleets from sensible values (most
 * render, some fail whole-fleet checks by chance: an import of nothing, overlapping ordinals,
 * two exports that disagree); `mutations.ts` then injects faults into them.
 */
import * as fc from 'fast-check';
import {
  ClaimDesc, ClusterDesc, ConstructDesc, ExportDesc, ExtraChartDesc, FleetDesc, ImportDesc, PortDesc, ProviderDesc, RunnerDesc, SecretDesc, SecretEnvDesc, StatefulSetDesc, stsName,
} from './fleet-description';

const LOWER = 'abcdefghijklmnopqrstuvwxyz'.split('');
const DIGITS = '0123456789'.split('');

export const NAMESPACES = ['db', 'data', 'prod-ns'];
export const STS_NAMES = ['mysql', 'kafka', 'etcd', 'redis', 'zk'];
export const SERVICE_NAMES = ['web', 'api', 'mysql', 'legacy-db'];
const CLUSTER_IDS = ['eu-1', 'eu-2', 'us-east-1', 'ap-south', 'c1', 'c2', 'prod', 'edge-7'];

export const PORTS: readonly PortDesc[] = [
  { name: 'tcp', port: 3306 },
  { name: 'admin', port: 33062 },
  { name: 'metrics', port: 9104 },
  { name: 'peer', port: 2380 },
  { name: 'dns', port: 53, protocol: 'UDP' },
  { name: 'sig', port: 9899, protocol: 'SCTP' },
];
const CLAIMS: readonly ClaimDesc[] = [
  { name: 'data', mountPath: '/var/lib/data', size: '10Gi' },
  { name: 'logs', mountPath: '/var/log/app', size: '500Mi' },
];
const SECRET_ENV: readonly SecretEnvDesc[] = [
  { name: 'MYSQL_ROOT_PASSWORD', secretName: 'mysecret', key: 'ROOT_PASSWORD' },
  { name: 'API_TOKEN', secretName: 'api-creds.v1', key: 'token' },
];

/** `arb` with weight `some`, else undefined with weight `none`. */
export function maybe<T>(arb: fc.Arbitrary<T>, some: number, none: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: none, arbitrary: fc.constant(undefined) }, { weight: some, arbitrary: arb });
}

/** A DNS label of min..max (>= 2) characters; RFC-1035 (starting with a letter) when `letterFirst`. */
export function label(min: number, max: number, letterFirst = true): fc.Arbitrary<string> {
  const first = fc.constantFrom(...(letterFirst ? LOWER : [...LOWER, ...DIGITS]));
  const middle = fc.string({ unit: fc.constantFrom(...LOWER, ...DIGITS, '-'), minLength: min - 2, maxLength: max - 2 });
  return fc.tuple(first, middle, fc.constantFrom(...LOWER, ...DIGITS)).map(([a, b, c]) => a + b + c);
}

const clusterIdArb = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...CLUSTER_IDS) },
  { weight: 2, arbitrary: label(2, 10, false) },
  { weight: 1, arbitrary: label(40, 63, false) },
);

const coreDnsArb = fc.oneof(
  { weight: 8, arbitrary: fc.record({ coreDnsVersion: fc.constantFrom('1.12.2', 'v1.12.3', '1.13.1', '1.12.4-eksbuild.1') }) },
  { weight: 2, arbitrary: fc.record({ coreDnsVersion: fc.constantFrom('1.9.3', '1.11.3', '1.12.2'), coreDnsFlavour: fc.constant('external-plugin') }) },
  { weight: 1, arbitrary: fc.record({ coreDnsVersion: fc.constantFrom('1.11.3', 'v1.10.1'), coreDnsFlavour: fc.constant('in-tree') }) },
  { weight: 1, arbitrary: fc.constant({}) },
);

const clusterPropsArb = fc.record({
  storageClass: maybe(fc.constantFrom('standard', 'gp3', 'fast.ssd.example.com'), 6, 1),
  clusterDomain: maybe(fc.constantFrom('k8s.internal', 'corp.example.com'), 1, 5),
  kubeContext: maybe(fc.constantFrom('prod-eu', 'kind-a'), 1, 5),
  coreDns: coreDnsArb,
});

function clustersArb(): fc.Arbitrary<ClusterDesc[]> {
  const count = fc.oneof({ weight: 2, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 4, max: 6 }) });
  return count.chain((n) =>
    fc.tuple(fc.uniqueArray(clusterIdArb, { minLength: n, maxLength: n }), fc.array(clusterPropsArb, { minLength: n, maxLength: n })).map(([ids, props]) =>
      ids.map((id, i) => {
        const { coreDns, ...rest } = props[i];
        return compact({ id, ...rest, ...coreDns });
      }),
    ),
  );
}

/** Drops undefined properties, so counterexamples print short. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const namespaceArb = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...NAMESPACES) }, { weight: 1, arbitrary: label(2, 8, false) }, { weight: 1, arbitrary: label(50, 63, false) });

const portsArb = fc.tuple(fc.shuffledSubarray([...PORTS], { minLength: 1, maxLength: 3 }), fc.boolean()).map(([ports, offset]) =>
  ports.map((p, i) => (offset && i === 0 ? { ...p, containerPort: p.port + 1 } : p)),
);

function providersArb(clusterCount: number) {
  const indices = Array.from({ length: clusterCount }, (_, i) => i);
  return fc.record({
    clusters: fc.shuffledSubarray(indices, { minLength: 1, maxLength: Math.min(3, clusterCount) }),
    replicas: fc.array(maybe(fc.integer({ min: 0, max: 3 }), 2, 1), { minLength: 3, maxLength: 3 }),
    ordinals: fc.constantFrom('disjoint', 'disjoint', 'disjoint', 'zero', 'random'),
    randomStarts: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }),
  });
}

function statefulSetArb(clusterCount: number): fc.Arbitrary<StatefulSetDesc> {
  return fc.record({
    name: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...STS_NAMES) }, { weight: 2, arbitrary: label(2, 12) }, { weight: 1, arbitrary: label(40, 52) }),
    explicitName: fc.boolean(),
    namespace: namespaceArb,
    image: fc.constantFrom('mysql:8.4', 'bitnami/kafka:3.7', 'registry.example/coreos/etcd:v3.5.14'),
    replicas: maybe(fc.integer({ min: 0, max: 3 }), 1, 2),
    providers: providersArb(clusterCount),
    ports: portsArb,
    claims: fc.subarray([...CLAIMS]),
    claimClass: fc.constantFrom(undefined, undefined, 'standard', 'fast-ssd', ''),
    secretEnv: fc.subarray([...SECRET_ENV]),
  }).map((r) => {
    const defaultReplicas = r.replicas ?? 1;
    let next = 0;
    const providers: ProviderDesc[] = r.providers.clusters.map((cluster, i) => {
      const replicas = r.providers.replicas[i];
      const count = replicas ?? defaultReplicas;
      const start = r.providers.ordinals === 'disjoint' ? next : r.providers.ordinals === 'random' ? r.providers.randomStarts[i] : 0;
      next += count;
      return compact({ cluster, replicas, ordinalStart: start === 0 && r.providers.ordinals !== 'random' ? undefined : start });
    });
    return compact({
      kind: 'MultiClusterStatefulSet' as const,
      id: r.explicitName ? `${r.name}-set` : r.name,
      serviceName: r.explicitName ? r.name : undefined,
      namespace: r.namespace,
      image: r.image,
      replicas: r.replicas,
      providers,
      ports: r.ports,
      volumeClaims: r.claims.map((c) => compact({ ...c, storageClass: r.claimClass })),
      secretEnv: r.secretEnv,
    });
  });
}

function exportArb(clusterCount: number): fc.Arbitrary<ExportDesc> {
  const indices = Array.from({ length: clusterCount }, (_, i) => i);
  return fc.record({
    serviceName: fc.constantFrom(...SERVICE_NAMES),
    namespace: namespaceArb,
    providers: fc.shuffledSubarray(indices, { minLength: 1, maxLength: Math.min(3, clusterCount) }),
    ports: portsArb,
    headless: fc.constantFrom(undefined, true, true, false),
  }).map((r) => compact({ kind: 'ExportedService' as const, id: `export-${r.serviceName}`, ...r }));
}

/** An import before it is pointed at an export (resolved once every export is known). */
interface RawImport {
  readonly target: number;
  readonly matching: boolean;
  readonly serviceName: string;
  readonly namespace: string;
  readonly consumers: number[];
  readonly dnsMethods?: string[];
  readonly portMode: 'all' | 'subset' | 'foreign';
}

function rawImportArb(clusterCount: number): fc.Arbitrary<RawImport> {
  const indices = Array.from({ length: clusterCount }, (_, i) => i);
  return fc.record({
    target: fc.nat({ max: 20 }),
    matching: fc.oneof({ weight: 19, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    serviceName: fc.constantFrom(...STS_NAMES, ...SERVICE_NAMES),
    namespace: fc.constantFrom(...NAMESPACES),
    consumers: fc.shuffledSubarray(indices, { minLength: 1, maxLength: Math.min(3, clusterCount) }),
    dnsMethods: fc.constantFrom(undefined, undefined, ['amcs'], ['amcs'], ['clusterset'], ['clusterset', 'amcs', 'clusterset']),
    portMode: fc.oneof({ weight: 12, arbitrary: fc.constant('all' as const) }, { weight: 3, arbitrary: fc.constant('subset' as const) }, { weight: 1, arbitrary: fc.constant('foreign' as const) }),
  });
}

function resolveImport(raw: RawImport, exports: readonly (StatefulSetDesc | ExportDesc)[]): ImportDesc {
  const target = raw.matching && exports.length > 0 ? exports[raw.target % exports.length] : undefined;
  const serviceName = target ? (target.kind === 'ExportedService' ? target.serviceName : stsName(target)) : raw.serviceName;
  const namespace = target ? target.namespace : raw.namespace;
  const ports = raw.portMode === 'subset' && target
    ? target.ports.slice(0, 1 + (raw.target % target.ports.length)).map(({ containerPort, ...p }) => p)
    : raw.portMode === 'foreign' ? [{ name: 'other', port: 7777 }] : undefined;
  return compact({ kind: 'HeadlessImport' as const, id: `import-${serviceName}`, serviceName, namespace, consumers: raw.consumers, dnsMethods: raw.dnsMethods, ports });
}

function secretArb(clusterCount: number): fc.Arbitrary<SecretDesc> {
  const indices = Array.from({ length: clusterCount }, (_, i) => i);
  const token = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: 16, maxLength: 16 });
  return fc.record({
    secretName: fc.constantFrom('bootstrap-creds', 'db-root'),
    namespace: fc.constantFrom(...NAMESPACES),
    clusters: fc.shuffledSubarray(indices, { minLength: 1, maxLength: Math.min(2, clusterCount) }),
    password: token,
  }).map((r) => ({
    kind: 'LiteralSecret' as const,
    id: `secret-${r.secretName}`,
    secretName: r.secretName,
    namespace: r.namespace,
    clusters: r.clusters,
    stringData: { password: `S3CR3T-${r.password}` },
    acknowledged: true,
  }));
}

function runnerArb(clusterCount: number): fc.Arbitrary<RunnerDesc> {
  return fc.record({
    host: fc.integer({ min: 0, max: clusterCount - 1 }),
    namespace: fc.constantFrom(undefined, undefined, 'mcs-runner'),
    replicas: fc.constantFrom(undefined, 1, 3),
    early: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  }).map((r) => compact({ kind: 'SyncRunner' as const, id: 'runner', ...r }));
}

function extraChartArb(clusterCount: number): fc.Arbitrary<Omit<ExtraChartDesc, 'id'>> {
  return fc.record({
    cluster: maybe(fc.integer({ min: 0, max: clusterCount - 1 }), 12, 1),
    nested: fc.boolean(),
    chartNamespace: fc.boolean(),
    configMaps: fc.integer({ min: 1, max: 2 }),
  }).map((r) => compact({ kind: 'ExtraChart' as const, ...r }));
}

/** Whole fleets from sensible values. */
export function cleanFleet(): fc.Arbitrary<FleetDesc> {
  return clustersArb().chain((clusters) => {
    const n = clusters.length;
    return fc.record({
      statefulSets: fc.array(statefulSetArb(n), { maxLength: 3 }),
      exported: fc.array(exportArb(n), { maxLength: 2 }),
      imports: fc.array(rawImportArb(n), { maxLength: 3 }),
      secrets: fc.array(secretArb(n), { maxLength: 1 }),
      runner: maybe(runnerArb(n), 1, 3),
      charts: fc.array(extraChartArb(n), { maxLength: 2 }),
      order: fc.array(fc.nat({ max: 999 }), { minLength: 10, maxLength: 10 }),
    }).map((r) => {
      const exports = [...r.statefulSets, ...r.exported];
      // Without exports, only the deliberately unmatched imports stay (they test "import of nothing").
      const imports = r.imports.filter((raw) => exports.length > 0 || !raw.matching).map((raw) => resolveImport(raw, exports));
      const charts = r.charts.map((c, i): ExtraChartDesc => ({ ...c, id: `addons${i}` }));
      const constructs: ConstructDesc[] = [...exports, ...imports, ...r.secrets, ...(r.runner ? [r.runner] : []), ...charts];
      const shuffled = constructs.map((c, i) => ({ c, key: r.order[i % r.order.length] * 100 + i })).sort((a, b) => a.key - b.key).map((x) => x.c);
      return { clusters, constructs: uniqueIds(shuffled, clusters.map((c) => c.id)) };
    });
  });
}

/** Construct ids unique among constructs and clusters (the oracle treats clashes as a fault of their own). */
function uniqueIds(constructs: ConstructDesc[], clusterIds: readonly string[]): ConstructDesc[] {
  const taken = new Set(clusterIds);
  return constructs.map((c, i) => {
    if (!taken.has(c.id)) {
      taken.add(c.id);
      return c;
    }
    const id = `${c.id}-${i}`;
    taken.add(id);
    return c.kind === 'MultiClusterStatefulSet' ? { ...c, id, serviceName: stsName(c) } : { ...c, id };
  });
}
