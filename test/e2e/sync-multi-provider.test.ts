/**
 * One headless service exported by two provider clusters: each cluster's pods resolve under
 * their own cluster ID, and a port conflict raises Conflict=True on both exports, oldest wins.
 */
import { DnsMethod, HeadlessImport, MultiClusterStatefulSet } from '../../lib';
import { SyncController } from '../../lib/runner/sync/controller';
import { applyDist, ensureRunnerNamespace, eventually, podIps, renderFleetDist, startSync, waitForPods, deleteNamespaceAndWait, removeRenderedDists } from './support/fleet-run';
import * as tb from './support/testbed';

const [c1, c2] = ['cluster-1', 'cluster-2'];
const ns = tb.uniqueName('multi');
let sync: SyncController;
let dist: string;

const name = (pod: string, cluster: string) => `${pod}.${cluster}.db.${ns}.svc.clusterset.local`;
const exportOf = (cluster: string) => tb.client(cluster).get('multicluster.x-k8s.io/v1alpha1', 'ServiceExport', 'db', ns);
const conditionsOf = async (cluster: string) =>
  Object.fromEntries(((await exportOf(cluster)).status?.conditions ?? []).map((c: { type: string; status: string; reason: string }) => [c.type, `${c.status}/${c.reason}`]));

/** Changes the port of cluster-2's Service behind the compiler's back (drift, or another tool). */
const setServicePort = (port: number) =>
  tb.client(c2).request('PATCH', `/api/v1/namespaces/${ns}/services/db`, [{ op: 'replace', path: '/spec/ports/0/port', value: port }], 'application/json-patch+json');

beforeAll(async () => {
  dist = renderFleetDist((fleet) => {
    const a = fleet.addCluster(c1, { coreDnsVersion: '1.14.7' });
    const b = fleet.addCluster(c2, { coreDnsVersion: '1.14.7' });
    new MultiClusterStatefulSet(fleet, 'db', { namespace: ns, image: 'postgres:17', providers: [{ cluster: a, replicas: 2 }, { cluster: b, replicas: 2 }], ports: [{ name: 'pg', port: 5432 }] });
    new HeadlessImport(fleet, 'db-import', { serviceName: 'db', namespace: ns, consumers: [a, b], dnsMethods: [DnsMethod.CLUSTERSET] });
  }, 'multi');
  await ensureRunnerNamespace([c1, c2]);
  await applyDist(dist, c1);
  // the oldest export wins conflicts: make cluster-1's export measurably older
  await new Promise((r) => setTimeout(r, 1_100));
  await applyDist(dist, c2);
  sync = startSync([c1, c2]);
});

afterAll(async () => {
  await sync?.stop();
  await deleteNamespaceAndWait(ns);
  tb.closeClients();
});

// Declared after the file's other top-level afterAll, so it runs last (jest runs them in declaration order).
afterAll(() => removeRenderedDists());

describe('a headless service exported by two clusters', () => {
  it('resolves each cluster\'s pods under its own cluster ID, from both clusters', async () => {
    const ips1 = await waitForPods(c1, ns, 'db', ['db-0', 'db-1']);
    const ips2 = await waitForPods(c2, ns, 'db', ['db-0', 'db-1']);
    for (const consumer of [c1, c2]) {
      for (const pod of ['db-0', 'db-1']) {
        await tb.waitForDns(consumer, name(pod, c1), [ips1[pod]]);
        await tb.waitForDns(consumer, name(pod, c2), [ips2[pod]]);
      }
      await tb.waitForDns(consumer, `db.${ns}.svc.clusterset.local`, [...Object.values(ips1), ...Object.values(ips2)]);
    }
    const si = await tb.client(c2).get('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'db', ns);
    expect(si.status.clusters).toEqual([{ cluster: c1 }, { cluster: c2 }]);
    expect(await conditionsOf(c1)).toEqual({ Valid: 'True/Valid', Conflict: 'False/NoConflicts', Ready: 'True/Exported' });
  });

  it('raises Conflict=True on both exports when cluster-2 changes its port, and keeps cluster-1\'s (the oldest) port', async () => {
    await setServicePort(5433);
    for (const cluster of [c1, c2]) {
      await eventually(`Conflict=True on ${cluster}`, async () => (await conditionsOf(cluster)).Conflict === 'True/PortConflict');
      const conflict = (await exportOf(cluster)).status.conditions.find((c: { type: string }) => c.type === 'Conflict');
      expect(conflict.message).toContain(`using the oldest export, from "${c1}"`);
    }
    const si = await tb.client(c1).get('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'db', ns);
    expect(si.spec.ports).toEqual([{ name: 'pg', port: 5432, protocol: 'TCP' }]);
    // both clusters still serve their pods: each slice carries its own cluster's port
    const slices = await tb.client(c1).list('discovery.k8s.io/v1', 'EndpointSlice', ns, 'multicluster.kubernetes.io/service-name=db');
    const portBySource = Object.fromEntries(slices.map((s: any) => [s.metadata.labels['multicluster.kubernetes.io/source-cluster'], s.ports[0].port]));
    expect(portBySource).toEqual({ [c1]: 5432, [c2]: 5432 });
  });

  it('clears the conflict when the ports agree again', async () => {
    await setServicePort(5432);
    for (const cluster of [c1, c2]) {
      await eventually(`Conflict=False on ${cluster}`, async () => (await conditionsOf(cluster)).Conflict === 'False/NoConflicts');
    }
    expect(Object.keys(await podIps(c1, ns, 'db'))).toHaveLength(2);
  });
});
