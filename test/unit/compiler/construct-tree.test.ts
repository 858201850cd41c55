/**
 * Nothing silently dropped: whatever a cdk8s user builds in the tree of a Fleet is rendered into a
 * cluster's output, or refused with a message naming the construct path and the fix.
 */
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Cluster, DnsMethod, Fleet, HeadlessImport, LiteralSecret, MultiClusterStatefulSet, SyncRunner } from '../../../lib';
import { find, objectsOf, renderError } from '../support/fleet';

const workload = { namespace: 'db', image: 'mysql:8.4', ports: [{ name: 'tcp', port: 3306 }] };

function configMap(scope: Construct, id: string, namespace = 'db') {
  return new k8s.KubeConfigMap(scope, id, { metadata: { name: id, namespace }, data: { a: 'b' } });
}

describe('the construct tree is the fleet', () => {
  it('renders a Cluster created with new Cluster(fleet, id, props) exactly like fleet.addCluster, StatefulSets placed on it included', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const a = fleet.addCluster('a', { storageClass: 's' });
    const b = new Cluster(fleet, 'b', { storageClass: 's', kubeContext: 'ctx-b' });
    new MultiClusterStatefulSet(fleet, 'mysql', { ...workload, providers: [{ cluster: a }, { cluster: b, ordinalStart: 1 }] });
    const out = fleet.render();
    expect(find(objectsOf(out, 'b'), 'StatefulSet', 'mysql').spec.ordinals).toEqual({ start: 1 });
    expect(JSON.parse(out.files.get('fleet.json')!).clusters.map((c: any) => [c.id, c.kubeContext])).toEqual([['a', 'a'], ['b', 'ctx-b']]);
    expect(fleet.clusters.map((c) => c.clusterId)).toEqual(['a', 'b']);
    expect(fleet.cluster('b')).toBe(b);
  });

  it('refuses a second cluster with the same ID however it is created, naming both', () => {
    const fleet = new Fleet();
    const group = new Construct(fleet, 'eu');
    new Cluster(group, 'a');
    expect(() => fleet.addCluster('a')).toThrow('cluster "a" is added twice: cluster IDs must be unique within the fleet (they are the MCS source-cluster label); the other is at "eu/a"');
  });

  it('accepts clusters created in constructs of the fleet, in the order they were created', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const platform = new Construct(fleet, 'platform');
    new Cluster(platform, 'eu-1');
    fleet.addCluster('55');
    new Cluster(platform, 'us-1');
    expect(fleet.clusters.map((c) => c.clusterId)).toEqual(['eu-1', '55', 'us-1']);
    const out = fleet.render();
    expect([...out.files.keys()].filter((f) => f.endsWith('clusterproperty.cluster.clusterset.k8s.io.yaml')).sort()).toEqual(
      ['55/02-clusterproperty.cluster.clusterset.k8s.io.yaml', 'eu-1/02-clusterproperty.cluster.clusterset.k8s.io.yaml', 'us-1/02-clusterproperty.cluster.clusterset.k8s.io.yaml'],
    );
  });

  it('refuses a Cluster inside a chart or another cluster, and one outside any Fleet, with the fix', () => {
    const fleet = new Fleet();
    const a = fleet.addCluster('a');
    expect(() => new Cluster(a, 'b')).toThrow('cluster "b": a Cluster cannot be created inside cluster "a" (its objects would belong to two charts). Fix: create it in the Fleet: new Cluster(fleet, "b") or fleet.addCluster("b")');
    const chart = new Chart(fleet, 'addons');
    expect(() => new Cluster(new Construct(chart, 'x'), 'c')).toThrow('a Cluster cannot be created inside chart "addons"');
    const notAFleet = new Construct(undefined as any, 'app');
    expect(() => new Cluster(notAFleet, 'd')).toThrow('cluster "d": a Cluster must be created in a Fleet, got scope "app", which is not part of one. Fix: new Cluster(fleet, "d") or fleet.addCluster("d")');
  });

  it('renders the objects of charts nested anywhere inside a cluster as that cluster\'s objects', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const a = fleet.addCluster('a', { existingNamespaces: ['addons'] });
    const addons = new Chart(a, 'addons', { namespace: 'addons' });
    new k8s.KubeConfigMap(addons, 'settings', { metadata: { name: 'settings' } });
    const deeper = new Chart(new Construct(addons, 'group'), 'deeper');
    configMap(deeper, 'deep-settings', 'addons');
    const objects = objectsOf(fleet.render(), 'a');
    expect(find(objects, 'ConfigMap', 'settings').metadata.namespace).toBe('addons');
    expect(find(objects, 'ConfigMap', 'deep-settings').metadata.namespace).toBe('addons');
  });

  it('refuses every object of a chart outside all clusters (beside them, or nested in one), naming its path and the fix', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    fleet.addCluster('a');
    const beside = new Chart(fleet, 'addons');
    configMap(beside, 'settings');
    configMap(new Chart(new Construct(fleet, 'group'), 'nested'), 'other');
    const message = renderError(fleet);
    expect(message).toMatch(/^the fleet has 2 problems; nothing was written:/);
    expect(message).toContain('[addons/settings] ConfigMap "settings" is in chart "addons", which is not inside a Cluster, so no cluster would get it. Fix: create the object, or its chart, with a cluster');
    expect(message).toContain('[group/nested/other] ConfigMap "other" is in chart "group/nested"');
  });

  it('refuses an ApiObject created directly in the Fleet at construction (cdk8s needs a chart)', () => {
    const fleet = new Fleet();
    expect(() => new ApiObject(fleet, 'loose', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'loose' } })).toThrow('cannot find a parent chart');
  });

  it('gives a cluster created after the SyncRunner the runner\'s RBAC too', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const a = fleet.addCluster('a');
    new SyncRunner(fleet, 'runner', { hostCluster: a });
    new Cluster(fleet, 'late');
    const late = objectsOf(fleet.render(), 'late');
    expect(find(late, 'ClusterRole', 'cdk8s-mcs-sync')).toBeDefined();
    expect(find(late, 'ServiceAccount', 'cdk8s-mcs-sync').metadata.namespace).toBe('cdk8s-mcs-system');
  });

  it('leaves nothing behind of a construct whose input was refused', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const a = fleet.addCluster('a');
    expect(() => new LiteralSecret(fleet, 'pw', { secretName: 'pw', namespace: 'db', clusters: [a], stringData: { p: 'x' }, acknowledgePlaintextInGit: false })).toThrow('acknowledgePlaintextInGit');
    expect(() => new MultiClusterStatefulSet(fleet, 'bad', { ...workload, namespace: 'Bad', providers: [{ cluster: a }] })).toThrow('namespace must be');
    expect(() => new Cluster(fleet, 'b', { storageClass: 'Not Valid' })).toThrow('storageClass must be');
    expect(fleet.node.tryFindChild('pw')).toBeUndefined();
    expect(fleet.node.tryFindChild('bad')).toBeUndefined();
    expect(fleet.node.tryFindChild('b')).toBeUndefined();
    const out = fleet.render();
    expect(out.warnings).toEqual([]);
  });

  it('derives the model from the tree: constructs created in a construct of the fleet, or in a cluster, are exported and imported', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const a = fleet.addCluster('a', { storageClass: 's' });
    const b = fleet.addCluster('b');
    const team = new Construct(fleet, 'team');
    new MultiClusterStatefulSet(team, 'mysql', { ...workload, providers: [{ cluster: a }] });
    new HeadlessImport(b, 'mysql-import', { serviceName: 'mysql', namespace: 'db', consumers: [b], dnsMethods: [DnsMethod.AMCS] });
    expect(fleet.model.exports.map((e) => [e.path, e.name])).toEqual([['team/mysql', 'mysql']]);
    expect(fleet.model.imports.map((i) => i.path)).toEqual(['b/mysql-import']);
    const amcs = find(objectsOf(fleet.render(), 'b'), 'Service', 'amcs-mysql');
    expect(amcs.spec.ports).toEqual([{ name: 'tcp', port: 3306, protocol: 'TCP' }]);
  });

  it('keeps the model current between reads: a construct created after fleet.model was read is in the next read, and in Testing.synth', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const a = fleet.addCluster('a', { storageClass: 's' });
    const b = fleet.addCluster('b');
    new HeadlessImport(fleet, 'imp', { serviceName: 'mysql', namespace: 'db', consumers: [b], dnsMethods: [DnsMethod.AMCS] });
    expect(fleet.model.exports).toEqual([]);
    new MultiClusterStatefulSet(fleet, 'mysql', { ...workload, providers: [{ cluster: a }] });
    expect(fleet.model.exports.map((e) => e.name)).toEqual(['mysql']);
    const amcs = Testing.synth(b).find((o: any) => o.kind === 'Service' && o.metadata.name === 'amcs-mysql');
    expect(amcs.spec.ports).toEqual([{ name: 'tcp', port: 3306, protocol: 'TCP' }]);
  });

  it('renders what a JSON patch on a member changes, and renders the same twice', () => {
    const fleet = new Fleet({ outdir: '/nonexistent' });
    const a = fleet.addCluster('a', { storageClass: 's' });
    const mysql = new MultiClusterStatefulSet(fleet, 'mysql', { ...workload, providers: [{ cluster: a }] });
    mysql.members.get('a')!.statefulSet.addJsonPatch(JsonPatch.add('/spec/minReadySeconds', 10));
    const first = fleet.render();
    expect(find(objectsOf(first, 'a'), 'StatefulSet', 'mysql').spec.minReadySeconds).toBe(10);
    expect([...fleet.render().files]).toEqual([...first.files]);
  });
});
