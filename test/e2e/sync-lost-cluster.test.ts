/**
 * KEP-1645 endpoint TTL: a provider cluster that goes away keeps its endpoints served for the TTL
 * (short flaps change nothing), loses them after it, and gets them back when it returns.
 */
import { HeadlessImport, MultiClusterStatefulSet } from '../../lib';
import { SyncController } from '../../lib/runner/sync/controller';
import { applyDist, ensureRunnerNamespace, eventually, renderFleetDist, startSync, waitForNxdomain, waitForPods, deleteNamespaceAndWait, removeRenderedDists } from './support/fleet-run';
import * as tb from './support/testbed';

const [provider, consumer] = ['cluster-1', 'cluster-2'];
const ns = tb.uniqueName('lost');
// long enough to stop and restart a whole test-bed cluster (about 20 s) within it
const TTL_MS = 30_000;
let sync: SyncController;
let ips: Record<string, string>;

const names = (pod: string) => [`${pod}.amcs-web.${ns}.svc.cluster.local`, `${pod}.${provider}.web.${ns}.svc.clusterset.local`];
const sliceWrites = () => (['create', 'update', 'delete'] as const).reduce((n, verb) => n + sync.metrics.writes.get({ cluster: consumer, resource: 'endpointslices', verb }), 0);

async function expectResolving(): Promise<void> {
  for (const pod of Object.keys(ips)) {
    for (const n of names(pod)) {
      expect(await tb.resolveA(consumer, n)).toEqual([ips[pod]]);
    }
  }
}

beforeAll(async () => {
  const dist = renderFleetDist((fleet) => {
    const a = fleet.addCluster(provider);
    const b = fleet.addCluster(consumer, { coreDnsVersion: '1.14.7' });
    new MultiClusterStatefulSet(fleet, 'web', { namespace: ns, image: 'nginx:1.27', providers: [{ cluster: a, replicas: 2 }], ports: [{ name: 'http', port: 80 }] });
    new HeadlessImport(fleet, 'web-import', { serviceName: 'web', namespace: ns, consumers: [b] });
  }, 'lost');
  await ensureRunnerNamespace([provider, consumer]);
  await applyDist(dist, provider);
  await applyDist(dist, consumer);
  ips = await waitForPods(provider, ns, 'web', ['web-0', 'web-1']);
  sync = startSync([provider, consumer], { endpointTtlMs: TTL_MS });
  for (const pod of Object.keys(ips)) {
    for (const n of names(pod)) {
      await tb.waitForDns(consumer, n, [ips[pod]]);
    }
  }
});

afterAll(async () => {
  await sync?.stop();
  await tb.startCluster(provider).catch(() => undefined);
  await deleteNamespaceAndWait(ns);
  tb.closeClients();
});

// Declared after the file's other top-level afterAll, so it runs last (jest runs them in declaration order).
afterAll(() => removeRenderedDists());

describe('a provider cluster that goes away', () => {
  it('changes nothing when it is back within the TTL', async () => {
    const writesBefore = sliceWrites();
    await tb.stopCluster(provider);
    const downFor = Date.now();
    while (Date.now() - downFor < 5_000) {
      await expectResolving();
      await new Promise((r) => setTimeout(r, 200));
    }
    await tb.startCluster(provider);
    expect(Date.now() - downFor).toBeLessThan(TTL_MS);
    await eventually('provider fresh again', () => sync.readiness().ready && sync.metrics.sourceState.get({ cluster: provider, state: 'fresh' }) === 1, 60_000);
    await expectResolving();
    expect(sliceWrites() - writesBefore).toBe(0);
  });

  it('withdraws its endpoints once it has been unreachable for longer than the TTL, and restores them when it returns', async () => {
    const stoppedAt = Date.now(); // the API server stops answering while stopCluster runs
    await tb.stopCluster(provider);
    await expectResolving(); // still served right after the loss
    for (const pod of Object.keys(ips)) {
      for (const n of names(pod)) {
        await waitForNxdomain(consumer, n, TTL_MS + 20_000);
      }
    }
    const goneAfter = Date.now() - stoppedAt;
    expect(goneAfter).toBeGreaterThanOrEqual(TTL_MS);
    process.stderr.write(`endpoints of the lost cluster withdrawn ${goneAfter} ms after it stopped (TTL ${TTL_MS} ms)\n`);
    const si = await tb.client(consumer).get('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'web', ns);
    expect(si.status.clusters ?? []).toEqual([]);

    const restartedAt = Date.now();
    await tb.startCluster(provider);
    for (const pod of Object.keys(ips)) {
      for (const n of names(pod)) {
        await tb.waitForDns(consumer, n, [ips[pod]], 60_000);
      }
    }
    process.stderr.write(`endpoints restored ${Date.now() - restartedAt} ms after the cluster was started again\n`);
  });
});
