/**
 * The reference scenario end to end on the real test bed: the committed dist/ applied to both
 * clusters, the consumer's CoreDNS running the Corefile the compiler emitted, the sync
 * controller running, and real DNS answers in cluster-2 for cluster-1's pods.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main as cli } from '../../lib/cli';
import { SyncController } from '../../lib/runner/sync/controller';
import { applyDist, ensureRunnerNamespace, runnerKubeconfig, ensureStorageClass, podIps, REPO, restoreDefaultCoreDns, runCompilerCorefile, startSync, waitForNxdomain, waitForPods, removeRenderedDists } from './support/fleet-run';
import * as tb from './support/testbed';

const DIST = path.join(REPO, 'dist');
const NS = 'provider-ns';
const [provider, consumer] = ['cluster-1', 'cluster-2'];
const amcsName = (pod: string) => `${pod}.amcs-mysql.${NS}.svc.cluster.local`;
const clustersetName = (pod: string) => `${pod}.${provider}.mysql.${NS}.svc.clusterset.local`;
let sync: SyncController;

async function expectBothForms(ips: Record<string, string>): Promise<void> {
  for (const [pod, ip] of Object.entries(ips)) {
    await tb.waitForDns(consumer, amcsName(pod), [ip], 30_000);
    await tb.waitForDns(consumer, clustersetName(pod), [ip], 30_000);
  }
}

beforeAll(async () => {
  expect(tb.bed().clusterIds.slice(0, 2)).toEqual([provider, consumer]);
  await ensureRunnerNamespace([provider, consumer]);
  await ensureStorageClass(provider, 'standard');
  await applyDist(DIST, provider);
  await applyDist(DIST, consumer);
  await runCompilerCorefile(DIST, consumer);
  sync = startSync([provider, consumer]);
});

afterAll(async () => {
  await sync?.stop();
  for (const id of [provider, consumer]) {
    await tb.client(id).delete('v1', 'Namespace', NS).catch(() => undefined);
  }
  await restoreDefaultCoreDns(consumer);
  tb.closeClients();
});

// Declared after the file's other top-level afterAll, so it runs last (jest runs them in declaration order).
afterAll(() => removeRenderedDists());

describe('the reference scenario, synthesized, applied and synced', () => {
  it('resolves mysql-0 and mysql-1 in cluster-2 by both name forms, to exactly cluster-1\'s pod IPs', async () => {
    const ips = await waitForPods(provider, NS, 'mysql', ['mysql-0', 'mysql-1']);
    expect(new Set(Object.values(ips)).size).toBe(2);
    await expectBothForms(ips);
    await tb.waitFor('sync ready', () => sync.readiness().ready, { timeoutMs: 30_000 });
  });

  it('keeps the ServiceImport status and the ServiceExport conditions true', async () => {
    const si = await tb.client(consumer).get('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'mysql', NS);
    expect(si.status.clusters).toEqual([{ cluster: provider }]);
    const se = await tb.waitFor('export conditions', async () => {
      const o = await tb.client(provider).get('multicluster.x-k8s.io/v1alpha1', 'ServiceExport', 'mysql', NS);
      return o.status?.conditions?.length === 3 ? o : undefined;
    });
    const byType = Object.fromEntries(se.status.conditions.map((c: { type: string; status: string; reason: string }) => [c.type, `${c.status}/${c.reason}`]));
    expect(byType).toEqual({ Valid: 'True/Valid', Conflict: 'False/NoConflicts', Ready: 'True/Exported' });
  });

  it('writes MCS slices with the KEP-1645 labels and per-pod hostnames', async () => {
    const slices = await tb.client(consumer).list('discovery.k8s.io/v1', 'EndpointSlice', NS, 'multicluster.kubernetes.io/service-name=mysql');
    expect(slices).toHaveLength(1);
    const s = slices[0];
    expect(s.metadata.labels).toMatchObject({ 'multicluster.kubernetes.io/source-cluster': provider, 'endpointslice.kubernetes.io/managed-by': 'cdk8s-mcs' });
    expect(s.endpoints.map((e: { hostname: string }) => e.hostname).sort()).toEqual(['mysql-0', 'mysql-1']);
    expect(s.endpoints.every((e: { targetRef?: unknown; nodeName?: string }) => !e.targetRef && !e.nodeName)).toBe(true);
  });

  it('stops resolving mysql-1 anywhere when the StatefulSet scales to 1', async () => {
    await tb.client(provider).request('PATCH', `/apis/apps/v1/namespaces/${NS}/statefulsets/mysql/scale`, { spec: { replicas: 1 } }, 'application/merge-patch+json');
    await waitForNxdomain(consumer, amcsName('mysql-1'));
    await waitForNxdomain(consumer, clustersetName('mysql-1'));
    const ips = await podIps(provider, NS, 'mysql');
    await expectBothForms({ 'mysql-0': ips['mysql-0'] });
  });

  it('resolves the recreated mysql-0 at its new pod IP', async () => {
    const k = tb.client(provider);
    const before = await k.get('v1', 'Pod', 'mysql-0', NS);
    // kwok hands out the lowest free address of a node's range, so a pod recreated on the same node
    // may get its old IP back; cordoning that node makes the new pod land elsewhere with a new IP.
    const cordon = (unschedulable: boolean) => k.request('PATCH', `/api/v1/nodes/${before.spec.nodeName}`, { spec: { unschedulable } }, 'application/merge-patch+json');
    await cordon(true);
    try {
      await k.delete('v1', 'Pod', 'mysql-0', NS);
      const after = await tb.waitFor('mysql-0 recreated with an IP', async () => {
        const p = await k.tryGet('v1', 'Pod', 'mysql-0', NS);
        return p && p.metadata.uid !== before.metadata.uid && p.status?.podIP && p.status.phase === 'Running' ? p : undefined;
      }, { timeoutMs: 60_000 });
      expect(after.status.podIP).not.toBe(before.status.podIP);
      await expectBothForms({ 'mysql-0': after.status.podIP });
    } finally {
      await cordon(false);
    }
  });

  it('performs zero writes in `sync --once` on the converged fleet', async () => {
    await sync.stop();
    try {
      const out: string[] = [];
      const code = await cli(['sync', '--once', '--dist', DIST, '--kubeconfig', runnerKubeconfig(), '--endpoint-ttl', '10m'], { stdout: (t) => out.push(t), stderr: (t) => out.push(t) });
      expect({ code, out: out.join('') }).toEqual({ code: 0, out: expect.stringMatching(/services reconciled, 0 writes, \d+ liveness leases renewed, 0 errors/) });
    } finally {
      sync = startSync([provider, consumer]);
    }
  });

  it('removes every derived object when the service is unexported', async () => {
    await tb.client(provider).delete('multicluster.x-k8s.io/v1alpha1', 'ServiceExport', 'mysql', NS);
    await waitForNxdomain(consumer, amcsName('mysql-0'));
    await waitForNxdomain(consumer, clustersetName('mysql-0'));
    for (const id of [provider, consumer]) {
      await tb.waitFor(`no derived slices in ${id}`, async () => (await tb.client(id).list('discovery.k8s.io/v1', 'EndpointSlice', NS, 'endpointslice.kubernetes.io/managed-by=cdk8s-mcs')).length === 0);
    }
    // the ServiceImport GitOps synced stays, and says nobody exports the service any more
    const si = await tb.client(consumer).get('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'mysql', NS);
    expect(si.status.clusters ?? []).toEqual([]);
    expect(si.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'False', reason: 'Pending' }));
    // the one the runner created in cluster-1 (namespace exists there) is gone
    expect(await tb.client(provider).tryGet('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'mysql', NS)).toBeUndefined();
  });

  it('hands a derived ServiceImport over once GitOps applies it, and keeps it when the export goes away again', async () => {
    const SI = 'multicluster.x-k8s.io/v1alpha1';
    const derivedBy = (si?: { metadata: { labels?: Record<string, string> } }) => si?.metadata.labels?.['mcs.cdk8s.io/derived-by'];
    // Export again: the runner derives the import in cluster-1 anew (its namespace exists there).
    await tb.apply(provider, fs.readFileSync(path.join(DIST, provider, '06-serviceexport.provider-ns.mysql.yaml'), 'utf8'));
    await tb.waitFor('the runner derived the import in cluster-1 again', async () => derivedBy(await tb.client(provider).tryGet(SI, 'ServiceImport', 'mysql', NS)) === 'cdk8s-mcs');
    // Argo CD (or Flux) applies the import declared in Git over it, under its own field manager.
    await tb.client(provider).apply(fs.readFileSync(path.join(DIST, consumer, '06-serviceimport.provider-ns.mysql.yaml'), 'utf8'), { fieldManager: 'argocd-controller' });
    await tb.waitFor('the runner dropped its labels from the adopted import', async () => derivedBy(await tb.client(provider).tryGet(SI, 'ServiceImport', 'mysql', NS)) === undefined);
    const adopted = await tb.client(provider).get(SI, 'ServiceImport', 'mysql', NS);
    expect(adopted.metadata.labels?.['mcs.cdk8s.io/import-of']).toBeUndefined();
    expect(adopted.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('cdk8s-mcs'); // Git's label stays
    // Unexported again: the adopted import stays (Git declares it), its status says nobody exports it.
    await tb.client(provider).delete(SI, 'ServiceExport', 'mysql', NS);
    await tb.waitFor('the adopted import says nobody exports the service', async () => {
      const si = await tb.client(provider).tryGet(SI, 'ServiceImport', 'mysql', NS);
      return si !== undefined && (si.status?.clusters ?? []).length === 0 && (si.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'False');
    });
    await new Promise((r) => setTimeout(r, 3_000)); // a delete would have come with the status write
    expect((await tb.client(provider).tryGet(SI, 'ServiceImport', 'mysql', NS))?.metadata.uid).toBe(adopted.metadata.uid);
  });
});
