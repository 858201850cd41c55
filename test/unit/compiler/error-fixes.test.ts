/**
 * Every construction-time error for bad input ends with an actionable "Fix: ..." sentence, and the
 * suggestion helpers behind the concrete ones (a valid name derived from the bad one).
 */
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { DnsMethod, ExportedService, Fleet, GitOps, HeadlessImport, LiteralSecret, MultiClusterStatefulSet, MultiClusterStatefulSetProps, SyncRunner } from '../../../lib';
import { labelValueSuggestion, qualifiedNameSuggestion } from '../../../lib/constructs/validate-workload';
import {
  closestName, dnsLabelSuggestion, dnsSubdomainSuggestion, envVarNameSuggestion, portNameSuggestion, quantitySuggestion, secretKeySuggestion, serviceNameSuggestion,
} from '../../../lib/constructs/validate';

function fleetWith2() {
  const fleet = new Fleet({ outdir: '/nonexistent' });
  return { fleet, a: fleet.addCluster('a', { storageClass: 's' }), b: fleet.addCluster('b') };
}

const base = { namespace: 'db', image: 'mysql:8.4', ports: [{ name: 'tcp', port: 3306 }] };

/** The message `make` throws; fails the test when it does not throw. */
function messageOf(make: () => unknown): string {
  try {
    make();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, got none');
}

describe('every construction-time error for bad input names its Fix', () => {
  const { fleet, a, b } = fleetWith2();
  let n = 0;
  const sts = (extra: Partial<MultiClusterStatefulSetProps>) => () =>
    new MultiClusterStatefulSet(fleet, `m${n++}`, { ...base, serviceName: 'mysql', providers: [{ cluster: a }], volumeClaims: [{ name: 'data', mountPath: '/var/lib/mysql', size: '1Gi' }], ...extra });
  const other = fleetWith2();
  const mysql = new MultiClusterStatefulSet(fleet, 'mysql', { ...base, providers: [{ cluster: a }] });

  const cases: Array<[string, () => unknown]> = [
    // validate.ts
    ['Service name', sts({ serviceName: '1mysql' })],
    ['DNS label', sts({ namespace: 'Prod' })],
    ['DNS subdomain', sts({ priorityClassName: 'High_Priority' })],
    ['env var name', sts({ env: { 'MY PASSWORD': 'x' } })],
    ['Secret key', sts({ secretEnv: [{ name: 'PW', secretName: 'creds', key: 'a b' }] })],
    ['no clusters', () => new LiteralSecret(fleet, `s${n++}`, { secretName: 'pw', namespace: 'db', clusters: [], stringData: {}, acknowledgePlaintextInGit: true })],
    ['cluster twice', () => new ExportedService(fleet, `e${n++}`, { serviceName: 'web', namespace: 'db', providers: [a, a], ports: [{ name: 'http', port: 80 }] })],
    ['negative integer', sts({ replicas: -1 })],
    ['integer too large', sts({ replicas: 2 ** 31 })],
    ['no ports', sts({ ports: [] })],
    ['port name twice', sts({ ports: [{ name: 'tcp', port: 1 }, { name: 'tcp', port: 2 }] })],
    ['port number twice', sts({ ports: [{ name: 'a', port: 1 }, { name: 'b', port: 1 }] })],
    ['port name', sts({ ports: [{ name: 'MySQL', port: 3306 }] })],
    ['port number', sts({ ports: [{ name: 'tcp', port: 70000 }] })],
    ['containerPort', sts({ ports: [{ name: 'tcp', port: 80, containerPort: 0 }] })],
    ['claim twice', sts({ volumeClaims: [{ name: 'd', mountPath: '/d', size: '1Gi' }, { name: 'd', mountPath: '/e', size: '1Gi' }] })],
    ['claim mountPath twice', sts({ volumeClaims: [{ name: 'd', mountPath: '/d', size: '1Gi' }, { name: 'e', mountPath: '/d', size: '1Gi' }] })],
    ['claim mountPath', sts({ volumeClaims: [{ name: 'd', mountPath: '', size: '1Gi' }] })],
    ['claim size', sts({ volumeClaims: [{ name: 'd', mountPath: '/d', size: '10 GB' }] })],
    // validate-workload.ts
    ['serviceName too long', sts({ serviceName: `s${'x'.repeat(52)}` })],
    ['image', sts({ image: ' ' })],
    ['resources', sts({ resources: { memoryRequest: 'lots' } })],
    ['podManagementPolicy', sts({ podManagementPolicy: 'parallel' as any })],
    ['label key', sts({ podLabels: { 'bad key!': 'x' } })],
    ['label value', sts({ podLabels: { tier: 'a b' } })],
    ['reserved label', sts({ podLabels: { app: 'x' } })],
    ['container name', sts({ sidecars: [{ name: 'Exporter', image: 'x' }] })],
    ['container name taken', sts({ sidecars: [{ name: 'mysql', image: 'x' }] })],
    ['container image', sts({ initContainers: [{ name: 'init', image: '' }] })],
    ['missing volume', sts({ volumeMounts: [{ name: 'conf', mountPath: '/c' }] })],
    ['mount without path', sts({ volumes: [{ name: 'conf', emptyDir: {} }], volumeMounts: [{ name: 'conf', mountPath: '' }] })],
    ['main mountPath twice', sts({ configMapMounts: [{ configMapName: 'conf', mountPath: '/var/lib/mysql' }] })],
    ['configMap mountPath', sts({ configMapMounts: [{ configMapName: 'conf', mountPath: '' }] })],
    ['volume name', sts({ volumes: [{ name: 'My_Vol', emptyDir: {} }] })],
    ['configMap volume name', sts({ configMapMounts: [{ configMapName: 'my.cnf', mountPath: '/etc/mysql' }] })],
    ['volume name twice', sts({ volumes: [{ name: 'data', emptyDir: {} }] })],
    ['toleration operator', sts({ tolerations: [{ key: 'k', operator: 'equal', value: 'v' }] })],
    ['toleration effect', sts({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'noschedule' }] })],
    ['toleration value', sts({ tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] })],
    ['toleration key', sts({ tolerations: [{ operator: 'Equal', value: 'v' }] })],
    ['tolerationSeconds', sts({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 10 }] })],
    ['topologyKey', sts({ podAntiAffinity: { topologyKey: 'Zone!' } })],
    ['weight', sts({ podAntiAffinity: { weight: 0 } })],
    ['weight when required', sts({ podAntiAffinity: { required: true, weight: 50 } })],
    ['both grace periods', sts({ terminationGracePeriod: Duration.seconds(10), terminationGracePeriodSeconds: 10 })],
    ['whole seconds', sts({ minReady: Duration.millis(1500) })],
    // headless-import.ts
    ['no consumers', () => new HeadlessImport(fleet, `i${n++}`, { serviceName: 'mysql', namespace: 'db', consumers: [] })],
    ['consumer twice', () => new HeadlessImport(fleet, `i${n++}`, { serviceName: 'mysql', namespace: 'db', consumers: [b, b] })],
    ['no DNS method', () => new HeadlessImport(fleet, `i${n++}`, { serviceName: 'mysql', namespace: 'db', consumers: [b], dnsMethods: [] })],
    ['unknown DNS method', () => new HeadlessImport(fleet, `i${n++}`, { serviceName: 'mysql', namespace: 'db', consumers: [b], dnsMethods: ['AMCS' as DnsMethod] })],
    // multi-cluster-stateful-set.ts
    ['no providers', sts({ providers: [] })],
    ['provider twice', sts({ providers: [{ cluster: a, replicas: 2 }, { cluster: a, replicas: 3 }] })],
    ['member of another cluster', () => mysql.member('b')],
    // gitops-props.ts
    ['gitops', () => new Fleet({ gitops: 'Argo CD' as GitOps })],
    ['gitRepoUrl', () => new Fleet({ gitops: GitOps.ARGOCD })],
    ['gitPath', () => new Fleet({ gitops: GitOps.FLUX, gitPath: '../out' })],
    // helpers.ts
    ['cluster of another fleet', () => new HeadlessImport(fleet, `i${n++}`, { serviceName: 'mysql', namespace: 'db', consumers: [other.b] })],
    // sync-runner.ts
    ['second SyncRunner', () => {
      new SyncRunner(other.fleet, 'r1', { hostCluster: other.a });
      return new SyncRunner(other.fleet, 'r2', { hostCluster: other.a });
    }],
    // fleet.ts
    ['no such cluster', () => fleet.cluster('c')],
    // fleet-tree.ts
    ['not in a Fleet', () => new SyncRunner(new Construct(undefined as any, ''), 'r', { hostCluster: a })],
    // literal-secret.ts
    ['not acknowledged', () => new LiteralSecret(fleet, `s${n++}`, { secretName: 'pw', namespace: 'db', clusters: [a], stringData: {}, acknowledgePlaintextInGit: false })],
  ];

  it.each(cases)('%s', (_name, make) => {
    expect(messageOf(make)).toMatch(/Fix: \S/);
  });

  it('names the value or the code to write', () => {
    const fixOf = (make: () => unknown) => messageOf(make).split('Fix: ')[1];
    const byName = new Map(cases);
    const fix = (name: string) => fixOf(byName.get(name)!);
    expect(fix('Service name')).toBe('use "mysql" instead');
    expect(fix('DNS subdomain')).toBe('use "high-priority" instead');
    expect(fix('env var name')).toBe('use "MY_PASSWORD" instead');
    expect(fix('Secret key')).toBe('use "a_b" instead');
    expect(fix('cluster twice')).toBe('list "a" once');
    expect(fix('negative integer')).toBe('set replicas to a whole number of 0 or more, e.g. 0');
    expect(fix('integer too large')).toBe('set replicas to 2147483647 or less');
    expect(fix('port name twice')).toBe('give each port its own name, e.g. "tcp-2" for port 2');
    expect(fix('port number twice')).toBe('remove port "b" (port "a" has the same number), or give it another number');
    expect(fix('port name')).toBe('use "mysql" instead');
    expect(fix('containerPort')).toBe('set containerPort to the number the container listens on, from 1 to 65535, or omit it to use port');
    expect(fix('claim twice')).toBe('remove one of them, or rename the second, e.g. "d-2"');
    expect(fix('claim mountPath twice')).toBe('give volume claim "e" its own mountPath, e.g. mountPath: "/e"');
    expect(fix('claim size')).toBe('use "10G" instead');
    expect(fix('serviceName too long')).toBe(`use a shorter name, e.g. "s${'x'.repeat(51)}"`);
    expect(fix('resources')).toBe('set memoryRequest in bytes, e.g. "4Gi" (Size.gibibytes(4)) or "512Mi"');
    expect(fix('podManagementPolicy')).toBe('use PodManagementPolicy.PARALLEL');
    expect(fix('label key')).toBe('use "bad-key" instead');
    expect(fix('label value')).toBe('use "a-b" instead');
    expect(fix('reserved label')).toBe('remove "app" from podLabels (every pod gets app: "mysql"), or use another key');
    expect(fix('container name')).toBe('use "exporter" instead');
    expect(fix('container name taken')).toBe('give sidecars[0] its own name, e.g. "mysql-sidecar"');
    expect(fix('main mountPath twice')).toBe('give each mount its own path, e.g. "/var/lib/mysql-2" for the second');
    expect(fix('volume name')).toBe('use "my-vol" instead');
    expect(fix('configMap volume name')).toBe('set volumeName, which a ConfigMap name with dots needs, e.g. volumeName: "my-cnf"');
    expect(fix('volume name twice')).toBe('give volumes[0] its own name, e.g. "data-2", and use it in the volumeMounts that mount it');
    expect(fix('toleration operator')).toBe('use operator "Equal"');
    expect(fix('toleration effect')).toBe('use effect "NoSchedule"');
    expect(fix('toleration value')).toBe('use operator "Equal" to match the value "v", or drop value to match any value');
    expect(fix('topologyKey')).toBe('use "Zone" instead');
    expect(fix('weight')).toBe('use weight: 1');
    expect(fix('weight when required')).toBe('drop weight, or set required: false');
    expect(fix('whole seconds')).toBe('set minReady to Duration.seconds(2)');
    expect(fix('unknown DNS method')).toBe('use DnsMethod.AMCS');
    expect(fix('provider twice')).toBe('give it one placement with the total replicas: { cluster: fleet.cluster("a"), replicas: 5 }');
    expect(fix('member of another cluster')).toBe('ask for a provider, e.g. member("a"), or add { cluster: fleet.cluster("b") } to providers');
    expect(fix('gitops')).toBe('use GitOps.ARGOCD');
    expect(fix('gitPath')).toBe('use "out", relative to the repository root');
    expect(fix('cluster of another fleet')).toBe('pass this fleet\'s cluster "b", fleet.cluster("b")');
    expect(fix('no such cluster')).toBe('add it first with fleet.addCluster("c")');
    expect(fix('not in a Fleet')).toBe('create it with a Fleet, or a construct inside one, as its scope, e.g. new SyncRunner(fleet, "r", ...)');
    expect(fixOf(() => fleet.cluster('A'))).toBe('use fleet.cluster("a"), or add "A" first with fleet.addCluster("A")');
  });

  it('keeps what the message said before the Fix', () => {
    const byName = new Map(cases);
    expect(messageOf(byName.get('not acknowledged')!)).toMatch(/readable into Git\. Fix: set acknowledgePlaintextInGit: true to accept that, or reference a Secret created out of band with secretEnv$/);
    expect(messageOf(byName.get('toleration value')!)).toContain('tolerations[0]: value must be empty with operator "Exists", got "v". Fix: ');
    expect(messageOf(byName.get('no such cluster')!)).toBe('no cluster "c" in the fleet (clusters: "a", "b"). Fix: add it first with fleet.addCluster("c")');
  });
});

