/**
 * Fault injection: each mutation sets one field of a generated fleet to a value that is wrong (or
 * suspicious: some mutations produce fleets that are still valid, and the oracle must say so).
 * A mutation is plain data `{ kind, target, variant }`, so fast-check can shrink it.
 */
import * as fc from 'fast-check';
import { cleanFleet } from './arbitraries';
import { ConstructDesc, FleetDesc, GeneratedFleet, PortDesc, stsName } from './fleet-description';

/* eslint-disable @typescript-eslint/no-explicit-any -- a draft is the description with readonly dropped */
type Draft = { clusters: any[]; constructs: any[] };

export interface Mutation {
  readonly kind: MutationKind;
  readonly target: number;
  readonly variant: number;
}

/** Picks among the candidates and among the bad values, from the mutation's two numbers. */
interface Chooser {
  pick<T>(items: readonly T[]): T | undefined;
  value<T>(values: readonly T[]): T;
}

type Mutator = (fleet: Draft, choose: Chooser) => boolean;

const BROKEN_COREFILE = '.:53 {\n    errors\n    forward . /etc/resolv.conf\n}\n';

const withKind = (f: Draft, ...kinds: string[]) => f.constructs.filter((c) => kinds.includes(c.kind));
const withPorts = (f: Draft) => withKind(f, 'MultiClusterStatefulSet', 'ExportedService', 'HeadlessImport');
const claimsOf = (f: Draft) => withKind(f, 'MultiClusterStatefulSet').filter((s) => s.volumeClaims.length > 0);

/** Sets `field` of a chosen item to a chosen value. */
function setField(items: (f: Draft) => any[], field: string, values: readonly unknown[]): Mutator {
  return (f, choose) => {
    const item = choose.pick(items(f));
    if (!item) return false;
    item[field] = choose.value(values);
    return true;
  };
}

function portsOf(c: any): PortDesc[] {
  if (!c.ports) c.ports = [{ name: 'tcp', port: 3306 }];
  return c.ports;
}

/** Edits the ports of a chosen construct; `edit` returns false when it found nothing to change. */
function editPorts(edit: (ports: any[], choose: Chooser) => boolean, items: (f: Draft) => any[] = withPorts): Mutator {
  return (f, choose) => {
    const c = choose.pick(items(f));
    return c !== undefined && edit(portsOf(c), choose);
  };
}

function editPort(field: keyof PortDesc, values: readonly unknown[], items: (f: Draft) => any[] = withPorts): Mutator {
  return editPorts((ports, choose) => {
    const port = choose.pick(ports);
    if (port) port[field] = choose.value(values);
    return port !== undefined;
  }, items);
}

function ensureSecret(f: Draft): any {
  let secret = withKind(f, 'LiteralSecret')[0];
  if (!secret) {
    secret = { kind: 'LiteralSecret', id: 'secret-extra', secretName: 'extra', namespace: 'db', clusters: [0], stringData: { password: 'S3CR3T-extra00000000' }, acknowledged: true };
    f.constructs.push(secret);
  }
  return secret;
}

function ensureRunner(f: Draft): any {
  let runner = withKind(f, 'SyncRunner')[0];
  if (!runner) {
    runner = { kind: 'SyncRunner', id: 'runner-extra', host: 0, early: false };
    f.constructs.push(runner);
  }
  return runner;
}

/** Renames a workload's key and every import of it, so the fleet stays connected. */
function rekey(f: Draft, sts: any, to: { namespace?: string; name?: string }): void {
  const [oldNs, oldName] = [sts.namespace, stsName(sts)];
  sts.namespace = to.namespace ?? oldNs;
  sts.serviceName = to.name ?? oldName;
  for (const imp of withKind(f, 'HeadlessImport').filter((i) => i.namespace === oldNs && i.serviceName === oldName)) {
    imp.namespace = sts.namespace;
    imp.serviceName = sts.serviceName;
  }
}

