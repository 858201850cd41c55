/**
 * `cdk8s-mcs apply` and `diff` on the real test bed: the committed reference dist applied to both
 * clusters and re-applied without a single mutating request; then a fleet of this file's own (a
 * unique namespace, rendered into a temp dir) changed, pruned and diffed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { k8s } from 'cdk8s-plus-28';
import { parse, stringify } from 'yaml';
import { MultiClusterStatefulSet } from '../../lib';
import { main as cli } from '../../lib/cli';
import { KubeClient } from '../../lib/kube/client';
import { clientForContext, loadKubeConfig } from '../../lib/kube/connect';
import { readFleetManifest } from '../../lib/cli/fleet-clients';
import { applyFleet, FleetApplyOptions } from '../../lib/runner/apply/fleet-apply';
import { inventoryName, INVENTORY_NAMESPACE } from '../../lib/runner/apply/inventory';
import { readClusterManifests } from '../../lib/runner/apply/manifests';
import { ClusterReport, countOutcomes } from '../../lib/runner/apply/report';
import { ensureStorageClass, REPO, renderFleetDist, waitForPods, removeRenderedDists } from './support/fleet-run';
import * as tb from './support/testbed';

const REFERENCE_DIST = path.join(REPO, 'dist');
const REFERENCE_NS = 'provider-ns';
const [c1, c2] = ['cluster-1', 'cluster-2'];
/** Objects per cluster in the committed dist (15 and 20 when this was written). */
const referenceCount = (clusterId: string) => readClusterManifests(REFERENCE_DIST, clusterId).length;
const ownNs = tb.uniqueName('apply');
const ownFleet = tb.uniqueName('apply-e2e');
let ownDist: string;
/** Temporary folders of this file (copies of dist, a broken kubeconfig), removed in the last afterAll. */
const tmpDirs: string[] = [];

/** Admin clients of the runner's own REST client, so the request counters can be read. */
function adminClients(): Map<string, KubeClient> {
  const kc = loadKubeConfig(tb.bed().kubeconfig);
  return new Map([c1, c2].map((id) => [id, clientForContext(kc, id, id)]));
}

