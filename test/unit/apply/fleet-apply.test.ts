import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { ManifestObject, manifestFileName } from '../../../lib/fleet/apply-order';
import { applyFleet, FleetApplyOptions } from '../../../lib/runner/apply/fleet-apply';
import { parseInventory } from '../../../lib/runner/apply/inventory';
import { countOutcomes, ObjectOutcome } from '../../../lib/runner/apply/report';
import { FakeCluster } from './fake-cluster';
import { tempDir } from '../support/temp-dir';

const crd: ManifestObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.io' },
  spec: { group: 'example.io', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' }, versions: [{ name: 'v1', served: true, storage: true }] },
};
const namespace: ManifestObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
const service: ManifestObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop' }, spec: { clusterIP: 'None', ports: [{ name: 'tcp', port: 3306 }] } };
const statefulSet: ManifestObject = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'shop' },
  spec: { replicas: 2, serviceName: 'db', template: { spec: { containers: [{ name: 'db', image: 'mysql:5.6' }] } } },
};
const settings: ManifestObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' }, data: { mode: 'fast' } };
const widget: ManifestObject = { apiVersion: 'example.io/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' }, spec: { size: 3 } };
const ALL = [crd, namespace, service, statefulSet, settings, widget];

/** Every dist writeDist made, removed after the file. */
/** Writes a dist with fleet.json and one folder per cluster, compiler-style file names. */
function writeDist(objectsByCluster: Record<string, ManifestObject[]>): string {
  const dist = tempDir('apply-fleet-');
  for (const [id, objects] of Object.entries(objectsByCluster)) {
    fs.mkdirSync(path.join(dist, id));
    objects.forEach((o) => fs.writeFileSync(path.join(dist, id, manifestFileName(o)), stringify(o)));
  }
  return dist;
}

async function run(dist: string, clusters: FakeCluster[], o: Partial<FleetApplyOptions> = {}) {
  const lines: ObjectOutcome[] = [];
  const reports = await applyFleet({ dist, fleetName: 'shop', clients: new Map(clusters.map((c) => [c.clusterId, c])), onOutcome: (x) => lines.push(x), ...o });
  return { reports, lines };
}

const summary = (outcomes: readonly ObjectOutcome[]) => outcomes.map((x) => `${x.outcome} ${x.ref.kind} ${x.ref.name}`);

