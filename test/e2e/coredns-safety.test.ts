/**
 * Never break a cluster's DNS, on the real test bed: cluster-2's live Corefile carries a custom
 * `hosts` entry and a stub zone, and the bed's CoreDNS runs what kube-system/coredns says (the
 * harness follows the ConfigMap). `apply` refuses a Corefile that would lose those lines and
 * applies the rest; `corefile pull` + baseCorefile keeps them; a Corefile CoreDNS cannot load is
 * rolled back automatically.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DnsMethod, HeadlessImport, MultiClusterStatefulSet } from '../../lib';
import { main as cli } from '../../lib/cli';
import { KUBEADM_DEFAULT_COREFILE } from '../../lib/corefile';
import { inventoryName, INVENTORY_NAMESPACE } from '../../lib/runner/apply/inventory';
import { CoreDnsFollower, followCoreDnsConfigMap } from '../../testbed/coredns-follow';
import { restore, sharedObjects, snapshot, Snapshot } from './support/bed-snapshot';
import { deleteNamespaceAndWait, distObjects, renderFleetDist, removeRenderedDists } from './support/fleet-run';
import * as tb from './support/testbed';

const [c1, c2] = ['cluster-1', 'cluster-2'];
const ns = tb.uniqueName('dns-safety');
const fleetNames: string[] = [];
/** The live Corefile of cluster-2 for this test: kubeadm's, plus a hosts entry and a stub zone. */
const CUSTOM_LIVE = KUBEADM_DEFAULT_COREFILE.replace('    prometheus :9153\n', '    hosts {\n       10.99.0.10 legacy-db.internal\n       fallthrough\n    }\n    prometheus :9153\n')
  + 'corp.example:53 {\n    errors\n    forward . 10.99.0.53\n}\n';
let follower: CoreDnsFollower;
const snapshots: Snapshot[] = [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dns-safety-'));

function fleetDist(baseCorefile?: string): string {
  const name = tb.uniqueName('dns-safety');
  fleetNames.push(name);
  return renderFleetDist((fleet) => {
    const a = fleet.addCluster(c1, { coreDnsVersion: '1.14.7' });
    const b = fleet.addCluster(c2, { coreDnsVersion: '1.14.7', baseCorefile });
    new MultiClusterStatefulSet(fleet, 'db', { namespace: ns, image: 'mysql:5.6', providers: [{ cluster: a, replicas: 0 }], ports: [{ name: 'tcp', port: 3306 }] });
    new HeadlessImport(fleet, 'db-import', { serviceName: 'db', namespace: ns, consumers: [b], dnsMethods: [DnsMethod.CLUSTERSET] });
  }, name);
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string; ms: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const started = Date.now();
  const code = await cli([...args, '--kubeconfig', tb.bed().kubeconfig], { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, out: out.join(''), err: err.join(''), ms: Date.now() - started };
}

const readyUrl = () => `${c2}=http://127.0.0.1:${tb.bed().cluster(c2).ports.corednsReady}/ready`;
const applyArgs = (dist: string, timeout = '30s') => ['apply', '--dist', dist, '--coredns-ready-url', readyUrl(), '--coredns-timeout', timeout];
const liveCoreDns = () => tb.client(c2).tryGet('v1', 'ConfigMap', 'coredns', 'kube-system');

async function waitForLegacyName(): Promise<void> {
  await tb.waitFor('legacy-db.internal from cluster-2\'s CoreDNS (the live hosts entry)', async () => {
    const r = await tb.dnsQuery(c2, 'legacy-db.internal');
    return r.outcome === 'NOERROR' && r.answers.includes('10.99.0.10') ? r : undefined;
  }, { timeoutMs: 30_000, intervalMs: 250 });
}

beforeAll(async () => {
  // Every dist of this file applies the same shared objects (CRDs, ClusterRoles, ClusterProperties, kube-system/coredns).
  const dist = fleetDist();
  for (const id of [c1, c2]) snapshots.push(await snapshot(id, sharedObjects(distObjects(dist, id), [ns])));
  await tb.apply(c2, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: CUSTOM_LIVE } });
  follower = followCoreDnsConfigMap(c2);
  await waitForLegacyName();
}, 120_000);

afterAll(async () => {
  await follower?.stop();
  for (const s of snapshots) await restore(s);
  await tb.restartCoreDns(c2);
  for (const id of [c1, c2]) {
    for (const name of fleetNames) await tb.client(id).delete('v1', 'ConfigMap', inventoryName(name), INVENTORY_NAMESPACE).catch(() => undefined);
  }
  await deleteNamespaceAndWait(ns);
  tb.closeClients();
}, 240_000);