const MUTATORS = {
  'cluster id invalid': setField((f) => f.clusters, 'id', ['Cluster-1', 'eu.west', 'x'.repeat(64), '', '-edge', 'a_b', 'c1-', 'argocd', 'clusters']),
  'cluster id duplicated': (f: Draft, choose: Chooser) => {
    if (f.clusters.length < 2) return false;
    const i = choose.pick(f.clusters.slice(1).map((_, k) => k + 1))!;
    f.clusters[i].id = f.clusters[choose.value(f.clusters.slice(0, i).map((_, k) => k))].id;
    return true;
  },
  'storageClass invalid': setField((f) => f.clusters, 'storageClass', ['Fast SSD', '', 'UPPER', 'a..b', '-x', 'x'.repeat(254)]),
  'storageClass missing': setField((f) => f.clusters, 'storageClass', [undefined]),
  'coreDnsVersion not a version': setField((f) => f.clusters, 'coreDnsVersion', ['latest', '', '1', 'one.two', '1.12.2.4', 'v']),
  'coreDnsVersion too old': setField((f) => f.clusters, 'coreDnsVersion', ['1.11.3', '1.9.2', 'v1.8.0', '1.12.1']),
  'coreDnsVersion missing': setField((f) => f.clusters, 'coreDnsVersion', [undefined]),
  'coreDnsFlavour unknown': setField((f) => f.clusters, 'coreDnsFlavour', ['intree', 'EXTERNAL', '']),
  'clusterDomain invalid': setField((f) => f.clusters, 'clusterDomain', ['Cluster.Local', '', 'a..local', '-x.local', `${'x'.repeat(64)}.local`, 'clusterset.local']),
  'clusterDomain custom': setField((f) => f.clusters, 'clusterDomain', ['k8s.internal', 'example.org']),
  'kubeContext empty': setField((f) => f.clusters, 'kubeContext', ['']),
  'baseCorefile without kubernetes': setField((f) => f.clusters, 'baseCorefile', [BROKEN_COREFILE]),
  'serviceName invalid': setField((f) => withKind(f, 'MultiClusterStatefulSet', 'ExportedService', 'HeadlessImport'), 'serviceName', ['MySQL', '1db', 'my_sql', 'a'.repeat(53), 'b'.repeat(64), '', 'my.sql', 'db-']),
  'namespace invalid': setField((f) => withKind(f, 'MultiClusterStatefulSet', 'ExportedService', 'HeadlessImport', 'LiteralSecret', 'SyncRunner'), 'namespace', ['Prod', 'my.ns', 'n'.repeat(64), '', '-ns', 'ns_1']),
  'image empty': setField((f) => withKind(f, 'MultiClusterStatefulSet'), 'image', ['', '   ']),
  'cluster list empty': (f: Draft, choose: Chooser) => {
    const c = choose.pick(withKind(f, 'MultiClusterStatefulSet', 'ExportedService', 'HeadlessImport', 'LiteralSecret'));
    if (!c) return false;
    c[listField(c)] = [];
    return true;
  },
  'cluster listed twice': (f: Draft, choose: Chooser) => {
    const c = choose.pick(withKind(f, 'MultiClusterStatefulSet', 'ExportedService', 'HeadlessImport', 'LiteralSecret'));
    if (!c) return false;
    const list = c[listField(c)];
    if (list.length === 0) return false;
    list.push(list[choose.value<number>(list.map((_: unknown, i: number) => i))]);
    return true;
  },
  'port name invalid': editPort('name', ['MySQL', 'a--b', '-tcp', 'tcp-', '1234', 'much-too-long-nam', '', 'my_port']),
  'port number invalid': editPort('port', [0, 65536, -1, 1.5, NaN]),
  'containerPort invalid': editPort('containerPort', [0, 70000], (f) => withKind(f, 'MultiClusterStatefulSet')),
  'port name duplicated': editPorts((ports) => ports.length > 0 && ports.push({ ...ports[0], port: ports[0].port === 1 ? 2 : ports[0].port - 1 }) > 0),
  'port number duplicated': editPorts((ports) => ports.length > 0 && ports.push({ name: 'extra', port: ports[0].port, protocol: ports[0].protocol }) > 0),
  'ports empty': editPorts((ports) => ports.splice(0).length > 0),
  'replicas invalid': setField((f) => withKind(f, 'MultiClusterStatefulSet', 'SyncRunner'), 'replicas', [-1, 1.5, 2 ** 31, NaN]),
  'provider replicas invalid': setField((f) => withKind(f, 'MultiClusterStatefulSet').flatMap((s) => s.providers), 'replicas', [-1, 2.5, 2 ** 31]),
  'ordinalStart invalid': setField((f) => withKind(f, 'MultiClusterStatefulSet').flatMap((s) => s.providers), 'ordinalStart', [-1, 0.5, 2 ** 31]),
  'ordinal ranges overlap': (f: Draft, choose: Chooser) => {
    const s = choose.pick(withKind(f, 'MultiClusterStatefulSet').filter((x) => x.providers.length > 1));
    if (!s) return false;
    s.providers.forEach((p: any) => delete p.ordinalStart);
    return true;
  },
  'volume claim name invalid': setField(claimsOf, 'volumeClaims', [[{ name: 'Data', mountPath: '/d', size: '1Gi' }], [{ name: 'd.x', mountPath: '/d', size: '1Gi' }], [{ name: 'd', mountPath: '/d', size: '1Gi' }, { name: 'd', mountPath: '/e', size: '1Gi' }]]),
  'volume claim mountPath invalid': setField(claimsOf, 'volumeClaims', [[{ name: 'd', mountPath: '', size: '1Gi' }], [{ name: 'd', mountPath: '/d', size: '1Gi' }, { name: 'e', mountPath: '/d', size: '1Gi' }]]),
  'volume claim size invalid': setField((f) => claimsOf(f).flatMap((s) => s.volumeClaims), 'size', ['lots', '-1Gi', '0', '10 GB', '', '1gi']),
  'volume claim storageClass invalid': setField((f) => claimsOf(f).flatMap((s) => s.volumeClaims), 'storageClass', ['Fast SSD', 'UPPER', 'a_b']),
  'volume claim without storage class': (f: Draft, choose: Chooser) => {
    const s = choose.pick(withKind(f, 'MultiClusterStatefulSet').filter((x) => x.providers.length > 0));
    if (!s) return false;
    s.volumeClaims = [{ name: 'scratch', mountPath: '/scratch', size: '1Gi' }];
    delete f.clusters[s.providers[0].cluster].storageClass;
    return true;
  },
  'secretEnv name invalid': setField((f) => withKind(f, 'MultiClusterStatefulSet'), 'secretEnv', [[{ name: '', secretName: 's', key: 'k' }], [{ name: '1VAR', secretName: 's', key: 'k' }], [{ name: 'MY VAR', secretName: 's', key: 'k' }]]),
  'secretEnv secretName invalid': setField((f) => withKind(f, 'MultiClusterStatefulSet'), 'secretEnv', [[{ name: 'PW', secretName: 'My Secret', key: 'k' }], [{ name: 'PW', secretName: '', key: 'k' }]]),
  'secretEnv key invalid': setField((f) => withKind(f, 'MultiClusterStatefulSet'), 'secretEnv', [[{ name: 'PW', secretName: 's', key: '' }], [{ name: 'PW', secretName: 's', key: 'a b' }], [{ name: 'PW', secretName: 's', key: '..' }]]),
  'import of nothing': setField((f) => withKind(f, 'HeadlessImport'), 'serviceName', ['nothing-here']),
  'import port not exported': setField((f) => withKind(f, 'HeadlessImport'), 'ports', [[{ name: 'tcp', port: 3307 }], [{ name: 'tcp', port: 3306, protocol: 'UDP' }]]),
  'dnsMethods invalid': setField((f) => withKind(f, 'HeadlessImport'), 'dnsMethods', [[], ['dns'], ['AMCS']]),
  'export not headless': setField((f) => withKind(f, 'ExportedService'), 'headless', [false]),
  'conflicting second export': (f: Draft, choose: Chooser) => {
    const e = choose.pick(withKind(f, 'MultiClusterStatefulSet', 'ExportedService'));
    if (!e) return false;
    const headless = e.kind === 'ExportedService' ? e.headless !== false : true;
    const ports = e.ports.map((p: PortDesc, i: number) => (i === 0 ? { name: p.name, port: p.port === 1 ? 2 : p.port - 1, protocol: p.protocol } : p));
    const flip = choose.value([true, false]);
    f.constructs.push({
      kind: 'ExportedService', id: `conflict-${f.constructs.length}`, serviceName: e.kind === 'ExportedService' ? e.serviceName : stsName(e), namespace: e.namespace,
      providers: [choose.value(f.clusters.map((_, i) => i))], ports: flip ? e.ports : ports, headless: flip ? !headless : headless,
    });
    return true;
  },
  'secret not acknowledged': (f: Draft) => ((ensureSecret(f).acknowledged = false), true),
  'secret name invalid': (f: Draft, choose: Chooser) => ((ensureSecret(f).secretName = choose.value(['Bootstrap Creds', '', '-x'])), true),
  'secret key invalid': (f: Draft, choose: Chooser) => ((ensureSecret(f).stringData = choose.value([{ 'a b': 'S3CR3T-key' }, { '': 'S3CR3T-key' }, { 'a/b': 'S3CR3T-key' }])), true),
  'runner created before clusters': (f: Draft) => ((ensureRunner(f).early = true), true),
  'second runner': (f: Draft) => (f.constructs.push({ ...ensureRunner(f), id: 'runner-2', early: false }), true),
  'names near the DNS limits': (f: Draft, choose: Chooser) => {
    const s = choose.pick(withKind(f, 'MultiClusterStatefulSet').filter((x) => x.providers.length > 0));
    if (!s) return false;
    const how = choose.value(['namespace', 'name', 'cluster', 'all', 'all', 'all']);
    if (how === 'namespace' || how === 'all') rekey(f, s, { namespace: `n${'s'.repeat(62)}` });
    if (how === 'name' || how === 'all') rekey(f, s, { name: `s${'v'.repeat(51)}` });
    if (how === 'cluster' || how === 'all') f.clusters[s.providers[0].cluster].id = `c${'l'.repeat(61)}${s.providers[0].cluster}`;
    if (how === 'all') {
      // <pod>.<cluster>.<svc>.<ns>.svc.clusterset.local is then 256 characters: make sure someone resolves it.
      s.providers[0].replicas = 1;
      f.constructs.push({ kind: 'HeadlessImport', id: `import-long-${f.constructs.length}`, serviceName: stsName(s), namespace: s.namespace, consumers: [s.providers[0].cluster], dnsMethods: ['clusterset'] });
    }
    return true;
  },
  'construct id clash': (f: Draft, choose: Chooser) => {
    // A user's chart may live in a cluster, where top-level ids do not clash with it.
    const c = choose.pick(f.constructs.filter((x) => x.kind !== 'ExtraChart'));
    if (!c) return false;
    if (c.kind === 'MultiClusterStatefulSet') c.serviceName = stsName(c);
    const others = f.constructs.filter((x) => x !== c && x.kind !== 'ExtraChart').map((x) => x.id);
    c.id = choose.value([...f.clusters.map((x) => x.id), ...others, 'crds', 'clusterset', 'cluster-id']);
    return true;
  },
  'chart outside every cluster': (f: Draft, choose: Chooser) => {
    const chart = choose.pick(withKind(f, 'ExtraChart'));
    if (chart) {
      delete chart.cluster;
    } else {
      f.constructs.push({ kind: 'ExtraChart', id: 'addons9', nested: choose.value([false, true]), chartNamespace: false, configMaps: 1 });
    }
    return true;
  },
  'same object twice': (f: Draft, choose: Chooser) => {
    const c = choose.pick(withKind(f, 'MultiClusterStatefulSet', 'HeadlessImport', 'LiteralSecret', 'ExportedService'));
    if (!c) return false;
    f.constructs.push({ ...deepCopy(c), id: `copy-of-${c.id}`, ...(c.kind === 'MultiClusterStatefulSet' ? { serviceName: stsName(c) } : {}) });
    return true;
  },
  'workload named like an amcs- Service': (f: Draft, choose: Chooser) => {
    const imp = choose.pick(withKind(f, 'HeadlessImport').filter((i) => i.consumers.length > 0 && (!i.dnsMethods || i.dnsMethods.includes('amcs'))));
    if (!imp || imp.serviceName.length > 47) return false;
    f.constructs.push({
      kind: 'MultiClusterStatefulSet', id: `amcs-${imp.serviceName}`, namespace: imp.namespace, image: 'busybox',
      providers: [{ cluster: imp.consumers[0] }], ports: [{ name: 'tcp', port: 80 }], volumeClaims: [], secretEnv: [],
    });
    return true;
  },
} satisfies Record<string, Mutator>;

