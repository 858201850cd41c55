/**
 * The `cdk8s-mcs sync` command as a real process: health, readiness and metrics endpoints, and
 * two replicas under leader election, where only the leader writes and a standby takes over
 * when the leader is killed.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HeadlessImport, MultiClusterStatefulSet } from '../../lib';
import { applyDist, ensureRunnerNamespace, runnerKubeconfig, eventually, REPO, renderFleetDist, waitForPods, deleteNamespaceAndWait, removeRenderedDists } from './support/fleet-run';
import * as tb from './support/testbed';

const [provider, consumer] = ['cluster-1', 'cluster-2'];
const ns = tb.uniqueName('cli');
let dist: string;
const replicas: { proc: ChildProcess; port: number; log: string[] }[] = [];

function startReplica(port: number, identityHint: string) {
  const log: string[] = [];
  const proc = spawn(path.join(REPO, 'bin', 'cdk8s-mcs'), ['sync', '--dist', dist, '--kubeconfig', runnerKubeconfig(), '--metrics-port', String(port), '--leader-election-cluster', consumer, '--log-level', 'info'], {
    env: { ...process.env, HOSTNAME: identityHint },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => log.push(String(d)));
  proc.stderr!.on('data', (d) => log.push(String(d)));
  const r = { proc, port, log };
  replicas.push(r);
  return r;
}

async function get(port: number, p: string): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${p}`);
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

const metric = (body: string, name: string) => body.split('\n').filter((l) => l.startsWith(name)).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);

beforeAll(async () => {
  dist = renderFleetDist((fleet) => {
    const a = fleet.addCluster(provider);
    const b = fleet.addCluster(consumer, { coreDnsVersion: '1.14.7' });
    new MultiClusterStatefulSet(fleet, 'kv', { namespace: ns, image: 'redis:7', providers: [{ cluster: a, replicas: 1 }], ports: [{ name: 'redis', port: 6379 }], podManagementPolicy: undefined });
    new HeadlessImport(fleet, 'kv-import', { serviceName: 'kv', namespace: ns, consumers: [b] });
  }, 'cli');
  await ensureRunnerNamespace([provider, consumer]);
  await applyDist(dist, provider);
  await applyDist(dist, consumer);
});

afterAll(async () => {
  for (const r of replicas) {
    r.proc.kill('SIGKILL');
  }
  await deleteNamespaceAndWait(ns);
  tb.closeClients();
});

// Declared after the file's other top-level afterAll, so it runs last (jest runs them in declaration order).
afterAll(() => removeRenderedDists());

describe('cdk8s-mcs sync as a process', () => {
  it('answers /healthz at once, /readyz after the first full sync, and serves Prometheus metrics', async () => {
    const a = startReplica(28081, 'replica-a');
    await eventually('healthz', async () => (await get(a.port, '/healthz')).status === 200, 60_000);
    await eventually('readyz', async () => (await get(a.port, '/readyz')).status === 200, 60_000);
    const ips = await waitForPods(provider, ns, 'kv', ['kv-0']);
    await tb.waitForDns(consumer, `kv-0.amcs-kv.${ns}.svc.cluster.local`, [ips['kv-0']]);
    await eventually('leader', async () => (await get(a.port, '/metrics')).body.includes('cdk8s_mcs_leader 1'), 30_000);
    const { body } = await get(a.port, '/metrics');
    for (const name of ['cdk8s_mcs_sync_latency_seconds_bucket', 'cdk8s_mcs_writes_total', 'cdk8s_mcs_cluster_reachable{cluster="cluster-1"} 1', 'cdk8s_mcs_source_state']) {
      expect(body).toContain(name);
    }
    expect(metric(body, 'cdk8s_mcs_writes_total')).toBeGreaterThan(0);
  });

  it('lets only the leader write, and hands over to the standby within the lease when the leader is killed', async () => {
    const [a] = replicas;
    const b = startReplica(28082, 'replica-b');
    await eventually('standby healthy', async () => (await get(b.port, '/healthz')).status === 200, 60_000);
    await eventually('standby synced its caches', async () => (await get(b.port, '/metrics')).body.includes('cdk8s_mcs_leader 0'), 60_000);
    // a change while both run: only the leader writes it
    await tb.client(provider).request('PATCH', `/apis/apps/v1/namespaces/${ns}/statefulsets/kv/scale`, { spec: { replicas: 2 } }, 'application/merge-patch+json');
    const ips = await waitForPods(provider, ns, 'kv', ['kv-0', 'kv-1']);
    await tb.waitForDns(consumer, `kv-1.amcs-kv.${ns}.svc.cluster.local`, [ips['kv-1']]);
    expect(metric((await get(b.port, '/metrics')).body, 'cdk8s_mcs_writes_total')).toBe(0);

    a.proc.kill('SIGKILL');
    const killedAt = Date.now();
    await eventually('standby leads', async () => (await get(b.port, '/metrics')).body.includes('cdk8s_mcs_leader 1'), 60_000);
    const takeover = Date.now() - killedAt;
    process.stderr.write(`standby took over ${takeover} ms after the leader was killed\n`);
    expect(takeover).toBeLessThan(20_000);
    await tb.client(provider).request('PATCH', `/apis/apps/v1/namespaces/${ns}/statefulsets/kv/scale`, { spec: { replicas: 1 } }, 'application/merge-patch+json');
    await eventually('kv-1 gone', async () => (await tb.dnsQuery(consumer, `kv-1.amcs-kv.${ns}.svc.cluster.local`)).outcome === 'NXDOMAIN', 60_000);
    expect(metric((await get(b.port, '/metrics')).body, 'cdk8s_mcs_writes_total')).toBeGreaterThan(0);
  });

  it('never writes a credential to its logs', () => {
    const tokens = [...fs.readFileSync(runnerKubeconfig(), 'utf8').matchAll(/token: (\S+)/g)].map((m) => m[1]);
    expect(tokens.length).toBeGreaterThan(0);
    const logs = replicas.map((r) => r.log.join('')).join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const token of tokens) {
      expect(logs).not.toContain(token);
    }
  });
});