async function applyCounted(dist: string, o: Partial<FleetApplyOptions> = {}): Promise<{ reports: ClusterReport[]; requests: Record<string, Record<string, number>> }> {
  const clients = adminClients();
  try {
    const reports = await applyFleet({ dist, fleetName: readFleetManifest(dist).name, clients, ...o });
    return { reports, requests: Object.fromEntries([...clients].map(([id, c]) => [id, c.counter.snapshot()])) };
  } finally {
    clients.forEach((c) => c.close());
  }
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cli([...args, '--kubeconfig', tb.bed().kubeconfig], { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, out: out.join(''), err: err.join('') };
}

/** `outcome Kind ns/name` of every object that did not stay unchanged. */
function changed(reports: readonly ClusterReport[]): string[] {
  return reports.flatMap((r) => r.outcomes.filter((o) => o.outcome !== 'unchanged').map((o) => `${r.clusterId} ${o.outcome} ${o.ref.kind} ${o.ref.namespace ? `${o.ref.namespace}/` : ''}${o.ref.name}`));
}

function copyDist(from: string): string {
  const to = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-apply-copy-'));
  tmpDirs.push(to);
  fs.cpSync(from, to, { recursive: true });
  return to;
}

function editYaml(file: string, edit: (obj: Record<string, any>) => void): void {
  const obj = parse(fs.readFileSync(file, 'utf8'));
  edit(obj);
  fs.writeFileSync(file, stringify(obj));
}

/** A namespace deleted by an earlier test file may still be terminating; objects cannot be created in it then. */
async function namespaceUsable(clusterId: string, name: string): Promise<void> {
  await tb.waitFor(`namespace ${name} usable in ${clusterId}`, async () => {
    const ns = await tb.client(clusterId).tryGet('v1', 'Namespace', name);
    return !ns || ns.status?.phase !== 'Terminating' ? true : undefined;
  }, { timeoutMs: 120_000, intervalMs: 500 });
}

async function deleteAndWait(clusterId: string, name: string): Promise<void> {
  await tb.client(clusterId).delete('v1', 'Namespace', name).catch(() => undefined);
  await tb.waitFor(`namespace ${name} gone from ${clusterId}`, async () => ((await tb.client(clusterId).tryGet('v1', 'Namespace', name)) ? undefined : true), { timeoutMs: 120_000, intervalMs: 500 }).catch(() => undefined);
}

beforeAll(async () => {
  expect(tb.bed().clusterIds.slice(0, 2)).toEqual([c1, c2]);
  await ensureStorageClass(c1, 'standard');
  for (const id of [c1, c2]) {
    await namespaceUsable(id, REFERENCE_NS);
  }
  ownDist = renderFleetDist((fleet) => {
    const a = fleet.addCluster(c1, { storageClass: 'kwok-volume' });
    const b = fleet.addCluster(c2, { storageClass: 'kwok-volume' });
    new MultiClusterStatefulSet(fleet, 'db', { namespace: ownNs, image: 'postgres:17', providers: [{ cluster: a, replicas: 2 }], ports: [{ name: 'pg', port: 5432 }], volumeClaims: [{ name: 'data', mountPath: '/var/lib/pg', size: '1Gi' }] });
    b.ensureNamespace(ownNs);
    new k8s.KubeConfigMap(b, 'settings', { metadata: { name: 'settings', namespace: ownNs }, data: { mode: 'fast' } });
  }, ownFleet);
});

afterAll(async () => {
  for (const id of [c1, c2]) {
    for (const fleet of ['reference', ownFleet]) {
      await tb.client(id).delete('v1', 'ConfigMap', inventoryName(fleet), INVENTORY_NAMESPACE).catch(() => undefined);
    }
    await deleteAndWait(id, ownNs);
    await deleteAndWait(id, REFERENCE_NS);
  }
  tb.closeClients();
});

// Declared after the file's other top-level afterAll, so it runs last (jest runs them in declaration order).
afterAll(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  removeRenderedDists();
});