describe('applyFleet against an in-memory API server', () => {
  it('creates everything in dependency order: the CRD established before its Widget, the namespace before its objects', async () => {
    const c1 = new FakeCluster('cluster-1');
    c1.establishAfterPolls = 3;
    const { reports } = await run(writeDist({ 'cluster-1': ALL }), [c1]);
    expect(reports[0].error).toBeUndefined();
    const order = summary(reports[0].outcomes);
    expect(order[0]).toBe('created CustomResourceDefinition widgets.example.io');
    expect(order[1]).toBe('created Namespace shop');
    expect(order.indexOf('created Widget w')).toBeGreaterThan(order.indexOf('created ConfigMap settings'));
    expect(countOutcomes(reports[0].outcomes)).toMatchObject({ created: 6, failed: 0 });
    expect(c1.find('Widget', 'w', 'shop')?.metadata.labels).toMatchObject({ 'mcs.cdk8s.io/applied-by': 'cdk8s-mcs-apply', 'mcs.cdk8s.io/inventory': 'shop.cluster-1' });
  });

  it('reports every object unchanged on a second apply and makes zero mutating requests, with one read per resource and namespace', async () => {
    const c1 = new FakeCluster('cluster-1');
    const dist = writeDist({ 'cluster-1': ALL });
    await run(dist, [c1]);
    const again = await run(dist, [c1]);
    expect(countOutcomes(again.reports[0].outcomes)).toMatchObject({ unchanged: 6, created: 0, updated: 0 });
    expect(again.reports[0].writes).toBe(0);
    // 4 group-versions discovered + the inventory + one read per (resource, namespace): 6 pairs here
    expect(again.reports[0].requests).toBe(4 + 1 + 6);
  });

  it('writes nothing in a dry run and says what it would create', async () => {
    const c1 = new FakeCluster('cluster-1');
    const { reports } = await run(writeDist({ 'cluster-1': ALL }), [c1], { dryRun: true });
    expect(reports[0].writes).toBe(0);
    expect(c1.objects.size).toBe(0);
    expect(reports[0].outcomes.every((x) => x.outcome === 'created' && x.dryRun)).toBe(true);
  });

  it('updates exactly the object that changed in dist', async () => {
    const c1 = new FakeCluster('cluster-1');
    await run(writeDist({ 'cluster-1': ALL }), [c1]);
    const scaled = { ...statefulSet, spec: { ...(statefulSet.spec as object), replicas: 3 } };
    const { reports } = await run(writeDist({ 'cluster-1': ALL.map((o) => (o === statefulSet ? scaled : o)) }), [c1]);
    expect(reports[0].outcomes.filter((x) => x.outcome !== 'unchanged').map((x) => `${x.outcome} ${x.ref.kind}`)).toEqual(['updated StatefulSet']);
    expect(reports[0].writes).toBe(1);
  });

  it('prunes exactly the object dist dropped, only with --prune, and forgets it in the inventory', async () => {
    const c1 = new FakeCluster('cluster-1');
    await run(writeDist({ 'cluster-1': ALL }), [c1]);
    const smaller = writeDist({ 'cluster-1': ALL.filter((o) => o !== settings) });
    const notices: string[] = [];
    const withoutPrune = await run(smaller, [c1], { onNotice: (_, t) => notices.push(t) });
    expect(c1.find('ConfigMap', 'settings', 'shop')).toBeDefined();
    expect(withoutPrune.reports[0].writes).toBe(0);
    expect(notices).toEqual(['1 object applied earlier is no longer in dist; --prune deletes it']);
    const pruned = await run(smaller, [c1], { prune: true });
    expect(pruned.reports[0].outcomes.filter((x) => x.outcome === 'pruned').map((x) => x.ref.name)).toEqual(['settings']);
    expect(c1.find('ConfigMap', 'settings', 'shop')).toBeUndefined();
    const inventory = parseInventory(c1.find('ConfigMap', 'cdk8s-mcs-inventory-shop', 'kube-system')!);
    expect(inventory.objects.map((r) => r.name)).not.toContain('settings');
    expect(inventory.objects).toHaveLength(5);
  });

  it('never prunes a PVC or an object someone relabelled, and keeps a namespace that still holds other objects', async () => {
    const c1 = new FakeCluster('cluster-1');
    const pvc: ManifestObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'shop' }, spec: { resources: { requests: { storage: '1Gi' } } } };
    await run(writeDist({ 'cluster-1': [...ALL, pvc] }), [c1]);
    const taken = c1.find('Service', 'db', 'shop')!;
    c1.seed({ ...taken, metadata: { ...taken.metadata, labels: { 'mcs.cdk8s.io/applied-by': 'cdk8s-mcs-apply', 'mcs.cdk8s.io/inventory': 'other.cluster-1' } } });
    const { reports } = await run(writeDist({ 'cluster-1': [crd, widget] }), [c1], { prune: true });
    const byName = Object.fromEntries(reports[0].outcomes.filter((x) => x.outcome !== 'unchanged').map((x) => [`${x.ref.kind} ${x.ref.name}`, x.outcome]));
    expect(byName).toEqual({ 'PersistentVolumeClaim data': 'kept', 'Service db': 'kept', 'StatefulSet db': 'pruned', 'ConfigMap settings': 'pruned', 'Namespace shop': 'kept' });
    expect(c1.find('PersistentVolumeClaim', 'data', 'shop')).toBeDefined();
    expect(c1.find('Namespace', 'shop')).toBeDefined();
  });

  it('refuses to prune a cluster whose dist folder is empty, deleting nothing', async () => {
    const c1 = new FakeCluster('cluster-1');
    await run(writeDist({ 'cluster-1': ALL }), [c1]);
    const { reports } = await run(writeDist({ 'cluster-1': [] }), [c1], { prune: true });
    expect(reports[0].error).toMatch(/dist holds no objects for cluster "cluster-1": refusing to prune everything/);
    expect(reports[0].writes).toBe(0);
    expect(c1.find('StatefulSet', 'db', 'shop')).toBeDefined();
  });

  it('goes on with the other clusters when one cannot be reached', async () => {
    const [c1, c2] = [new FakeCluster('cluster-1'), new FakeCluster('cluster-2')];
    c2.unreachable = true;
    const { reports } = await run(writeDist({ 'cluster-1': ALL, 'cluster-2': ALL }), [c1, c2]);
    expect(reports.map((r) => r.clusterId)).toEqual(['cluster-1', 'cluster-2']);
    expect(countOutcomes(reports[0].outcomes).created).toBe(6);
    expect(reports[1].error).toMatch(/cannot reach 127\.0\.0\.1:1/);
  });

  it('fails a cluster whose CRD never becomes established, naming the CRD, and leaves the others alone', async () => {
    const [c1, c2] = [new FakeCluster('cluster-1'), new FakeCluster('cluster-2')];
    c2.establishAfterPolls = Infinity;
    const { reports } = await run(writeDist({ 'cluster-1': ALL, 'cluster-2': ALL }), [c1, c2], { crdTimeoutMs: 300 });
    expect(reports[0].error).toBeUndefined();
    expect(reports[1].error).toMatch(/CustomResourceDefinitions not Established=True after 0s: widgets\.example\.io \(Established=False: Installing\)/);
    expect(c2.find('Namespace', 'shop')).toBeUndefined();
  });

  it('refuses a kind that neither the cluster nor a CRD in dist serves, naming the file, before writing anything', async () => {
    const c1 = new FakeCluster('cluster-1');
    const { reports } = await run(writeDist({ 'cluster-1': [namespace, widget] }), [c1]);
    expect(reports[0].error).toMatch(/05-widget\.shop\.w\.yaml: kind "Widget" of apiVersion "example\.io\/v1" is not served/);
    expect(reports[0].writes).toBe(0);
  });

  it('refuses to apply when the inventory found belongs to another fleet cluster (wrong kubeconfig context)', async () => {
    const c1 = new FakeCluster('cluster-1');
    await run(writeDist({ 'cluster-1': ALL }), [c1]);
    const misdirected = Object.assign(c1, { clusterId: 'cluster-2' });
    const { reports } = await run(writeDist({ 'cluster-2': ALL }), [misdirected]);
    expect(reports[0].error).toMatch(/records fleet cluster "cluster-1", but this connection is for cluster "cluster-2"/);
  });

  it('fails a cluster whose dist folder is missing, naming it', async () => {
    const { reports } = await run(writeDist({ 'cluster-1': ALL }), [new FakeCluster('cluster-1'), new FakeCluster('cluster-3')]);
    expect(reports[1].error).toMatch(/cluster-3 not found: dist has no folder for cluster "cluster-3"/);
  });
});
