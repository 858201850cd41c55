/**
 * `preflight` and `status` on the real test bed, both proven to write nothing (the request
 * counters of their clients): preflight finds a missing StorageClass, a missing Secret, a wrong
 * coreDnsVersion and a CRD stored-version mismatch, each with its fix; status shows a lost source
 * cluster's liveness lease expiring and its endpoints withdrawn.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { DnsMethod, HeadlessImport, MultiClusterStatefulSet } from '../../lib';
import { main as cli } from '../../lib/cli';
import { readFleetManifest } from '../../lib/cli/fleet-clients';
import { KubeClient } from '../../lib/kube/client';
import { clientForContext, loadKubeConfig } from '../../lib/kube/connect';
import { runPreflight } from '../../lib/runner/preflight/run';
import { collectStatus, FleetStatus } from '../../lib/runner/status/collect';
import { formatStatus } from '../../lib/runner/status/format';
import { SyncController } from '../../lib/runner/sync/controller';
import { restore, snapshot, Snapshot } from './support/bed-snapshot';
import { applyDist, deleteNamespaceAndWait, ensureRunnerNamespace, renderFleetDist, startSync, waitForPods, removeRenderedDists } from './support/fleet-run';
import * as tb from './support/testbed';

const [c1, c2] = ['cluster-1', 'cluster-2'];
const ns = tb.uniqueName('preflight');
const secret = tb.uniqueName('dbsecret');
const COREDNS_DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, spec: { replicas: 0, selector: { matchLabels: { 'k8s-app': 'kube-dns' } }, template: { metadata: { labels: { 'k8s-app': 'kube-dns' } }, spec: { containers: [{ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.14.7' }] } } } };
let deploymentSnapshot: Snapshot;
let clients: Map<string, KubeClient>;

function countedClients(): Map<string, KubeClient> {
  const kc = loadKubeConfig(tb.bed().kubeconfig);
  return new Map([c1, c2].map((id) => [id, clientForContext(kc, id, id)]));
}
const writes = () => [...clients.values()].reduce((n, c) => n + c.counter.writes(), 0);

beforeAll(async () => {
  deploymentSnapshot = await snapshot(c2, [COREDNS_DEPLOYMENT as tb.KubeObject]);
  await tb.apply(c2, COREDNS_DEPLOYMENT as tb.KubeObject);
  clients = countedClients();
});

afterAll(async () => {
  clients.forEach((c) => c.close());
  await restore(deploymentSnapshot);
  tb.closeClients();
});

// Declared after the file's other top-level afterAll, so it runs last (jest runs them in declaration order).
afterAll(() => removeRenderedDists());

describe('preflight', () => {
  let dist: string;

  beforeAll(() => {
    dist = renderFleetDist((fleet) => {
      const a = fleet.addCluster(c1, { storageClass: 'missing-class' });
      const b = fleet.addCluster(c2, { coreDnsVersion: '1.12.2' });
      new MultiClusterStatefulSet(fleet, 'db', {
        namespace: ns, image: 'mysql:5.6', providers: [{ cluster: a, replicas: 1 }], ports: [{ name: 'tcp', port: 3306 }],
        secretEnv: [{ name: 'MYSQL_ROOT_PASSWORD', secretName: secret, key: 'ROOT_PASSWORD' }],
        volumeClaims: [{ name: 'data', mountPath: '/var/lib/mysql', size: '1Gi' }],
      });
      new HeadlessImport(fleet, 'db-import', { serviceName: 'db', namespace: ns, consumers: [b], dnsMethods: [DnsMethod.CLUSTERSET] });
    }, 'preflight');
    // dist moved the ServiceExport CRD back to v1alpha1 only, while the cluster has stored v1beta1 objects: Flux's storedVersions drift
    const crd = path.join(dist, c1, fs.readdirSync(path.join(dist, c1)).find((f) => f.includes('serviceexports'))!);
    const obj = parse(fs.readFileSync(crd, 'utf8'));
    obj.spec.versions = obj.spec.versions.filter((v: { name: string }) => v.name === 'v1alpha1').map((v: object) => ({ ...v, storage: true }));
    fs.writeFileSync(crd, stringify(obj));
  });

  it('finds a missing StorageClass, a missing Secret, a wrong coreDnsVersion and a CRD stored-version mismatch, each with its fix, writing nothing', async () => {
    const started = Date.now();
    const results = await runPreflight({ dist, fleet: readFleetManifest(dist), clients });
    process.stderr.write(`[preflight e2e] ${results.length} checks in ${Date.now() - started} ms, ${[...clients.values()].map((c) => c.counter.total()).join('+')} requests, ${writes()} writes\n`);
    const failed = results.filter((r) => r.level === 'FAIL').map((r) => `${r.clusterId} ${r.check}`).sort();
    expect(failed).toEqual([`${c1} crd`, `${c1} secrets`, `${c1} storage-classes`, `${c2} coredns-version`]);
    const byCheck = (id: string, check: string) => results.find((r) => r.clusterId === id && r.check === check && r.level === 'FAIL')!;
    expect(byCheck(c1, 'storage-classes').message).toMatch(/^StorageClass "missing-class" \(StatefulSet .*\/db \(claim data\)\) does not exist \(the cluster has: "kwok-volume" \(default\)/);
    expect(byCheck(c1, 'secrets')).toMatchObject({ message: expect.stringContaining(`Secret ${ns}/${secret} (StatefulSet ${ns}/db (env MYSQL_ROOT_PASSWORD)) does not exist`), fix: expect.stringContaining(`kubectl -n ${ns} create secret generic ${secret} --from-literal=ROOT_PASSWORD=...`) });
    expect(byCheck(c2, 'coredns-version')).toMatchObject({ message: 'runs CoreDNS 1.14.7 (registry.k8s.io/coredns/coredns:v1.14.7); fleet declares coreDnsVersion 1.12.2', fix: expect.stringContaining(`set coreDnsVersion: '1.14.7' on cluster "${c2}"`) });
    expect(byCheck(c1, 'crd')).toMatchObject({ message: expect.stringContaining('serviceexports.multicluster.x-k8s.io: the cluster has stored objects as v1beta1'), fix: expect.stringContaining('kubectl patch crd serviceexports.multicluster.x-k8s.io --subresource=status') });
    expect(results.find((r) => r.clusterId === c2 && r.check === 'reachable')?.level).toBe('ok');
    expect(writes()).toBe(0);
  });

  it('prints one line per check per cluster, JSON for CI, and exits 1', async () => {
    const out: string[] = [];
    const code = await cli(['preflight', '--dist', dist, '--kubeconfig', tb.bed().kubeconfig], { stdout: (t) => out.push(t), stderr: (t) => out.push(t) });
    expect(code).toBe(1);
    expect(out.join('')).toMatch(/^\[cluster-2\] FAIL  coredns-version  runs CoreDNS 1\.14\.7 .*\n {12}Fix: set coreDnsVersion/m);
    expect(out.join('')).toMatch(/^preflight: 2 clusters, \d+ ok, \d+ warn, 4 FAIL$/m);
    const json: string[] = [];
    expect(await cli(['preflight', '--dist', dist, '--kubeconfig', tb.bed().kubeconfig, '--output', 'json'], { stdout: (t) => json.push(t), stderr: () => undefined })).toBe(1);
    expect(JSON.parse(json.join('')).summary.fail).toBe(4);
    expect(await cli(['preflight', '--dist', dist, '--output', 'yaml'], { stdout: () => undefined, stderr: () => undefined })).toBe(2);
  });
});

describe('status', () => {
  const TTL_MS = 10_000;
  let sync: SyncController;
  let dist: string;
  const view = async (): Promise<FleetStatus> => collectStatus({ fleet: readFleetManifest(dist), clients, runnerNamespace: 'cdk8s-mcs-system' });
  const webImport = (s: FleetStatus) => s.imports.find((i) => i.consumer === c2 && i.service === `${ns}/web`);

  beforeAll(async () => {
    dist = renderFleetDist((fleet) => {
      const a = fleet.addCluster(c1);
      const b = fleet.addCluster(c2, { coreDnsVersion: '1.14.7' });
      new MultiClusterStatefulSet(fleet, 'web', { namespace: ns, image: 'nginx:1.27', providers: [{ cluster: a, replicas: 1 }], ports: [{ name: 'http', port: 80 }] });
      new HeadlessImport(fleet, 'web-import', { serviceName: 'web', namespace: ns, consumers: [b], dnsMethods: [DnsMethod.AMCS] });
    }, 'status');
    await ensureRunnerNamespace([c1, c2]);
    await applyDist(dist, c1);
    await applyDist(dist, c2);
    await waitForPods(c1, ns, 'web', ['web-0']);
    sync = startSync([c1, c2], { endpointTtlMs: TTL_MS });
  }, 180_000);

  afterAll(async () => {
    await sync?.stop();
    await tb.startCluster(c1).catch(() => undefined);
    await deleteNamespaceAndWait(ns);
  }, 240_000);

  it('shows the export, the import\'s ready endpoint and DNS name, then the lost source\'s lease expiring and its endpoints withdrawn, writing nothing', async () => {
    const before = writes();
    const live = await tb.waitFor('status: web-0 ready in cluster-2', async () => {
      const s = await view();
      // A lease renewed by this test's runner: the shared bed may still hold an older runner's lease of the same name.
      return webImport(s)?.sources.some((src) => src.ready === 1 && src.leaseAgeSeconds !== undefined && src.leaseAgeSeconds * 1000 < TTL_MS / 2) ? s : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const text = formatStatus(live).join('\n');
    expect(text).toMatch(new RegExp(`^  ${ns}/web in cluster-1: .*Ready=True`, 'm'));
    expect(text).toMatch(/^ {4}from cluster-1 \[amcs\]: 1 ready, 0 not ready; liveness lease \d+s old, expires in \d+s$/m);
    expect(text).toContain(`answers  web-0.amcs-web.${ns}.svc.cluster.local`);
    const stoppedAt = Date.now();
    await tb.stopCluster(c1);
    const lost = await tb.waitFor('status: cluster-1 expired, its endpoints withdrawn', async () => {
      const s = await view();
      const src = webImport(s)?.sources.find((x) => x.clusterId === c1);
      return src && src.ready === 0 && src.leaseAgeSeconds !== undefined && src.ttlSeconds !== undefined && src.leaseAgeSeconds > src.ttlSeconds ? s : undefined;
    }, { timeoutMs: TTL_MS + 40_000, intervalMs: 500 });
    process.stderr.write(`[status e2e] lost source's endpoints gone from status ${Date.now() - stoppedAt} ms after the stop (TTL ${TTL_MS} ms)\n${formatStatus(lost).join('\n')}\n`);
    expect(lost.unreachable.map((u) => u.clusterId)).toEqual([c1]);
    expect(formatStatus(lost).join('\n')).toMatch(/^ {4}from cluster-1 \[-\]: 0 ready, 0 not ready; liveness lease \d+s old: EXPIRED \(TTL 10s\), cluster-1 is lost; its endpoints are withdrawn$/m);
    expect(webImport(lost)?.dnsNames).toEqual([]);
    expect(writes() - before).toBe(0);
  }, 120_000);
});
