/**
 * Faults the runner must survive with the final state exactly right: killed mid-sync, API servers
 * and etcd restarted under it, a watch expiring (410 Gone), and derived objects edited by hand.
 * Each test measures the recovery time it asserts a bound on (RELIABILITY.md quotes them).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { HeadlessImport, MultiClusterStatefulSet, PodManagementPolicy } from '../../lib';
import { applyDist, deleteNamespaceAndWait, ensureRunnerNamespace, eventually, REPO, renderFleetDist, runnerClients, runnerKubeconfig, removeRenderedDists } from './support/fleet-run';
import * as tb from './support/testbed';

const [provider, consumer] = ['cluster-1', 'cluster-2'];
const ns = tb.uniqueName('faults');
const SERVICES = Array.from({ length: 40 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
const MANAGED = 'endpointslice.kubernetes.io/managed-by=cdk8s-mcs';
let dist: string;
let runner: ChildProcess | undefined;
const metricsPort = 28091;

/** The runner as the SyncRunner Deployment runs it: a stable identity (the pod name), so a restart takes its Lease back at once. */
function startRunner(extra: string[] = []): ChildProcess {
  const proc = spawn(path.join(REPO, 'bin', 'cdk8s-mcs'), ['sync', '--dist', dist, '--kubeconfig', runnerKubeconfig(), '--metrics-port', String(metricsPort), '--endpoint-ttl', '10m', '--log-level', process.env.E2E_LOG ?? 'warn', '--leader-election-cluster', consumer, '--identity', 'faults-runner', ...extra], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  runner = proc;
  return proc;
}

function killRunner(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  const proc = runner;
  runner = undefined;
  if (!proc || proc.exitCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}

async function metrics(): Promise<string> {
  try {
    return await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  } catch {
    return '';
  }
}

type Endpoints = Record<string, string[]>;

/** What the consumer must hold: per service and DNS method, exactly the provider's running pods. */
async function expected(): Promise<Endpoints> {
  const pods = await tb.client(provider).list<any>('v1', 'Pod', ns);
  const want: Endpoints = {};
  for (const svc of SERVICES) {
    const eps = pods
      .filter((p) => p.metadata.labels?.app === svc && p.status?.podIP && p.status.phase === 'Running' && !p.metadata.deletionTimestamp)
      .map((p) => `${p.metadata.name}=${p.status.podIP}`)
      .sort();
    if (eps.length > 0) {
      want[`${svc}/clusterset`] = eps;
      want[`${svc}/amcs`] = eps;
    }
  }
  return want;
}

/** What the consumer holds; a slice counted twice, or a slice of no service, shows up as its own key. */
async function actual(): Promise<Endpoints> {
  const slices = await tb.client(consumer).list<any>('discovery.k8s.io/v1', 'EndpointSlice', ns, MANAGED);
  const got: Endpoints = {};
  for (const s of slices) {
    const key = `${s.metadata.labels['mcs.cdk8s.io/import-of']}/${s.metadata.labels['mcs.cdk8s.io/dns-method']}`;
    const eps = (s.endpoints ?? []).map((e: any) => `${e.hostname}=${e.addresses[0]}`).sort();
    got[got[key] ? `${key}#duplicate:${s.metadata.name}` : key] = eps;
  }
  return got;
}

/** Waits until the consumer holds exactly what it must; returns how long that took. */
async function converged(timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  let last: unknown;
  try {
    await tb.waitFor('the consumer holds exactly the provider\'s endpoints', async () => {
      const [want, got] = await Promise.all([expected(), actual()]);
      last = { want: Object.keys(want).length, got: Object.keys(got).length, missing: Object.keys(want).filter((k) => JSON.stringify(want[k]) !== JSON.stringify(got[k])).slice(0, 3), extra: Object.keys(got).filter((k) => !want[k]).slice(0, 3) };
      const sorted = (e: Endpoints) => JSON.stringify(Object.entries(e).sort(([a], [b]) => (a < b ? -1 : 1)));
      return sorted(want) === sorted(got) || undefined;
    }, { timeoutMs, intervalMs: 200 });
  } catch (e) {
    throw new Error(`${(e as Error).message}; last difference: ${JSON.stringify(last)}`);
  }
  return Date.now() - started;
}

const scale = (svc: string, replicas: number) =>
  tb.client(provider).request('PATCH', `/apis/apps/v1/namespaces/${ns}/statefulsets/${svc}/scale`, { spec: { replicas } }, 'application/merge-patch+json');

/** Compacts the cluster's etcd up to its current revision (etcd's JSON gateway), as the API server does every 5 minutes. */
async function compactEtcd(clusterId: string): Promise<void> {
  const rv = (await tb.client(clusterId).request<any>('GET', '/api/v1/namespaces?limit=1')).metadata.resourceVersion;
  const res = await fetch(`http://127.0.0.1:${tb.bed().cluster(clusterId).ports.etcd}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: rv, physical: true }) });
  expect(res.status).toBe(200);
}

function report(what: string, ms: number): void {
  process.stderr.write(`[faults] ${what}: ${ms} ms\n`);
}

beforeAll(async () => {
  dist = renderFleetDist((fleet) => {
    const a = fleet.addCluster(provider);
    const b = fleet.addCluster(consumer, { coreDnsVersion: '1.14.7' });
    for (const svc of SERVICES) {
      new MultiClusterStatefulSet(fleet, svc, { namespace: ns, image: 'redis:7', providers: [{ cluster: a, replicas: 2 }], ports: [{ name: 'redis', port: 6379 }], podManagementPolicy: PodManagementPolicy.PARALLEL });
      new HeadlessImport(fleet, `${svc}-import`, { serviceName: svc, namespace: ns, consumers: [b] });
    }
  }, 'faults');
  await ensureRunnerNamespace([provider, consumer]);
  await applyDist(dist, provider);
  await applyDist(dist, consumer);
  await eventually(`${SERVICES.length * 2} pods running`, async () => {
    const pods = await tb.client(provider).list<any>('v1', 'Pod', ns);
    return pods.filter((p) => p.status?.phase === 'Running' && p.status.podIP).length === SERVICES.length * 2;
  }, 180_000);
}, 300_000);

afterAll(async () => {
  await killRunner();
  await deleteNamespaceAndWait(ns);
  tb.closeClients();
});

// Declared after the file's other top-level afterAll, so it runs last (jest runs them in declaration order).
afterAll(() => removeRenderedDists());

describe('faults', () => {
  it('converges with no orphaned or duplicate slices after being killed -9 in the middle of a large sync', async () => {
    startRunner();
    const total = SERVICES.length * 2;
    let atKill = 0;
    await tb.waitFor('the first slices written', async () => {
      atKill = Object.keys(await actual()).length;
      return atKill >= 10 || undefined;
    }, { timeoutMs: 60_000, intervalMs: 20 });
    await killRunner('SIGKILL');
    report(`killed with ${atKill}/${total} service slices written`, 0);
    expect(atKill).toBeLessThan(total);
    startRunner();
    report('converged after restart', await converged());
  });

  it('misses nothing while the consumer\'s API server restarts', async () => {
    await tb.stopComponent(consumer, 'kube-apiserver');
    await scale('svc-00', 1);
    const started = Date.now();
    await tb.startComponent(consumer, 'kube-apiserver');
    report('consumer API server restarted in', Date.now() - started);
    report('converged after the consumer API server came back', await converged());
  });

  it('misses nothing while the provider\'s API server restarts', async () => {
    await tb.restartComponent(provider, 'kube-apiserver');
    const changed = Date.now();
    await scale('svc-01', 1);
    await converged();
    report('a change right after the provider API server restart propagated in', Date.now() - changed);
  });

  it('misses nothing while etcd restarts under the provider\'s API server', async () => {
    await tb.restartComponent(provider, 'etcd');
    const changed = Date.now();
    await scale('svc-02', 1);
    await converged();
    report('a change right after the provider etcd restart propagated in', Date.now() - changed);
  });

  it('relists after a watch expires (410 Gone) and repairs every change it missed', async () => {
    await killRunner();
    startRunner(['--watch-timeout', '2s']);
    await converged();
    await eventually('runner serving metrics', async () => (await metrics()).includes('cdk8s_mcs_informer_lists_total'));
    const gone = async () => (await metrics()).split('\n').filter((l) => l.startsWith(`cdk8s_mcs_informer_lists_total{cluster="${provider}"`) && l.includes('reason="gone"')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    const goneBefore = await gone();
    runner!.kill('SIGSTOP');
    try {
      await new Promise((r) => setTimeout(r, 4_000)); // every watch of the frozen runner ends server-side first
      await scale('svc-03', 1); // so no open watch carries these changes to it
      await scale('svc-04', 1);
      await compactEtcd(provider); // the history the runner's resourceVersion points into is gone
      await tb.restartComponent(provider, 'kube-apiserver'); // and no watch cache remembers it either
      // A restarted API server answers 403 until its RBAC cache is filled; let that pass, so what the
      // runner meets on resuming is the expired watch and not a transient refusal.
      const asRunner = runnerClients([provider]).get(provider)!;
      await tb.waitFor('the runner identity authorized again', () => asRunner.list('/api/v1/pods', { limit: '1' }).then(() => true, () => undefined), { timeoutMs: 60_000, intervalMs: 250 });
      asRunner.close();
    } finally {
      runner!.kill('SIGCONT');
    }
    const resumed = Date.now();
    await converged();
    report('missed changes repaired after the watch expired', Date.now() - resumed);
    expect(await gone()).toBeGreaterThan(goneBefore);
  });

  it('repairs a derived slice edited or deleted by hand, and removes a slice that only claims to be ours', async () => {
    const [slice] = await tb.client(consumer).list<any>('discovery.k8s.io/v1', 'EndpointSlice', ns, `${MANAGED},mcs.cdk8s.io/import-of=svc-05,mcs.cdk8s.io/dns-method=clusterset`);
    let t = Date.now();
    await tb.client(consumer).request('PATCH', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices/${slice.metadata.name}`, [{ op: 'replace', path: '/endpoints/0/addresses/0', value: '192.0.2.66' }], 'application/json-patch+json');
    report('hand-edited slice repaired in', (await converged(), Date.now() - t));

    t = Date.now();
    await tb.client(consumer).delete('discovery.k8s.io/v1', 'EndpointSlice', slice.metadata.name, ns);
    report('hand-deleted slice recreated in', (await converged(), Date.now() - t));

    t = Date.now();
    await tb.apply(consumer, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'impostor', namespace: ns, labels: { 'endpointslice.kubernetes.io/managed-by': 'cdk8s-mcs', 'multicluster.kubernetes.io/service-name': 'svc-05', 'multicluster.kubernetes.io/source-cluster': provider } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['192.0.2.99'], hostname: 'svc-05-0' }],
    });
    await tb.waitFor('impostor removed', async () => !(await tb.client(consumer).tryGet('discovery.k8s.io/v1', 'EndpointSlice', 'impostor', ns)), { timeoutMs: 30_000, intervalMs: 100 });
    report('slice claiming to be ours removed in', Date.now() - t);
    await converged();
  });
});
