/**
 * Bad input and broken clusters: each gets a clear error naming the cluster and the fix, the other
 * clusters are still reconciled, and `sync --once` exits non-zero. No credential is ever printed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { HeadlessImport, MultiClusterStatefulSet } from '../../lib';
import { main as cli } from '../../lib/cli';
import { applyDist, distObjects, ensureRunnerNamespace, runnerKubeconfig, renderFleetDist, waitForPods, deleteNamespaceAndWait, removeRenderedDists } from './support/fleet-run';
import * as tb from './support/testbed';

const [provider, consumer] = ['cluster-1', 'cluster-2'];
const ns = tb.uniqueName('bad');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-bad-'));
let dist: string;

async function once(args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await cli(['sync', '--once', '--dist', dist, '--sync-timeout', '5s', ...args], { stdout: (t) => out.push(t), stderr: (t) => out.push(t) });
  return { code, out: out.join('') };
}

/** A copy of the bed's kubeconfig, edited. */
function kubeconfigWith(edit: (kc: any) => void): string {
  const kc = YAML.parse(fs.readFileSync(runnerKubeconfig(), 'utf8'));
  edit(kc);
  const file = path.join(tmp, `kubeconfig-${Math.random().toString(16).slice(2)}`);
  fs.writeFileSync(file, YAML.stringify(kc));
  return file;
}

const secrets = () => tb.bed().clusterIds.map((id) => tb.bed().cluster(id).adminToken);
/** Removes the export's conditions, so a test can see that a pass wrote them again. */
const clearExportStatus = () =>
  tb.client(provider).request('PATCH', `/apis/multicluster.x-k8s.io/v1alpha1/namespaces/${ns}/serviceexports/kv/status`, { status: { conditions: null } }, 'application/merge-patch+json');
const exportConditionTypes = async () =>
  ((await tb.client(provider).get('multicluster.x-k8s.io/v1alpha1', 'ServiceExport', 'kv', ns)).status?.conditions ?? []).map((c: { type: string }) => c.type).sort();

const slicesIn = (cluster: string) => tb.client(cluster).list('discovery.k8s.io/v1', 'EndpointSlice', ns, 'multicluster.kubernetes.io/service-name=kv');

beforeAll(async () => {
  dist = renderFleetDist((fleet) => {
    const a = fleet.addCluster(provider);
    const b = fleet.addCluster(consumer, { coreDnsVersion: '1.14.7' });
    new MultiClusterStatefulSet(fleet, 'kv', { namespace: ns, image: 'redis:7', providers: [{ cluster: a, replicas: 1 }], ports: [{ name: 'redis', port: 6379 }] });
    new HeadlessImport(fleet, 'kv-import', { serviceName: 'kv', namespace: ns, consumers: [b] });
  }, 'bad');
  await ensureRunnerNamespace([provider, consumer]);
  await applyDist(dist, provider);
  await applyDist(dist, consumer);
  await waitForPods(provider, ns, 'kv', ['kv-0']);
});

afterAll(async () => {
  await deleteNamespaceAndWait(ns);
  tb.closeClients();
});

// Declared after the file's other top-level afterAll, so it runs last (jest runs them in declaration order).
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  removeRenderedDists();
});

describe('sync --once with bad input', () => {
  it('refuses a malformed kubeconfig without echoing its content', async () => {
    const file = path.join(tmp, 'broken');
    fs.writeFileSync(file, `apiVersion: v1\nusers: [{name: x, user: {token: ${secrets()[0]}}}\ncontexts: [[[\n`);
    const r = await once(['--kubeconfig', file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`kubeconfig "${file}" cannot be read`);
    for (const s of secrets()) {
      expect(r.out).not.toContain(s);
    }
  });

  it('names an unknown context and the flag that fixes it', async () => {
    const r = await once(['--kubeconfig', runnerKubeconfig(), '--context-map', `${consumer}=no-such-context`]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`cluster "${consumer}": kubeconfig has no context "no-such-context"`);
    expect(r.out).toContain(`--context-map ${consumer}=<context>`);
  });

  it('reports an unreachable cluster and still reconciles the others', async () => {
    const file = kubeconfigWith((kc) => {
      kc.clusters.find((c: any) => c.name === consumer).cluster.server = 'https://127.0.0.1:1';
    });
    await clearExportStatus();
    const r = await once(['--kubeconfig', file]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`cluster "${consumer}": unreachable: .*cannot reach 127\\.0\\.0\\.1:1`));
    expect(await exportConditionTypes()).toEqual(['Conflict', 'Ready', 'Valid']);
    for (const s of secrets()) {
      expect(r.out).not.toContain(s);
    }
  });

  it('reports RBAC refusals per cluster, and reconciles the cluster that works', async () => {
    // a real ServiceAccount with no permissions at all, for the consumer
    await tb.apply(consumer, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'nobody', namespace: ns } });
    const token = await tb.client(consumer).createToken(ns, 'nobody', 600);
    const file = kubeconfigWith((kc) => {
      kc.users.push({ name: 'nobody', user: { token } });
      kc.contexts.find((c: any) => c.name === consumer).context.user = 'nobody';
    });
    await clearExportStatus();
    const r = await once(['--kubeconfig', file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`cluster "${consumer}": forbidden to list/watch`);
    expect(r.out).toContain('SyncRunner RBAC');
    expect(r.out).not.toContain(token);
    // cluster-1 was reconciled all the same: its export carries conditions again
    expect(await exportConditionTypes()).toEqual(['Conflict', 'Ready', 'Valid']);
  });

  it('says which cluster lacks the MCS CRDs and how to fix it', async () => {
    const crd = distObjects(dist, consumer).find((o) => o.kind === 'CustomResourceDefinition' && o.metadata.name === 'serviceexports.multicluster.x-k8s.io')!;
    await tb.client(consumer).delete('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'serviceexports.multicluster.x-k8s.io');
    try {
      await tb.waitFor('CRD gone', async () => !(await tb.client(consumer).tryGet('apiextensions.k8s.io/v1', 'CustomResourceDefinition', crd.metadata.name)));
      const r = await once(['--kubeconfig', runnerKubeconfig()]);
      expect(r.code).toBe(1);
      expect(r.out).toContain(`cluster "${consumer}": the Multi-Cluster Services CRDs are not installed (serviceexports not found); apply dist/${consumer}`);
    } finally {
      await tb.apply(consumer, crd);
      await tb.waitFor('CRD back', async () => (await tb.client(consumer).tryGet('apiextensions.k8s.io/v1', 'CustomResourceDefinition', crd.metadata.name))?.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True'));
    }
  });

  it('exits 0 and reconciles everything once the fleet is healthy', async () => {
    const r = await once(['--kubeconfig', runnerKubeconfig()]);
    expect(r).toEqual({ code: 0, out: expect.stringMatching(/0 errors/) });
    expect(await slicesIn(consumer)).toHaveLength(1);
  });
});
