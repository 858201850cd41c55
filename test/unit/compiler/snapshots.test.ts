/**
 * One snapshot per construct of what it emits with its defaults, from `Testing.synth` of a cluster
 * chart, as cdk8s-plus tests its constructs. A second net beside the targeted tests, which assert
 * the meaning: a changed default shows up here as a reviewed snapshot diff.
 *
 * The MCS CRDs every cluster carries are left out of the other constructs' snapshots (their own
 * snapshot has them), so each snapshot shows what that construct adds.
 */
import { Testing } from 'cdk8s';
import {
  Cluster, CoreDnsConfig, CoreDnsMulticluster, ExportedService, Fleet, HeadlessImport, LiteralSecret, MulticlusterCrds, MultiClusterStatefulSet, StatefulSetMember, SyncRunner,
} from '../../../lib';

const workload = { namespace: 'db', image: 'mysql:8.4', ports: [{ name: 'tcp', port: 3306 }] };

function twoClusters() {
  const fleet = new Fleet({ name: 'snap', outdir: '/nonexistent' });
  const provider = fleet.addCluster('provider', { storageClass: 'standard', coreDnsVersion: '1.12.2' });
  const consumer = fleet.addCluster('consumer', { storageClass: 'standard', coreDnsVersion: '1.12.2' });
  return { fleet, provider, consumer };
}

/** What `cluster` gets, without the MCS CRDs and the ClusterProperties every cluster has. */
function added(cluster: Cluster): any[] {
  return Testing.synth(cluster).filter((o: any) => o.kind !== 'CustomResourceDefinition' && o.kind !== 'ClusterProperty');
}

describe('what each construct emits with its defaults (snapshots)', () => {
  it('Cluster: the MCS and About API CRDs and its two ClusterProperties', () => {
    const fleet = new Fleet({ name: 'snap', outdir: '/nonexistent' });
    const cluster = new Cluster(fleet, 'c1');
    const objects = Testing.synth(cluster);
    expect(objects.filter((o: any) => o.kind === 'CustomResourceDefinition').map((o: any) => o.metadata.name)).toEqual([
      'serviceexports.multicluster.x-k8s.io', 'serviceimports.multicluster.x-k8s.io', 'clusterproperties.about.k8s.io',
    ]);
    expect(objects.filter((o: any) => o.kind !== 'CustomResourceDefinition')).toMatchSnapshot();
  });

  it('MulticlusterCrds: the ServiceExport, ServiceImport and ClusterProperty CRDs', () => {
    const fleet = new Fleet({ name: 'snap', outdir: '/nonexistent' });
    const cluster = fleet.addCluster('c1');
    new MulticlusterCrds(cluster, 'more-crds');
    expect(Testing.synth(cluster).filter((o: any) => o.kind === 'CustomResourceDefinition').slice(3)).toMatchSnapshot();
  });

  it('MultiClusterStatefulSet: namespace, headless Service, StatefulSet and ServiceExport in the provider', () => {
    const { fleet, provider, consumer } = twoClusters();
    new MultiClusterStatefulSet(fleet, 'mysql', { ...workload, providers: [{ cluster: provider }] });
    expect(added(provider)).toMatchSnapshot();
    expect(added(consumer)).toEqual([]);
  });

  it('StatefulSetMember: the same three objects, created on its own in a cluster', () => {
    const { provider } = twoClusters();
    new StatefulSetMember(provider, 'mysql', workload);
    expect(added(provider)).toMatchSnapshot();
  });

  it('ExportedService: only a ServiceExport (and its namespace) in each provider', () => {
    const { fleet, provider } = twoClusters();
    new ExportedService(fleet, 'web', { serviceName: 'web', namespace: 'apps', providers: [provider], ports: [{ name: 'http', port: 80 }] });
    expect(added(provider)).toMatchSnapshot();
  });

  it('HeadlessImport: ServiceImport, amcs- Service and the CoreDNS change in the consumer', () => {
    const { fleet, provider, consumer } = twoClusters();
    new MultiClusterStatefulSet(fleet, 'mysql', { ...workload, providers: [{ cluster: provider }] });
    new HeadlessImport(fleet, 'mysql-import', { serviceName: 'mysql', namespace: 'db', consumers: [consumer] });
    expect(added(consumer)).toMatchSnapshot();
  });

  it.each([CoreDnsConfig.COREFILE, CoreDnsConfig.CUSTOM_CONFIGMAP])('CoreDnsMulticluster (%s): RBAC and the CoreDNS configuration', (config) => {
    const fleet = new Fleet({ name: 'snap', outdir: '/nonexistent' });
    const cluster = fleet.addCluster('c1');
    new CoreDnsMulticluster(cluster, 'dns', { version: '1.12.2', config });
    expect(added(cluster)).toMatchSnapshot();
  });

  it('SyncRunner: RBAC in every cluster, the Deployment and fleet.json in the host', () => {
    const { fleet, provider, consumer } = twoClusters();
    new SyncRunner(fleet, 'runner', { hostCluster: consumer });
    expect(added(provider)).toMatchSnapshot('every cluster');
    const host = added(consumer).map((o: any) => (o.kind === 'Deployment' ? { ...o, spec: { ...o.spec, template: { ...o.spec.template, spec: { ...o.spec.template.spec, containers: o.spec.template.spec.containers.map((c: any) => ({ ...c, image: '<the default runner image>' })) } } } } : o));
    expect(host).toMatchSnapshot('host cluster');
  });

  it('LiteralSecret: the Secret and its namespace', () => {
    const { fleet, provider } = twoClusters();
    new LiteralSecret(fleet, 'bootstrap', { secretName: 'bootstrap', namespace: 'db', clusters: [provider], stringData: { password: 'not-a-real-one' }, acknowledgePlaintextInGit: true });
    expect(added(provider)).toMatchSnapshot();
  });
});
