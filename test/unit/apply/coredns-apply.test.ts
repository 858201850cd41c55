import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { CoreDnsFlavour, KUBEADM_DEFAULT_COREFILE, patchCorefile } from '../../../lib/corefile';
import { ManifestObject, manifestFileName } from '../../../lib/fleet/apply-order';
import { CoreDnsConfig } from '../../../lib/fleet/model';
import { CoreDnsInstance, CoreDnsProbe, parseReloadMetrics } from '../../../lib/runner/apply/coredns-probe';
import { applyFleet, FleetApplyOptions } from '../../../lib/runner/apply/fleet-apply';
import { formatOutcome } from '../../../lib/runner/apply/progress';
import { FakeCluster } from './fake-cluster';
import { tempDir } from '../support/temp-dir';

const HOSTS = '    hosts {\n       10.99.0.10 legacy-db.internal\n       fallthrough\n    }\n';
const customLive = KUBEADM_DEFAULT_COREFILE.replace('    prometheus :9153\n', `${HOSTS}    prometheus :9153\n`);
const patched = (base: string) => patchCorefile(base, { flavour: CoreDnsFlavour.IN_TREE, version: '1.12.2' }).corefile;
const corednsCm = (corefile: string): ManifestObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system', annotations: { 'mcs.cdk8s.io/apply-phase': 'DNS' } }, data: { Corefile: corefile } });
const settings: ManifestObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'kube-system' }, data: { mode: 'fast' } };
const coreDns = { version: '1.12.2', flavour: CoreDnsFlavour.IN_TREE, config: CoreDnsConfig.COREFILE };

function writeDist(objects: ManifestObject[]): string {
  const dist = tempDir('coredns-apply-');
  fs.mkdirSync(path.join(dist, 'c1'));
  objects.forEach((o) => fs.writeFileSync(path.join(dist, 'c1', manifestFileName(o)), stringify(o)));
  return dist;
}

/** A probe that answers from a script: each observation takes the next state (the last repeats). */
function scriptedProbe(states: CoreDnsInstance[][]): CoreDnsProbe & { calls: number } {
  const probe = { description: 'scripted CoreDNS', calls: 0, observe: async () => states[Math.min(probe.calls++, states.length - 1)] };
  return probe;
}

const pod = (o: Partial<CoreDnsInstance>): CoreDnsInstance => ({ name: 'coredns-a', uid: 'u1', ready: true, detail: 'ready', reloadHash: 'h1', reloadFailures: 0, ...o });

async function apply(cluster: FakeCluster, dist: string, o: Partial<FleetApplyOptions> = {}) {
  const lines: string[] = [];
  const reports = await applyFleet({
    dist,
    fleetName: 'f',
    clients: new Map([['c1', cluster]]),
    corefileFor: (clusterId) => ({ declaration: { clusterId, coreDns } }),
    onOutcome: (x) => lines.push(formatOutcome(x)),
    onNotice: (id, text) => lines.push(`[${id}] ${text}`),
    ...o,
  });
  return { report: reports[0], out: lines.join('\n') };
}

describe('apply guards the CoreDNS Corefile against live state', () => {
  it('refuses a Corefile that would drop live hosts lines, applies the rest, and leaves the live ConfigMap as it was', async () => {
    const c1 = new FakeCluster('c1');
    c1.seed(corednsCm(customLive) as never);
    const before = JSON.stringify(c1.find('ConfigMap', 'coredns', 'kube-system'));
    const { report, out } = await apply(c1, writeDist([settings, corednsCm(patched(KUBEADM_DEFAULT_COREFILE))]));
    expect(out).toContain('[c1] refused ConfigMap kube-system/coredns: applying');
    expect(out).toContain('live line 12:     hosts {');
    expect(out).toContain('live line 13:        10.99.0.10 legacy-db.internal');
    expect(out).toContain('corefile pull --dist');
    expect(out).toContain('--overwrite-corefile');
    expect(JSON.stringify(c1.find('ConfigMap', 'coredns', 'kube-system'))).toBe(before);
    expect(c1.find('ConfigMap', 'settings', 'kube-system')?.data).toEqual({ mode: 'fast' });
    expect(report.outcomes.find((x) => x.ref.name === 'coredns')).toMatchObject({ outcome: 'failed', refused: true });
  });

  it('with --overwrite-corefile replaces it and still lists the lines it replaced', async () => {
    const c1 = new FakeCluster('c1');
    c1.seed(corednsCm(customLive) as never);
    const { out } = await apply(c1, writeDist([corednsCm(patched(KUBEADM_DEFAULT_COREFILE))]), { corefileFor: (clusterId) => ({ declaration: { clusterId, coreDns }, overwrite: true }) });
    expect(out).toContain('--overwrite-corefile: replacing 4 lines of the live ConfigMap kube-system/coredns (data.Corefile)');
    expect(out).toContain('[c1] updated ConfigMap kube-system/coredns');
    expect(c1.find('ConfigMap', 'coredns', 'kube-system')?.data).toEqual({ Corefile: patched(KUBEADM_DEFAULT_COREFILE) });
  });

  it('applies a Corefile built on the live one and keeps the custom lines', async () => {
    const c1 = new FakeCluster('c1');
    c1.seed(corednsCm(customLive) as never);
    const { report } = await apply(c1, writeDist([corednsCm(patched(customLive))]));
    expect(report.outcomes.map((x) => x.outcome)).toEqual(['updated']);
    expect((c1.find('ConfigMap', 'coredns', 'kube-system')?.data as { Corefile: string }).Corefile).toContain('10.99.0.10 legacy-db.internal');
  });
});