describe('suggestion helpers', () => {
  it('suggest a DNS label, Service name and DNS subdomain derived from the bad value', () => {
    expect(dnsLabelSuggestion('Cluster_1')).toBe('cluster-1');
    expect(dnsLabelSuggestion('ok')).toBeUndefined();
    expect(dnsLabelSuggestion('__')).toBeUndefined();
    expect(serviceNameSuggestion('1_MySQL')).toBe('mysql');
    expect(serviceNameSuggestion('123')).toBe('svc-123');
    expect(serviceNameSuggestion('x'.repeat(70))).toBe('x'.repeat(63));
    expect(serviceNameSuggestion('mysql')).toBeUndefined();
    expect(serviceNameSuggestion('')).toBeUndefined();
    expect(dnsSubdomainSuggestion('Fast SSD')).toBe('fast-ssd');
    expect(dnsSubdomainSuggestion('My.Registry_1.')).toBe('my.registry-1');
    expect(dnsSubdomainSuggestion('..')).toBeUndefined();
    expect(dnsSubdomainSuggestion('ok.example')).toBeUndefined();
  });

  it('suggest environment variable names, Secret keys, port names and quantities', () => {
    expect(envVarNameSuggestion('MY PASSWORD')).toBe('MY_PASSWORD');
    expect(envVarNameSuggestion('1PASSWORD')).toBe('_1PASSWORD');
    expect(envVarNameSuggestion('')).toBeUndefined();
    expect(secretKeySuggestion('k/v')).toBe('k_v');
    expect(secretKeySuggestion('..x')).toBe('x');
    expect(secretKeySuggestion('.')).toBeUndefined();
    expect(portNameSuggestion('a--b')).toBe('a-b');
    expect(portNameSuggestion('8080')).toBe('port-8080');
    expect(portNameSuggestion('Very_Long_Port_Name')).toBe('very-long-port');
    expect(portNameSuggestion('--')).toBeUndefined();
    expect(quantitySuggestion('10 GB')).toBe('10G');
    expect(quantitySuggestion('1gi')).toBe('1Gi');
    expect(quantitySuggestion('512MiB')).toBe('512Mi');
    expect(quantitySuggestion('-1Gi', true)).toBe('1Gi');
    expect(quantitySuggestion('0', true)).toBeUndefined();
    expect(quantitySuggestion('lots')).toBeUndefined();
    expect(quantitySuggestion('500m')).toBeUndefined();
  });

  it('suggest label keys and values, and the closest existing name', () => {
    expect(qualifiedNameSuggestion('Example.com/my tier')).toBe('example.com/my-tier');
    expect(qualifiedNameSuggestion('tier')).toBeUndefined();
    expect(labelValueSuggestion(42)).toBe('42');
    expect(labelValueSuggestion('-a b-')).toBe('a-b');
    expect(labelValueSuggestion({})).toBeUndefined();
    expect(closestName('EU-West', ['eu-west', 'us-east'])).toBe('eu-west');
    expect(closestName('eu-wset', ['eu-west', 'us-east'])).toBe('eu-west');
    expect(closestName('ap-south', ['eu-west', 'us-east'])).toBeUndefined();
    expect(closestName('c', ['a', 'b'])).toBeUndefined();
    expect(closestName('x', [])).toBeUndefined();
  });
});