describe('apply of the reference scenario from dist/', () => {
  it('creates every object in both clusters, and cluster-1\'s StatefulSet pods come up', async () => {
    const { code, out, err } = await run(['apply', '--dist', REFERENCE_DIST]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^\[cluster-1\] (created|updated|unchanged) StatefulSet provider-ns\/mysql$/m);
    expect(out).toMatch(/^\[cluster-2\] (created|updated|unchanged) ServiceImport provider-ns\/mysql$/m);
    expect(out).toMatch(new RegExp(`^apply: 2 clusters, ${referenceCount(c1) + referenceCount(c2)} objects: `, 'm'));
    await waitForPods(c1, REFERENCE_NS, 'mysql', ['mysql-0', 'mysql-1']);
    expect(await tb.client(c2).tryGet('v1', 'ConfigMap', 'coredns', 'kube-system')).toBeDefined();
    expect(await tb.client(c2).tryGet('v1', 'Pod', 'mysql-client', REFERENCE_NS)).toBeDefined();
  });

  it('reports every object unchanged on a second apply, with zero mutating requests', async () => {
    const { reports, requests } = await applyCounted(REFERENCE_DIST);
    process.stderr.write(`[apply e2e] unchanged re-apply of dist/: ${reports.map((r) => `${r.clusterId} ${r.outcomes.length} objects, ${r.requests} requests, ${r.writes} writes, ${r.durationMs} ms`).join('; ')}\n  ${JSON.stringify(requests)}\n`);
    expect(reports.map((r) => [r.clusterId, r.error, countOutcomes(r.outcomes)])).toEqual([
      [c1, undefined, { created: 0, updated: 0, unchanged: referenceCount(c1), pruned: 0, kept: 0, failed: 0 }],
      [c2, undefined, { created: 0, updated: 0, unchanged: referenceCount(c2), pruned: 0, kept: 0, failed: 0 }],
    ]);
    expect(reports.map((r) => r.writes)).toEqual([0, 0]);
    // reads only: one per group-version, the inventory, one per (resource, namespace); never one per object
    reports.forEach((r) => expect(r.requests).toBeLessThan(r.outcomes.length + 8));
  });

  it('prints "unchanged" for every object and "0 writes" from the command line too', async () => {
    const { code, out } = await run(['apply', '--dist', REFERENCE_DIST]);
    expect(code).toBe(0);
    const objectLines = out.split('\n').filter((l) => /^\[cluster-\d\] \w+ /.test(l) && !/ objects: /.test(l));
    expect(objectLines).toHaveLength(referenceCount(c1) + referenceCount(c2));
    expect(objectLines.every((l) => / unchanged /.test(l))).toBe(true);
    const n = referenceCount(c1);
    expect(out).toMatch(new RegExp(`^\\[cluster-1\\] ${n} objects: 0 created, 0 updated, ${n} unchanged, 0 pruned \\(\\d+\\.\\ds, \\d+ requests, 0 writes\\)$`, 'm'));
  });

  it('diff reports nothing on the converged fleet and exits 0', async () => {
    const { code, out } = await run(['diff', '--dist', REFERENCE_DIST]);
    expect(out).not.toMatch(/^@@/m);
    expect(out).toContain(`[cluster-1] no differences (${referenceCount(c1)} objects)`);
    expect(out).toContain(`[cluster-2] no differences (${referenceCount(c2)} objects)`);
    expect(code).toBe(0);
  });
});