export type MutationKind = keyof typeof MUTATORS;
export const MUTATION_KINDS = Object.keys(MUTATORS) as MutationKind[];

/** Mutations whose faults only whole-fleet checks can see (constructs accept them). */
export const FLEET_LEVEL_KINDS: readonly MutationKind[] = [
  'storageClass missing', 'coreDnsVersion too old', 'coreDnsVersion missing', 'baseCorefile without kubernetes', 'ordinal ranges overlap',
  'volume claim without storage class', 'import of nothing', 'import port not exported', 'export not headless', 'conflicting second export',
  'names near the DNS limits', 'same object twice', 'workload named like an amcs- Service', 'chart outside every cluster',
];

/** A copy made in this realm: structuredClone's objects come from Node's, and fast-check would print them as [object Object] under jest. */
function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepCopy(v)])) as T;
  return value;
}

function listField(c: ConstructDesc): string {
  return c.kind === 'HeadlessImport' ? 'consumers' : c.kind === 'LiteralSecret' ? 'clusters' : 'providers';
}

/** Applies the mutations in order; returns the fleet and the names of those that found something to change. */
export function applyMutations(fleet: FleetDesc, mutations: readonly Mutation[]): GeneratedFleet {
  const draft = deepCopy(fleet) as unknown as Draft;
  const injected: string[] = [];
  for (const m of mutations) {
    const choose: Chooser = {
      pick: (items) => (items.length ? items[m.target % items.length] : undefined),
      value: (values) => values[m.variant % values.length],
    };
    if (MUTATORS[m.kind](draft, choose)) {
      injected.push(m.kind);
    }
  }
  return { fleet: draft as unknown as FleetDesc, injected };
}

export function mutationArb(kinds: readonly MutationKind[] = MUTATION_KINDS): fc.Arbitrary<Mutation> {
  return fc.record({ kind: fc.constantFrom(...kinds), target: fc.nat({ max: 50 }), variant: fc.nat({ max: 50 }) });
}

/** Clean fleets, four in eleven left alone, the others with one to three faults of the given kinds. */
export function generatedFleet(kinds: readonly MutationKind[] = MUTATION_KINDS, cleanWeight = 4): fc.Arbitrary<GeneratedFleet> {
  const faults = fc.oneof(
    { weight: cleanWeight, arbitrary: fc.constant([]) },
    { weight: 5, arbitrary: fc.array(mutationArb(kinds), { minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: fc.array(mutationArb(kinds), { minLength: 2, maxLength: 3 }) },
  );
  return fc.tuple(cleanFleet(), faults).map(([fleet, mutations]) => applyMutations(fleet, mutations));
}