// Declared after the file's other top-level afterAll, so it runs last (jest runs them in declaration order).
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
  removeRenderedDists();
});

describe('a Corefile with custom lines in the cluster', () => {
  let pulled: string;

  it('is not overwritten by apply: the CoreDNS ConfigMap is refused with the lost lines, byte for byte unchanged, and the rest applies', async () => {
    const before = await liveCoreDns();
    const r = await run(applyArgs(fleetDist()));
    process.stderr.write(`[coredns-safety] refusing apply took ${r.ms} ms\n`);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^\[cluster-2\] refused ConfigMap kube-system\/coredns: applying .*07-configmap\.kube-system\.coredns\.yaml would remove or change 8 lines of the live ConfigMap kube-system\/coredns \(data\.Corefile\) that are not part of the clusterset patch:$/m);
    for (const line of ['live line 12:     hosts {', 'live line 13:        10.99.0.10 legacy-db.internal', 'live line 28: corp.example:53 {', 'live line 30:     forward . 10.99.0.53']) {
      expect(r.out).toContain(line);
    }
    expect(r.out).toContain(`corefile pull --dist`);
    const after = await liveCoreDns();
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.data.Corefile).toBe(CUSTOM_LIVE);
    expect(await tb.client(c2).tryGet('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'db', ns)).toBeDefined();
    expect(await tb.client(c2).tryGet('rbac.authorization.k8s.io/v1', 'ClusterRole', 'cdk8s-mcs-coredns-serviceimports')).toBeDefined();
    expect(r.out).toMatch(/^\[cluster-1\] \d+ objects: /m);
    expect(r.err).toMatch(/cluster-2: ConfigMap kube-system\/coredns: applying/);
  });

  it('is written to a file by corefile pull, exactly as live', async () => {
    const r = await run(['corefile', 'pull', '--dist', fleetDist(), '--only', c2, '--out', work]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain(`[cluster-2] wrote ${path.join(work, 'cluster-2.Corefile')}: `);
    pulled = fs.readFileSync(path.join(work, 'cluster-2.Corefile'), 'utf8');
    expect(pulled).toBe(CUSTOM_LIVE);
  });

  it('survives an apply of a fleet built on the pulled Corefile, and CoreDNS serves the patched Corefile with it', async () => {
    const dist = fleetDist(pulled);
    expect((await run(['diff', '--dist', dist])).out).not.toContain('apply refuses');
    const r = await run(applyArgs(dist));
    process.stderr.write(`[coredns-safety] apply with the pulled base: ${r.ms} ms\n${r.out.split('\n').filter((l) => /CoreDNS/.test(l)).join('\n')}\n`);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect(r.out).toMatch(/^\[cluster-2\] CoreDNS serves with the new configuration after \d+\.\ds \(1 instance ready\)$/m);
    expect(r.out).toMatch(/^\[cluster-2\] updated ConfigMap kube-system\/coredns/m);
    const live = (await liveCoreDns()).data.Corefile as string;
    expect(live).toContain('10.99.0.10 legacy-db.internal');
    expect(live).toContain('forward . 10.99.0.53');
    expect(live).toContain('multicluster clusterset.local');
    await waitForLegacyName();
    // served by the patched kubernetes plugin (the bed strips forward: an unserved zone would be REFUSED or SERVFAIL)
    expect(['NXDOMAIN', 'NODATA', 'NOERROR']).toContain((await tb.dnsQuery(c2, `db.${ns}.svc.clusterset.local`)).outcome);
  });

  it('is put back automatically when a change stops CoreDNS from serving', async () => {
    const before = await liveCoreDns();
    const broken = fleetDist(pulled.replace('    errors\n', '    errors\n    no_such_plugin\n'));
    const r = await run(applyArgs(broken, '10s'));
    process.stderr.write(`[coredns-safety] apply with a Corefile CoreDNS rejects, rolled back: ${r.ms} ms\n${r.out.split('\n').filter((l) => /CoreDNS|rolled back/i.test(l)).join('\n')}\n`);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^\[cluster-2\] failed ConfigMap kube-system\/coredns: CoreDNS not serving the new configuration 1\ds after the change: http:\/\/127\.0\.0\.1:\d+\/ready: no answer: .*Rolled back automatically: ConfigMap kube-system\/coredns restored to its content before this apply \(resourceVersion \d+\)\. CoreDNS serves again \d+\.\ds after the rollback\.$/m);
    const after = await liveCoreDns();
    expect(after.data).toEqual(before.data);
    await waitForLegacyName();
  });
});
