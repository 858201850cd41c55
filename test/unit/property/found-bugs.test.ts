/**
 * Bugs the fleet property test (fleets.test.ts) found, one example each, so that they stay fixed
 * even if the generators change.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CoreDnsFlavour, DnsMethod, ExportedService, Fleet, HeadlessImport, LiteralSecret, MultiClusterStatefulSet, SyncRunner } from '../../../lib';
import { renderError } from '../support/fleet';
import { tempDir } from '../support/temp-dir';

function fleetWithCluster() {
  const fleet = new Fleet({ outdir: '/nonexistent' });
  return { fleet, a: fleet.addCluster('a', { storageClass: 'standard', coreDnsVersion: '1.12.2' }) };
}

const workload = { namespace: 'db', image: 'mysql:8.4', ports: [{ name: 'tcp', port: 3306 }] };

describe('bugs found by the fleet property test', () => {
  it('refuses a port name with consecutive hyphens, which Kubernetes refuses on the container port', () => {
    const { fleet, a } = fleetWithCluster();
    expect(() => new MultiClusterStatefulSet(fleet, 'm', { ...workload, ports: [{ name: 'a--b', port: 1 }], providers: [{ cluster: a }] })).toThrow(
      'MultiClusterStatefulSet "m": port name must be an IANA service name (lowercase letters, digits and single \'-\' between them, at most 15 characters, at least one letter), got "a--b"',
    );
  });

  it('reports a port conflict between two later exports that each agree with the first', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const [a, b, c] = ['a', 'b', 'c'].map((id) => fleet.addCluster(id));
    const exported = (id: string, cluster: typeof a, ports: { name: string; port: number }[]) =>
      new ExportedService(fleet, id, { serviceName: 'web', namespace: 'db', providers: [cluster], ports });
    exported('web-a', a, [{ name: 'http', port: 80 }]);
    exported('web-b', b, [{ name: 'admin', port: 8080 }]);
    exported('web-c', c, [{ name: 'admin', port: 9090 }]);
    expect(renderError(fleet)).toContain(
      '[web-c] PortConflict: "db/web" is exported with ports 9090/TCP "admin" by ExportedService at web-c (clusters "c") but with 8080/TCP "admin" by ExportedService at web-b (clusters "b")',
    );
  });

  it('refuses a StatefulSet name over 52 characters, whose pods could not carry their controller-revision-hash label', () => {
    const { fleet, a } = fleetWithCluster();
    const name = `s${'x'.repeat(52)}`;
    expect(() => new MultiClusterStatefulSet(fleet, name, { ...workload, providers: [{ cluster: a }] })).toThrow(
      `MultiClusterStatefulSet "${name}": serviceName must be at most 52 characters`,
    );
    expect(() => new MultiClusterStatefulSet(fleet, name.slice(1), { ...workload, providers: [{ cluster: a }] })).not.toThrow();
  });

  it('checks volume claims: mount path set and unique, size a positive quantity, storage class a valid name', () => {
    const { fleet, a } = fleetWithCluster();
    const claims = (...volumeClaims: { name: string; mountPath: string; size: string; storageClass?: string }[]) => () => {
      const other = fleetWithCluster();
      return new MultiClusterStatefulSet(other.fleet, 'm', { ...workload, volumeClaims, providers: [{ cluster: other.a }] });
    };
    expect(claims({ name: 'd', mountPath: '', size: '1Gi' })).toThrow('MultiClusterStatefulSet "m": volume claim "d" needs a mountPath, got "". Fix: set mountPath to the folder the container keeps this data in, e.g. "/var/lib/mysql"');
    expect(claims({ name: 'd', mountPath: '/d', size: '1Gi' }, { name: 'e', mountPath: '/d', size: '1Gi' })).toThrow('mountPath "/d" is used by two volume claims');
    for (const size of ['lots', '10 GB', '-1Gi', '0', '']) {
      expect(claims({ name: 'd', mountPath: '/d', size })).toThrow(`volume claim "d" size must be a positive Kubernetes quantity such as "50Gi" or "500M", got "${size}"`);
    }
    expect(claims({ name: 'd', mountPath: '/d', size: '1Gi', storageClass: 'Fast SSD' })).toThrow('volume claim "d": storageClass must be an RFC-1123 DNS subdomain, got "Fast SSD"');
    const fine = { mountPath: '/d', size: '1.5Gi' };
    new MultiClusterStatefulSet(fleet, 'ok', { ...workload, providers: [{ cluster: a }], volumeClaims: [{ name: 'd', ...fine, storageClass: '' }, { name: 'e', ...fine, mountPath: '/e', size: '2e9' }] });
    expect(() => fleet.render()).not.toThrow();
  });

  it('checks secretEnv: the variable name and the Secret key must be ones the API server accepts', () => {
    const secretEnv = (name: string, key: string) => () => {
      const { fleet, a } = fleetWithCluster();
      return new MultiClusterStatefulSet(fleet, 'm', { ...workload, providers: [{ cluster: a }], secretEnv: [{ name, secretName: 'creds', key }] });
    };
    for (const name of ['', '1PASSWORD', 'MY PASSWORD', 'A=B']) {
      expect(secretEnv(name, 'pw')).toThrow(`MultiClusterStatefulSet "m": secretEnv name must be an environment variable name (letters, digits, '_', '-' and '.', not starting with a digit), got "${name}"`);
    }
    for (const key of ['', 'a b', 'k/v', '..', '..x']) {
      expect(secretEnv('PW', key)).toThrow(`MultiClusterStatefulSet "m": secretEnv "PW": key must be a Secret key`);
    }
    expect(secretEnv('MYSQL_ROOT_PASSWORD', 'ROOT.password-1')).not.toThrow();
  });

  it('checks a LiteralSecret\'s clusters (at least one, none twice) and its keys, instead of failing with a construct-id clash or an unusable Secret', () => {
    const secret = (clusters: 'none' | 'twice', stringData: Record<string, string> = { password: 'x' }) => () => {
      const { fleet, a } = fleetWithCluster();
      new LiteralSecret(fleet, 's', { secretName: 'creds', namespace: 'db', clusters: clusters === 'none' ? [] : [a, a], stringData, acknowledgePlaintextInGit: true });
    };
    expect(secret('none')).toThrow('LiteralSecret "s": clusters must list at least one cluster, got none');
    expect(secret('twice')).toThrow('LiteralSecret "s": cluster "a" is listed twice in clusters');
    const { fleet, a } = fleetWithCluster();
    expect(() => new LiteralSecret(fleet, 's', { secretName: 'creds', namespace: 'db', clusters: [a], stringData: { 'a b': 'x' }, acknowledgePlaintextInGit: true })).toThrow(
      'LiteralSecret "s": each stringData key must be a Secret key (letters, digits, \'-\', \'_\' and \'.\', at most 253 characters, not "." or starting with ".."), got "a b"',
    );
  });

  it('names the field when an ExportedService lists a provider twice, instead of failing with a construct-id clash', () => {
    const { fleet, a } = fleetWithCluster();
    expect(() => new ExportedService(fleet, 'web', { serviceName: 'web', namespace: 'db', providers: [a, a], ports: [{ name: 'http', port: 80 }] })).toThrow(
      'ExportedService "web": cluster "a" is listed twice in providers',
    );
  });

  it('refuses a coreDnsVersion that is not a version, or an unknown coreDnsFlavour, when the cluster is added (not only once a clusterset import needs them)', () => {
    for (const coreDnsVersion of ['latest', '', '1', '1.12.2.4']) {
      expect(() => new Fleet().addCluster('a', { coreDnsVersion })).toThrow(`cluster "a": coreDnsVersion must be a CoreDNS version such as "1.12.2" or "v1.12.2", got "${coreDnsVersion}"`);
    }
    expect(() => new Fleet().addCluster('a', { coreDnsFlavour: 'intree' as CoreDnsFlavour })).toThrow(
      'cluster "a": coreDnsFlavour must be one of "in-tree", "external-plugin", got "intree"',
    );
    expect(() => new Fleet().addCluster('a', { coreDnsVersion: 'v1.11.1-eksbuild.4', coreDnsFlavour: CoreDnsFlavour.EXTERNAL_PLUGIN })).not.toThrow();
  });

  it('refuses an empty kubeContext, which the runner refuses in fleet.json', () => {
    expect(() => new Fleet().addCluster('a', { kubeContext: '' })).toThrow('cluster "a": kubeContext must name a kubeconfig context, got "". Fix: omit it to use the cluster ID');
  });

  it('refuses a clusterDomain with a label over 63 characters, or equal to the clusterset zone', () => {
    const long = `${'x'.repeat(64)}.local`;
    expect(() => new Fleet().addCluster('a', { clusterDomain: long })).toThrow(`cluster "a": clusterDomain must be a DNS domain, whose labels are at most 63 characters, got "${long}"`);
    expect(() => new Fleet().addCluster('a', { clusterDomain: 'clusterset.local' })).toThrow('cluster "a": clusterDomain must differ from the clusterset zone "clusterset.local"');
    expect(() => new Fleet().addCluster('a', { clusterDomain: 'k8s.internal' })).not.toThrow();
  });

  it('patches kubeadm\'s Corefile for the cluster\'s own clusterDomain when no baseCorefile is given, instead of crashing on cluster.local', () => {
    const { fleet, a } = fleetWithCluster();
    const b = fleet.addCluster('b', { coreDnsVersion: '1.12.2', clusterDomain: 'k8s.internal' });
    new MultiClusterStatefulSet(fleet, 'mysql', { ...workload, providers: [{ cluster: a }] });
    new HeadlessImport(fleet, 'imp', { serviceName: 'mysql', namespace: 'db', consumers: [b], dnsMethods: [DnsMethod.CLUSTERSET] });
    const corefile = fleet.render().files.get('b/07-configmap.kube-system.coredns.yaml')!;
    expect(corefile).toContain('kubernetes k8s.internal clusterset.local in-addr.arpa ip6.arpa');
    expect(corefile).not.toContain('cluster.local');
  });

  it('reports a baseCorefile the clusterset patch cannot work on as a fleet problem, and writes nothing', () => {
    const parent = tempDir('mcs-found-');
    const outdir = path.join(parent, 'dist');
    const fleet = new Fleet({ outdir });
    const a = fleet.addCluster('a', { storageClass: 'standard' });
    const b = fleet.addCluster('b', { coreDnsVersion: '1.12.2', baseCorefile: '.:53 {\n    forward . /etc/resolv.conf\n}\n' });
    new MultiClusterStatefulSet(fleet, 'mysql', { ...workload, providers: [{ cluster: a }] });
    new HeadlessImport(fleet, 'imp', { serviceName: 'mysql', namespace: 'db', consumers: [b], dnsMethods: [DnsMethod.CLUSTERSET] });
    expect(() => fleet.synth()).toThrow(
      /^the fleet has 1 problem; nothing was written:\n {2}\[b\/coredns-multicluster\] cluster "b": the Corefile cannot be patched for clusterset.local: no server block has a kubernetes plugin serving the cluster domain "cluster.local"/,
    );
    expect(fs.existsSync(outdir)).toBe(false);
  });

  it('gives clusters added after the SyncRunner the runner\'s RBAC too', () => {
    const { fleet, a } = fleetWithCluster();
    new SyncRunner(fleet, 'runner', { hostCluster: a });
    fleet.addCluster('late');
    const files = [...fleet.render().files.keys()].filter((f) => f.startsWith('late/'));
    expect(files).toEqual(expect.arrayContaining([
      'late/01-namespace.cdk8s-mcs-system.yaml',
      'late/02-clusterrole.cdk8s-mcs-sync.yaml',
      'late/02-clusterrolebinding.cdk8s-mcs-sync.yaml',
      'late/02-serviceaccount.cdk8s-mcs-system.cdk8s-mcs-sync.yaml',
      'late/02-role.cdk8s-mcs-system.cdk8s-mcs-sync.yaml',
      'late/02-rolebinding.cdk8s-mcs-system.cdk8s-mcs-sync.yaml',
    ]));
  });

  it('names the second SyncRunner when a fleet gets two', () => {
    const { fleet, a } = fleetWithCluster();
    new SyncRunner(fleet, 'runner', { hostCluster: a });
    expect(() => new SyncRunner(fleet, 'another', { hostCluster: a })).toThrow(
      'SyncRunner "another": the fleet already has a SyncRunner (in cluster "a", at runner); one runner deployment serves the whole fleet',
    );
  });

  it('refuses replicas and ordinalStart beyond Kubernetes\' int32', () => {
    const { fleet, a } = fleetWithCluster();
    expect(() => new MultiClusterStatefulSet(fleet, 'm1', { ...workload, replicas: 2 ** 31, providers: [{ cluster: a }] })).toThrow('MultiClusterStatefulSet "m1": replicas must be at most 2147483647, got 2147483648');
    expect(() => new MultiClusterStatefulSet(fleet, 'm2', { ...workload, providers: [{ cluster: a, ordinalStart: 2 ** 31 }] })).toThrow('MultiClusterStatefulSet "m2" in cluster "a": ordinalStart must be at most 2147483647');
    expect(() => new SyncRunner(fleet, 'r', { hostCluster: a, replicas: 1e12 })).toThrow('SyncRunner "r": replicas must be at most 2147483647, got 1000000000000');
  });
});
