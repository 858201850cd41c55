import { JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { CoreDnsFlavour, DnsMethod, ExportedService, Fleet, HeadlessImport, MultiClusterStatefulSet, Protocol } from '../../../lib';
import { referenceFleet, renderError } from '../support/fleet';

function twoClusters(props: { storageClass?: string } = { storageClass: 'standard' }) {
  const fleet = new Fleet({ outdir: '/nonexistent' });
  const a = fleet.addCluster('cluster-a', { ...props, coreDnsVersion: '1.12.2' });
  const b = fleet.addCluster('cluster-b', { ...props, coreDnsVersion: '1.12.2' });
  return { fleet, a, b };
}

function mysql(fleet: Fleet, id: string, o: { providers: any[]; ports?: any[]; serviceName?: string; namespace?: string; claims?: any[] }) {
  return new MultiClusterStatefulSet(fleet, id, {
    namespace: o.namespace ?? 'db',
    serviceName: o.serviceName ?? 'mysql',
    image: 'mysql:8.4',
    providers: o.providers,
    ports: o.ports ?? [{ name: 'tcp', port: 3306 }],
    volumeClaims: o.claims,
  });
}

describe('fleet checks at synth time', () => {
  it('fails when an import names a service no cluster exports', () => {
    const { fleet, a, b } = twoClusters();
    mysql(fleet, 'mysql', { providers: [{ cluster: a }] });
    new HeadlessImport(fleet, 'pg-import', { serviceName: 'postgres', namespace: 'db', consumers: [b] });
    expect(renderError(fleet)).toContain(
      '[pg-import] HeadlessImport of "db/postgres" into "cluster-b": no construct in the fleet exports db/postgres (exported: db/mysql)',
    );
  });

  it('fails when an imported port is not exported, naming the exported ports and where they come from', () => {
    const { fleet } = referenceFleet({ importPorts: [{ name: 'tcp', port: 3307 }] });
    expect(renderError(fleet)).toContain(
      'port 3307/TCP "tcp" is not exported by any provider (exports: 3306/TCP "tcp" from "cluster-1")',
    );
  });

  it('fails when a headless import targets a service exported with a cluster IP', () => {
    const { fleet, a, b } = twoClusters();
    new ExportedService(fleet, 'web', { serviceName: 'web', namespace: 'db', providers: [a], ports: [{ name: 'http', port: 80 }], headless: false });
    new HeadlessImport(fleet, 'web-import', { serviceName: 'web', namespace: 'db', consumers: [b] });
    expect(renderError(fleet)).toContain('is not headless (clusterIP: None), so per-pod DNS names cannot exist');
  });

  it('fails when two clusters export the same service with conflicting ports', () => {
    const { fleet, a, b } = twoClusters();
    mysql(fleet, 'mysql-a', { providers: [{ cluster: a }] });
    mysql(fleet, 'mysql-b', { providers: [{ cluster: b }], ports: [{ name: 'tcp', port: 3307 }] });
    const message = renderError(fleet);
    expect(message).toContain('[mysql-b] PortConflict: "db/mysql" is exported with ports 3307/TCP "tcp"');
    expect(message).toContain('but with 3306/TCP "tcp" by MultiClusterStatefulSet at mysql-a (clusters "cluster-a")');
  });

  it('fails when two clusters export the same service, one headless and one not', () => {
    const { fleet, a, b } = twoClusters();
    mysql(fleet, 'mysql-a', { providers: [{ cluster: a }] });
    new ExportedService(fleet, 'mysql-b', { serviceName: 'mysql', namespace: 'db', providers: [b], ports: [{ name: 'tcp', port: 3306 }], headless: false });
    expect(renderError(fleet)).toContain('[mysql-b] TypeConflict: "db/mysql" is exported with a cluster IP');
  });

  it('accepts the same service exported identically from two clusters', () => {
    const { fleet, a, b } = twoClusters();
    mysql(fleet, 'mysql-a', { providers: [{ cluster: a }] });
    mysql(fleet, 'mysql-b', { providers: [{ cluster: b }] });
    expect(() => fleet.render()).not.toThrow();
  });

  it('fails when a clusterset import goes to a cluster whose CoreDNS is too old for the in-tree option', () => {
    const { fleet } = referenceFleet({ coreDnsVersion: '1.11.3' });
    const message = renderError(fleet);
    expect(message).toContain('uses DnsMethod.CLUSTERSET in cluster "cluster-2"');
    expect(message).toContain('1.11.3');
    expect(message).toContain('1.12.2');
  });

  it('accepts an older CoreDNS when it carries the external multicluster plugin', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const a = fleet.addCluster('cluster-a', { storageClass: 's' });
    const b = fleet.addCluster('cluster-b', { coreDnsVersion: '1.11.3', coreDnsFlavour: CoreDnsFlavour.EXTERNAL_PLUGIN });
    mysql(fleet, 'mysql', { providers: [{ cluster: a }] });
    new HeadlessImport(fleet, 'imp', { serviceName: 'mysql', namespace: 'db', consumers: [b], dnsMethods: [DnsMethod.CLUSTERSET] });
    const corefile = fleet.render().files.get('cluster-b/07-configmap.kube-system.coredns.yaml')!;
    expect(corefile).toMatch(/multicluster clusterset\.local/);
  });

  it('fails when a clusterset import goes to a cluster that does not say which CoreDNS it runs', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const a = fleet.addCluster('cluster-a');
    const b = fleet.addCluster('cluster-b');
    mysql(fleet, 'mysql', { providers: [{ cluster: a }] });
    new HeadlessImport(fleet, 'imp', { serviceName: 'mysql', namespace: 'db', consumers: [b] });
    expect(renderError(fleet)).toContain('the cluster does not say which CoreDNS it runs. Fix: set coreDnsVersion');
  });

  it('does not need a CoreDNS version for amcs-only imports', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const a = fleet.addCluster('cluster-a');
    const b = fleet.addCluster('cluster-b');
    mysql(fleet, 'mysql', { providers: [{ cluster: a }] });
    new HeadlessImport(fleet, 'imp', { serviceName: 'mysql', namespace: 'db', consumers: [b], dnsMethods: [DnsMethod.AMCS] });
    const files = [...fleet.render().files.keys()];
    expect(files.some((f) => f.includes('coredns'))).toBe(false);
  });

  it('fails when a volume claim has no storage class and its cluster sets none', () => {
    const { fleet, a } = twoClusters({});
    mysql(fleet, 'mysql', { providers: [{ cluster: a }], claims: [{ name: 'data', mountPath: '/d', size: '1Gi' }] });
    expect(renderError(fleet)).toContain(
      'volume claim template "data" of "mysql" in cluster "cluster-a" has no storage class and the cluster sets no default',
    );
  });

  it('fails when a generated DNS name is longer than 253 characters', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const long = (c: string) => c.repeat(63);
    const service = 's'.repeat(52); // the longest StatefulSet name
    const a = fleet.addCluster(long('a'), { storageClass: 's' });
    const b = fleet.addCluster('b', { coreDnsVersion: '1.12.2' });
    mysql(fleet, 'mysql', { providers: [{ cluster: a, replicas: 1000 }], namespace: long('n'), serviceName: service });
    new HeadlessImport(fleet, 'imp', { serviceName: service, namespace: long('n'), consumers: [b], dnsMethods: [DnsMethod.CLUSTERSET] });
    expect(renderError(fleet)).toMatch(/the DNS name for s+-999 in cluster "b" is too long: ".*" is 2\d\d characters long \(the limit is 253\)/);
  });

  it('fails when amcs-<svc> would exceed a DNS label', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const a = fleet.addCluster('a');
    const b = fleet.addCluster('b');
    const name = `s${'x'.repeat(60)}`;
    new ExportedService(fleet, 'm', { serviceName: name, namespace: 'db', providers: [a], ports: [{ name: 'tcp', port: 3306 }] });
    new HeadlessImport(fleet, 'imp', { serviceName: name, namespace: 'db', consumers: [b], dnsMethods: [DnsMethod.AMCS] });
    expect(renderError(fleet)).toContain(`DnsMethod.AMCS needs a Service named "amcs-${name}", which is 66 characters long (the limit is 63)`);
  });

  it('fails when two providers run the same pod names and a consumer uses amcs names', () => {
    const { fleet, a, b } = twoClusters();
    const c = fleet.addCluster('cluster-c', { coreDnsVersion: '1.12.2' });
    mysql(fleet, 'mysql', { providers: [{ cluster: a, replicas: 2 }, { cluster: b, replicas: 2 }] });
    new HeadlessImport(fleet, 'imp', { serviceName: 'mysql', namespace: 'db', consumers: [c] });
    expect(renderError(fleet)).toContain('clusters "cluster-a" (ordinals 0..1) and "cluster-b" (ordinals 0..1) run pods with the same names');
  });

  it('accepts two providers with disjoint ordinal ranges for amcs names', () => {
    const { fleet, a, b } = twoClusters();
    const c = fleet.addCluster('cluster-c', { coreDnsVersion: '1.12.2' });
    mysql(fleet, 'mysql', { providers: [{ cluster: a, replicas: 2 }, { cluster: b, replicas: 2, ordinalStart: 2 }] });
    new HeadlessImport(fleet, 'imp', { serviceName: 'mysql', namespace: 'db', consumers: [c] });
    const sts = fleet.render().files.get('cluster-b/05-statefulset.db.mysql.yaml')!;
    expect(sts).toMatch(/ordinals:\n\s+start: 2/);
  });

  describe('namespaces', () => {
    const clientPod = (scope: any, namespace: string, name = 'client') => new k8s.KubePod(scope, name, { metadata: { name, namespace }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

    it('fails when an object is placed in a namespace nothing creates in its cluster, naming both fixes', () => {
      const { fleet, a, b } = twoClusters();
      mysql(fleet, 'mysql', { providers: [{ cluster: a }] });
      clientPod(b, 'db');
      clientPod(b, 'db', 'client-2');
      expect(renderError(fleet)).toContain(
        '[cluster-b/client] cluster "cluster-b": Pod "client" (and 1 more object) is in namespace "db", which nothing in the fleet creates in that cluster: applied to a cluster without it, the object is refused. ' +
          'Fix: create it (cluster.ensureNamespace("db") on cluster "cluster-b"), or say it exists already (addCluster("cluster-b", { existingNamespaces: ["db"] }))',
      );
    });

    it('accepts the namespace once the cluster creates it, an import creates it, or the cluster says it exists', () => {
      const viaEnsure = twoClusters();
      viaEnsure.b.ensureNamespace('db');
      clientPod(viaEnsure.b, 'db');
      expect(viaEnsure.fleet.render().files.has('cluster-b/01-namespace.db.yaml')).toBe(true);

      const viaImport = twoClusters();
      mysql(viaImport.fleet, 'mysql', { providers: [{ cluster: viaImport.a }] });
      new HeadlessImport(viaImport.fleet, 'imp', { serviceName: 'mysql', namespace: 'db', consumers: [viaImport.b] });
      clientPod(viaImport.b, 'db');
      expect(() => viaImport.fleet.render()).not.toThrow();

      const fleet = new Fleet({ outdir: '/nonexistent' });
      const c = fleet.addCluster('cluster-c', { existingNamespaces: ['apps'] });
      clientPod(c, 'apps');
      clientPod(c, 'kube-system', 'in-kube-system');
      const files = [...fleet.render().files.keys()];
      expect(files).toContain('cluster-c/05-pod.apps.client.yaml');
      expect(files.some((f) => f.includes('namespace.apps'))).toBe(false); // existing: not created, not owned
    });

    it('refuses an existingNamespaces entry that is no namespace name', () => {
      const fleet = new Fleet({ outdir: '/nonexistent' });
      expect(() => fleet.addCluster('cluster-c', { existingNamespaces: ['Apps'] })).toThrow(/existingNamespaces\[0\]/);
    });
  });

  it('fails when two constructs put the same object into one cluster', () => {
    const { fleet, a } = twoClusters();
    mysql(fleet, 'one', { providers: [{ cluster: a }] });
    mysql(fleet, 'two', { providers: [{ cluster: a }] });
    expect(renderError(fleet)).toContain('cluster "cluster-a" would get Service db/mysql twice (also from cluster-a/one/Service)');
  });

  it('reports every problem at once, with the construct path of each', () => {
    const { fleet, a, b } = twoClusters({});
    mysql(fleet, 'mysql', { providers: [{ cluster: a }], claims: [{ name: 'data', mountPath: '/d', size: '1Gi' }] });
    new HeadlessImport(fleet, 'x', { serviceName: 'nope', namespace: 'db', consumers: [b] });
    new HeadlessImport(fleet, 'y', { serviceName: 'mysql', namespace: 'db', consumers: [b], ports: [{ name: 'admin', port: 33062 }] });
    const message = renderError(fleet);
    expect(message).toMatch(/^the fleet has 2 problems; nothing was written:\n/);
    expect(message).toContain('[x] ');
    expect(message).toContain('[y] ');
    // Storage classes are read from the rendered objects, which are rendered only once the model checks pass.
    expect(message).not.toContain('[cluster-a/mysql] ');
  });

  it('checks volume claims on the rendered StatefulSets, once the model checks pass, so a JSON patch of storageClassName is seen', () => {
    const patched = twoClusters({});
    const m = mysql(patched.fleet, 'mysql', { providers: [{ cluster: patched.a }], claims: [{ name: 'data', mountPath: '/d', size: '1Gi' }] });
    m.members.get('cluster-a')!.statefulSet.addJsonPatch(JsonPatch.add('/spec/volumeClaimTemplates/0/spec/storageClassName', 'fast'));
    expect(patched.fleet.render().files.get('cluster-a/05-statefulset.db.mysql.yaml')).toContain('storageClassName: fast');
    const removed = twoClusters();
    const n = mysql(removed.fleet, 'mysql', { providers: [{ cluster: removed.a }], claims: [{ name: 'data', mountPath: '/d', size: '1Gi' }] });
    n.members.get('cluster-a')!.statefulSet.addJsonPatch(JsonPatch.remove('/spec/volumeClaimTemplates/0/spec/storageClassName'));
    expect(renderError(removed.fleet)).toContain(
      '[cluster-a/mysql] volume claim template "data" of "mysql" in cluster "cluster-a" has no storage class in the rendered StatefulSet, although the cluster\'s default is "standard"',
    );
  });

  it('exports UDP ports with their protocol', () => {
    const { fleet, a, b } = twoClusters();
    mysql(fleet, 'dns', { providers: [{ cluster: a }], serviceName: 'dns', ports: [{ name: 'dns', port: 53, protocol: Protocol.UDP }] });
    new HeadlessImport(fleet, 'imp', { serviceName: 'dns', namespace: 'db', consumers: [b], ports: [{ name: 'dns', port: 53, protocol: Protocol.UDP }] });
    expect(fleet.render().files.get('cluster-b/06-serviceimport.db.dns.yaml')).toContain('protocol: UDP');
  });
});
