import { Fleet, HeadlessImport, LiteralSecret, MultiClusterStatefulSet } from '../../../lib';

function fleetWith2() {
  const fleet = new Fleet({ outdir: '/nonexistent' });
  return { fleet, a: fleet.addCluster('a', { storageClass: 's' }), b: fleet.addCluster('b') };
}

const base = { namespace: 'db', image: 'mysql:8.4', ports: [{ name: 'tcp', port: 3306 }] };

describe('construct input checked at construction time', () => {
  it('refuses a cluster ID that is not a DNS label (CoreDNS parses <clusterid> as one label) in the batched list at synth, each with the ID to use', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    fleet.addCluster('Cluster_1');
    fleet.addCluster('eu.west');
    fleet.addCluster('x'.repeat(64));
    expect(() => fleet.render()).toThrow([
      'the fleet has 3 problems; nothing was written:',
      '  [Cluster_1] cluster "Cluster_1": the cluster ID (used as <clusterid> in <pod>.<clusterid>.<svc>.<ns>.svc.clusterset.local) must be an RFC-1123 DNS label (lowercase letters, digits and \'-\', at most 63 characters), got "Cluster_1". Fix: use "cluster-1" instead',
      '  [eu.west] cluster "eu.west": the cluster ID (used as <clusterid> in <pod>.<clusterid>.<svc>.<ns>.svc.clusterset.local) must be an RFC-1123 DNS label (lowercase letters, digits and \'-\', at most 63 characters), got "eu.west". Fix: use "eu-west" instead',
      `  [${'x'.repeat(64)}] cluster "${'x'.repeat(64)}": the cluster ID (used as <clusterid> in <pod>.<clusterid>.<svc>.<ns>.svc.clusterset.local) must be an RFC-1123 DNS label (lowercase letters, digits and '-', at most 63 characters), got "${'x'.repeat(64)}". Fix: use "${'x'.repeat(63)}" instead`,
    ].join('\n'));
  });

  it('fails when a cluster ID is used twice', () => {
    const fleet = new Fleet();
    fleet.addCluster('a');
    expect(() => fleet.addCluster('a')).toThrow('cluster "a" is added twice: cluster IDs must be unique within the fleet (they are the MCS source-cluster label); the other is at "a". Fix: give this cluster another ID, or use the one at "a"');
  });

  it('fails on a service name that cannot be a Service', () => {
    const { fleet, a } = fleetWith2();
    expect(() => new MultiClusterStatefulSet(fleet, '1mysql', { ...base, providers: [{ cluster: a }] })).toThrow(
      'MultiClusterStatefulSet "1mysql": serviceName must be a valid Service name (RFC-1035 label: starts with a letter',
    );
  });

  it('fails on an invalid namespace', () => {
    const { fleet, a } = fleetWith2();
    expect(() => new MultiClusterStatefulSet(fleet, 'm', { ...base, namespace: 'Prod', providers: [{ cluster: a }] })).toThrow(
      'namespace must be an RFC-1123 DNS label (lowercase letters, digits and \'-\', at most 63 characters), got "Prod"',
    );
  });

  it('fails on missing providers, duplicate providers and negative replicas', () => {
    const { fleet, a } = fleetWith2();
    expect(() => new MultiClusterStatefulSet(fleet, 'm1', { ...base, providers: [] })).toThrow('providers must list at least one cluster, got none');
    expect(() => new MultiClusterStatefulSet(fleet, 'm2', { ...base, providers: [{ cluster: a }, { cluster: a }] })).toThrow('cluster "a" is listed twice in providers');
    expect(() => new MultiClusterStatefulSet(fleet, 'm3', { ...base, providers: [{ cluster: a, replicas: -1 }] })).toThrow(
      'in cluster "a": replicas must be a non-negative integer, got -1',
    );
  });

  it('fails on bad ports: none, unnamed-looking, out of range, duplicated', () => {
    const { fleet, a } = fleetWith2();
    const mk = (id: string, ports: any[]) => () => new MultiClusterStatefulSet(fleet, id, { ...base, ports, providers: [{ cluster: a }] });
    expect(mk('p1', [])).toThrow('ports must list at least one named port, got none');
    expect(mk('p2', [{ name: 'MySQL', port: 3306 }])).toThrow('port name must be an IANA service name');
    expect(mk('p3', [{ name: 'tcp', port: 70000 }])).toThrow('port "tcp" port must be an integer between 1 and 65535, got 70000');
    expect(mk('p4', [{ name: 'a', port: 1 }, { name: 'a', port: 2 }])).toThrow('port name "a" is used twice');
    expect(mk('p5', [{ name: 'a', port: 1 }, { name: 'b', port: 1 }])).toThrow('port 1/TCP is listed twice');
  });

  it('fails when a construct is given a cluster of another fleet', () => {
    const one = fleetWith2();
    const two = fleetWith2();
    expect(() => new HeadlessImport(one.fleet, 'i', { serviceName: 'mysql', namespace: 'db', consumers: [two.b] })).toThrow(
      'cluster "b" belongs to another Fleet',
    );
  });

  it('fails when an import names no DNS method', () => {
    const { fleet, b } = fleetWith2();
    expect(() => new HeadlessImport(fleet, 'i', { serviceName: 'mysql', namespace: 'db', consumers: [b], dnsMethods: [] })).toThrow(
      'dnsMethods must name at least one method',
    );
  });

  it('refuses a plaintext secret unless explicitly acknowledged, and warns when it is', () => {
    const { fleet, a } = fleetWith2();
    expect(() => new LiteralSecret(fleet, 's1', { secretName: 'pw', namespace: 'db', clusters: [a], stringData: { p: 'x' }, acknowledgePlaintextInGit: false })).toThrow(
      'set acknowledgePlaintextInGit: true to accept that',
    );
    new LiteralSecret(fleet, 's2', { secretName: 'pw', namespace: 'db', clusters: [a], stringData: { p: 'x' }, acknowledgePlaintextInGit: true });
    const out = fleet.render();
    expect(out.warnings.map((w) => w.message)).toEqual(['Secret db/pw is written in plaintext to the output of "a" (acknowledgePlaintextInGit)']);
    expect(out.files.get('fleet.md')).toContain('## Warnings');
    expect(out.files.get('a/03-secret.db.pw.yaml')).toContain('p: x');
  });
});

describe('CoreDNS patch warnings', () => {
  it('surfaces what the Corefile patch warns about as synth warnings and in fleet.md', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const a = fleet.addCluster('a', { storageClass: 's' });
    const b = fleet.addCluster('b', { coreDnsVersion: '1.12.2', baseCorefile: '.:53 {\n    kubernetes cluster.local\n    cache 30\n}\n' });
    new MultiClusterStatefulSet(fleet, 'm', { ...base, providers: [{ cluster: a }] });
    new HeadlessImport(fleet, 'i', { serviceName: 'm', namespace: 'db', consumers: [b] });
    const out = fleet.render();
    fleet.render();
    expect(out.warnings).toEqual([{ path: 'b/coredns-multicluster', message: expect.stringContaining('Corefile: server block ".:53" (line 1): "cache" at line 5 also caches clusterset.local answers') }]);
    expect(fleet.warnings).toHaveLength(1);
    expect(out.files.get('fleet.md')).toContain('also caches clusterset.local answers');
  });
});