describe('apply of a fleet of our own: change, prune, diff', () => {
  const sts = () => path.join(ownDist, c1, `05-statefulset.${ownNs}.db.yaml`);

  it('creates it, and a second apply changes nothing and writes nothing', async () => {
    const first = await applyCounted(ownDist);
    expect(first.reports.map((r) => r.error)).toEqual([undefined, undefined]);
    expect(changed(first.reports)).toEqual(expect.arrayContaining([`${c1} created StatefulSet ${ownNs}/db`, `${c2} created ConfigMap ${ownNs}/settings`]));
    await waitForPods(c1, ownNs, 'db', ['db-0', 'db-1']);
    const again = await applyCounted(ownDist);
    expect(changed(again.reports)).toEqual([]);
    expect(again.reports.map((r) => r.writes)).toEqual([0, 0]);
  });

  it('updates exactly the object changed in a copy of dist', async () => {
    const edited = copyDist(ownDist);
    editYaml(path.join(edited, c2, `03-configmap.${ownNs}.settings.yaml`), (o) => (o.data.mode = 'safe'));
    const { reports } = await applyCounted(edited);
    expect(changed(reports)).toEqual([`${c2} updated ConfigMap ${ownNs}/settings`]);
    expect(reports[1].outcomes.find((o) => o.outcome === 'updated')?.changes?.map((c) => c.path.join('.'))).toEqual(['data.mode']);
    expect(reports.map((r) => r.writes)).toEqual([0, 1]);
    expect((await tb.client(c2).get('v1', 'ConfigMap', 'settings', ownNs)).data).toEqual({ mode: 'safe' });
  });

  it('with --prune deletes exactly the object removed from dist, never the PVCs, never an object without our label', async () => {
    const pvcsBefore = (await tb.client(c1).list('v1', 'PersistentVolumeClaim', ownNs)).map((p: { metadata: { name: string } }) => p.metadata.name).sort();
    expect(pvcsBefore).toEqual(['data-db-0', 'data-db-1']);
    const smaller = copyDist(ownDist);
    fs.rmSync(path.join(smaller, c1, path.basename(sts())));
    fs.rmSync(path.join(smaller, c1, `04-service.${ownNs}.db.yaml`));
    // someone took the Service over: it lost our label, so prune must leave it alone
    await tb.client(c1).request('PATCH', `/api/v1/namespaces/${ownNs}/services/db`, { metadata: { labels: { 'mcs.cdk8s.io/applied-by': null } } }, 'application/merge-patch+json');
    const { reports } = await applyCounted(smaller, { prune: true });
    expect(changed(reports).sort()).toEqual([`${c1} kept Service ${ownNs}/db`, `${c1} pruned StatefulSet ${ownNs}/db`, `${c2} updated ConfigMap ${ownNs}/settings`]);
    expect(reports[0].outcomes.find((o) => o.outcome === 'kept')?.reason).toMatch(/lacks the label mcs\.cdk8s\.io\/applied-by/);
    await tb.waitFor('StatefulSet db gone', async () => ((await tb.client(c1).tryGet('apps/v1', 'StatefulSet', 'db', ownNs)) ? undefined : true));
    const pvcsAfter = (await tb.client(c1).list('v1', 'PersistentVolumeClaim', ownNs)).map((p: { metadata: { name: string } }) => p.metadata.name).sort();
    expect(pvcsAfter).toEqual(pvcsBefore);
    expect(await tb.client(c1).tryGet('v1', 'Service', 'db', ownNs)).toBeDefined();
  });

  it('diff exits 0 against the dist just applied, and 1 with the StatefulSet to create and the label to restore against the original', async () => {
    const applied = copyDist(ownDist);
    fs.rmSync(path.join(applied, c1, path.basename(sts())));
    fs.rmSync(path.join(applied, c1, `04-service.${ownNs}.db.yaml`));
    const converged = await run(['diff', '--dist', applied, '--prune']);
    expect(converged.out).not.toMatch(/^@@/m);
    expect(converged.code).toBe(0);
    const back = await run(['diff', '--dist', ownDist]);
    expect(back.code).toBe(1);
    expect(back.out).toContain(`diff [${c1}] StatefulSet ${ownNs}/db (create)`);
    expect(back.out).toContain(`diff [${c1}] Service ${ownNs}/db\n--- live\n+++ ${path.join(ownDist, c1, `04-service.${ownNs}.db.yaml`)}\n@@ metadata.labels["mcs.cdk8s.io/applied-by"] @@\n+cdk8s-mcs-apply`);
    expect(back.out).toMatch(/^\[cluster-2\] no differences \(\d+ objects\)$/m);
  });
});

describe('apply when one cluster fails', () => {
  it('applies the reachable cluster, names the unreachable one and exits 1', async () => {
    const kubeconfig = parse(fs.readFileSync(tb.bed().kubeconfig, 'utf8'));
    const contextOf2 = kubeconfig.contexts.find((c: { name: string }) => c.name === c2).context.cluster;
    kubeconfig.clusters.find((c: { name: string }) => c.name === contextOf2).cluster.server = 'https://127.0.0.1:1';
    const brokenDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-apply-kc-'));
    tmpDirs.push(brokenDir);
    const broken = path.join(brokenDir, 'kubeconfig');
    fs.writeFileSync(broken, stringify(kubeconfig));
    const out: string[] = [];
    const err: string[] = [];
    const code = await cli(['apply', '--dist', ownDist, '--kubeconfig', broken], { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
    expect(code).toBe(1);
    expect(out.join('')).toMatch(/^\[cluster-1\] \d+ objects: /m);
    expect(err.join('')).toMatch(/cluster-2: cluster "cluster-2": .*cannot reach 127\.0\.0\.1:1/);
  });

  it('refuses an --only naming a cluster the fleet does not have', async () => {
    const { code, err } = await run(['apply', '--dist', ownDist, '--only', 'cluster-9']);
    expect(code).toBe(2);
    expect(err).toContain('--only/--context-map name clusters that are not in');
  });
});