describe('apply waits for CoreDNS after the change and rolls it back when CoreDNS does not serve', () => {
  const rollout = (probe: CoreDnsProbe) => () => ({ probe, timeoutMs: 300, settleMs: 0, pollMs: 10 });

  it('reports the update once every pod is ready with a new reload hash', async () => {
    const c1 = new FakeCluster('c1');
    c1.seed(corednsCm(KUBEADM_DEFAULT_COREFILE) as never);
    const probe = scriptedProbe([[pod({})], [pod({})], [pod({ reloadHash: 'h2' })]]);
    const { report, out } = await apply(c1, writeDist([corednsCm(patched(KUBEADM_DEFAULT_COREFILE))]), { rolloutFor: rollout(probe) });
    expect(report.outcomes.map((x) => x.outcome)).toEqual(['updated']);
    expect(out).toMatch(/CoreDNS serves with the new configuration after \d+\.\ds \(1 instance ready, 1 seen loading the new Corefile\)/);
    expect(out.indexOf('CoreDNS serves')).toBeLessThan(out.indexOf('updated ConfigMap kube-system/coredns'));
  });

  it('puts the previous Corefile back, says so and fails the cluster when a pod stays unready', async () => {
    const c1 = new FakeCluster('c1');
    c1.seed(corednsCm(KUBEADM_DEFAULT_COREFILE) as never);
    const probe = scriptedProbe([[pod({})], [pod({ ready: false, detail: '/ready answers 503' })]]);
    const { report, out } = await apply(c1, writeDist([corednsCm(patched(KUBEADM_DEFAULT_COREFILE))]), { rolloutFor: rollout(probe) });
    expect(report.outcomes).toEqual([expect.objectContaining({ outcome: 'failed' })]);
    expect(report.outcomes[0].reason).toMatch(/^CoreDNS not serving the new configuration 0s after the change: coredns-a: \/ready answers 503\. Rolled back automatically: ConfigMap kube-system\/coredns restored to its content before this apply/);
    expect(out).toContain('[c1] rolled back:');
    expect(c1.find('ConfigMap', 'coredns', 'kube-system')?.data).toEqual({ Corefile: KUBEADM_DEFAULT_COREFILE });
  });

  it('rolls back at once when CoreDNS counts a failed reload, without waiting for the timeout', async () => {
    const c1 = new FakeCluster('c1');
    c1.seed(corednsCm(KUBEADM_DEFAULT_COREFILE) as never);
    const probe = scriptedProbe([[pod({})], [pod({ reloadFailures: 1 })]]);
    const started = Date.now();
    const { report } = await apply(c1, writeDist([corednsCm(patched(KUBEADM_DEFAULT_COREFILE))]), { rolloutFor: () => ({ probe, timeoutMs: 60_000, settleMs: 0, pollMs: 10 }) });
    expect(report.outcomes[0].reason).toMatch(/coredns-a rejected the new Corefile and keeps running the old one \(coredns_reload_failed_total 0 -> 1/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(c1.find('ConfigMap', 'coredns', 'kube-system')?.data).toEqual({ Corefile: KUBEADM_DEFAULT_COREFILE });
  });

  it('deletes a ConfigMap it created when CoreDNS does not serve with it', async () => {
    const c1 = new FakeCluster('c1');
    const probe = scriptedProbe([[pod({ ready: false, detail: 'crashing' })]]);
    const { report } = await apply(c1, writeDist([corednsCm(patched(KUBEADM_DEFAULT_COREFILE))]), { rolloutFor: rollout(probe) });
    expect(report.outcomes[0].reason).toContain('deleted ConfigMap kube-system/coredns, which did not exist before');
    expect(c1.find('ConfigMap', 'coredns', 'kube-system')).toBeUndefined();
  });

  it('warns and keeps the change when no CoreDNS instance can be found', async () => {
    const c1 = new FakeCluster('c1');
    const { report, out } = await apply(c1, writeDist([corednsCm(patched(KUBEADM_DEFAULT_COREFILE))]), { rolloutFor: rollout(scriptedProbe([[]])) });
    expect(report.outcomes.map((x) => x.outcome)).toEqual(['created']);
    expect(out).toContain('WARNING: found no scripted CoreDNS; the rollout was not checked');
  });

  it('does not wait when only labels of the ConfigMap change', async () => {
    const c1 = new FakeCluster('c1');
    c1.seed(corednsCm(patched(KUBEADM_DEFAULT_COREFILE)) as never);
    const probe = scriptedProbe([[pod({})]]);
    await apply(c1, writeDist([corednsCm(patched(KUBEADM_DEFAULT_COREFILE))]), { rolloutFor: rollout(probe) });
    expect(probe.calls).toBe(0);
  });
});

describe('CoreDNS reload metrics', () => {
  it('reads the loaded Corefile\'s hash and the failed reload count', () => {
    const text = '# TYPE coredns_reload_version_info gauge\ncoredns_reload_version_info{hash="sha512",value="abc123"} 1\ncoredns_reload_failed_total 2\n';
    expect(parseReloadMetrics(text)).toEqual({ reloadHash: 'abc123', reloadFailures: 2 });
    expect(parseReloadMetrics('coredns_build_info{version="1.12.2"} 1\n')).toEqual({});
  });
});
