/**
 * Argo CD for real: argocd-application-controller and argocd-repo-server v3.5.8 (the optional
 * test-bed component `argocd`) and Debian's Redis run as processes against cluster-1 of a private
 * two-cluster bed (the hub), and sync the Applications a fleet synthesized with GitOps.ARGOCD
 * emits, from a Git server on 127.0.0.1, into both clusters (cluster Secrets named by cluster ID).
 *
 * The component is built with the bed (`npm run testbed -- build`, `.ci/run`, and npm test's global
 * setup when the cache lacks it; 3 min 10 s after the bed). Where it did not build, or Redis is
 * missing, this file fails with the reason; CDK8S_MCS_SKIP_ARGOCD=1 skips it instead.
 *
 * Its own bed: clusters from 23000 (ARGOCD_BED_PORT_BASE), Argo CD 23900-23903, Git on 23910.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { DnsMethod, Fleet, GitOps, HeadlessImport, MultiClusterStatefulSet } from '../../lib';
import { clientForContext, loadKubeConfig } from '../../lib/kube/connect';
import { createLogger } from '../../lib/runner/observe/log';
import { SyncController } from '../../lib/runner/sync/controller';
import { applicationState, ArgoCd, argoCdPorts, argoCdUnavailable, ARGOCD_NAMESPACE, requestRefresh, startArgoCd } from '../../testbed/argocd';
import { createRepo, GitRepo, GitServer, startGitServer } from '../../testbed/git-server';
import { adminClient } from '../../testbed/harness';
import { readState } from '../../testbed/state';
import { KubeClient, KubeObject, waitFor } from '../../testbed/kube';
import { PrivateBed, startPrivateBed } from './support/private-bed';
import { RUNNER_WRITES, runnerWritesPresent, writeLikeTheRunner } from './support/runner-writes';
import './support/testbed';

const unavailable = argoCdUnavailable();
/** Skipping is asked for, never assumed: a bed whose Argo CD did not build fails this file with the reason. */
const skipAsked = process.env.CDK8S_MCS_SKIP_ARGOCD === '1';
const describeArgo = unavailable && skipAsked ? describe.skip : describe;
if (unavailable && skipAsked) process.stderr.write(`[argocd e2e] skipped (CDK8S_MCS_SKIP_ARGOCD=1): ${unavailable}\n`);

const CLUSTERS = ['cluster-1', 'cluster-2'];
const HUB = 'cluster-1';
const NS = 'provider-ns';
const PORT_BASE = Number(process.env.ARGOCD_BED_PORT_BASE || 23000);
const APPS = CLUSTERS.map((id) => `reference-${id}`);
const WAVE = 'argocd.argoproj.io/sync-wave';

let bed: PrivateBed | undefined;
let git: GitServer | undefined;
let repo: GitRepo;
let argo: ArgoCd | undefined;
let runner: SyncController | undefined;
let gitUrl: string;
const clients = new Map<string, KubeClient>();
const kube = (id: string) => clients.get(id) as KubeClient;
const log = (l: string) => process.stderr.write(`[argocd e2e] ${l}\n`);

/** The reference fleet with GitOps.ARGOCD, its Applications pointing at the bed's Git server. */
function synth(o: { replicas?: number; withImport?: boolean } = {}): string {
  const outdir = fs.mkdtempSync(path.join(bed!.work, 'dist-'));
  const fleet = new Fleet({ name: 'reference', gitops: GitOps.ARGOCD, gitRepoUrl: gitUrl, outdir });
  const c1 = fleet.addCluster('cluster-1', { storageClass: 'standard', coreDnsVersion: '1.12.2' });
  const c2 = fleet.addCluster('cluster-2', { storageClass: 'standard', coreDnsVersion: '1.12.2' });
  new MultiClusterStatefulSet(fleet, 'mysql', {
    namespace: NS,
    image: 'mysql:5.6',
    providers: [{ cluster: c1, replicas: o.replicas ?? 2 }],
    ports: [{ name: 'tcp', port: 3306 }],
    volumeClaims: [{ name: 'data', mountPath: '/var/lib/mysql', size: '1Gi' }],
  });
  if (o.withImport ?? true) new HeadlessImport(fleet, 'mysql-import', { serviceName: 'mysql', namespace: NS, consumers: [c2], dnsMethods: [DnsMethod.AMCS, DnsMethod.CLUSTERSET] });
  fleet.synth();
  return outdir;
}

interface WaveObject {
  cluster: string;
  wave: number;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Every object of each cluster folder with its sync wave. */
function waveObjects(dist: string): WaveObject[] {
  return CLUSTERS.flatMap((cluster) => fs.readdirSync(path.join(dist, cluster)).filter((f) => f.endsWith('.yaml')).sort().map((f) => {
    const o = YAML.parse(fs.readFileSync(path.join(dist, cluster, f), 'utf8'));
    return { cluster, wave: Number(o.metadata.annotations[WAVE]), apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace };
  }));
}

const key = (o: WaveObject) => `${o.cluster}:${o.kind}/${o.namespace ? o.namespace + '/' : ''}${o.name}`;

/** Asks for a refresh, then waits until every Application is Synced and Healthy at `revision`. */
async function waitAllSynced(revision: string, timeoutMs = 240_000): Promise<void> {
  for (const app of APPS) await requestRefresh(kube(HUB), app);
  try {
    await waitFor(`every Application Synced and Healthy at ${revision.slice(0, 8)}`, async () => {
      for (const app of APPS) {
        const s = await applicationState(kube(HUB), app);
        if (s?.sync !== 'Synced' || s.health !== 'Healthy' || s.revision !== revision || s.operation === 'Running') return false;
      }
      return true;
    }, { timeoutMs, intervalMs: 1000 });
  } catch (e) {
    const states = await Promise.all(APPS.map(async (a) => `${a}: ${JSON.stringify(await applicationState(kube(HUB), a))}`));
    throw new Error(`${(e as Error).message}\n${states.join('\n')}`);
  }
}

beforeAll(async () => {
  if (unavailable) {
    if (skipAsked) return;
    throw new Error(`Argo CD cannot run on this bed: ${unavailable.trim()}. Build it with \`npm run testbed -- build --retry-optional\` (and apt-get install -y redis-server), or set CDK8S_MCS_SKIP_ARGOCD=1 to skip this file`);
  }
  bed = await startPrivateBed({ prefix: 'mcs-argocd-', portBase: PORT_BASE, clusters: CLUSTERS, log });
  for (const id of CLUSTERS) clients.set(id, adminClient(id));
  // what stays out of Git: the provider's StorageClass
  await kube('cluster-1').apply({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard' }, provisioner: 'kwok.x-k8s.io/volume', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' } as never, { fieldManager: 'e2e' });
  git = await startGitServer(path.join(bed.work, 'git'), PORT_BASE + 910);
  gitUrl = `${git.url}/fleet.git`;
  repo = createRepo(path.join(bed.work, 'git'), 'fleet');
  argo = await startArgoCd({ hub: HUB, dir: path.join(bed.work, 'argocd'), ports: argoCdPorts(PORT_BASE + 900), log });
  // the hub's client after Argo CD's CRDs exist (discovery)
  kube(HUB).close();
  clients.set(HUB, adminClient(HUB));
}, 300_000);

afterAll(async () => {
  await runner?.stop();
  await argo?.stop();
  await git?.close();
  for (const c of clients.values()) c.close();
  await bed?.stop();
}, 120_000);

describeArgo('Argo CD syncs the synthesized fleet from Git into both clusters', () => {
  it('applies wave by wave: no object of a wave exists before every object of the earlier waves, then both Applications read Synced and Healthy', async () => {
    const dist = synth();
    const objects = waveObjects(dist);
    // objects the bed already had (its own CRDs, namespaces) prove nothing about order
    const existing = new Set<string>();
    for (const o of objects) if (await kube(o.cluster).tryGet(o.apiVersion, o.kind, o.name, o.namespace)) existing.add(key(o));
    const first = repo.commitTree('dist', dist, 'fleet: reference, 2 replicas');
    const apps = fs.readdirSync(path.join(dist, 'argocd')).map((f) => YAML.parse(fs.readFileSync(path.join(dist, 'argocd', f), 'utf8')) as KubeObject);
    await kube(HUB).apply(apps, { fieldManager: 'e2e' });

    const violations = new Set<string>();
    const t0 = Date.now();
    const seenAt = new Map<string, number>();
    await waitFor('every object of the first commit applied', async () => {
      const present = new Map<string, boolean>();
      for (const o of objects) present.set(key(o), existing.has(key(o)) || !!(await kube(o.cluster).tryGet(o.apiVersion, o.kind, o.name, o.namespace)));
      for (const o of objects.filter((x) => present.get(key(x)) && !existing.has(key(x)))) {
        if (!seenAt.has(key(o))) seenAt.set(key(o), Date.now() - t0);
        for (const earlier of objects.filter((x) => x.cluster === o.cluster && x.wave < o.wave && !present.get(key(x)))) {
          violations.add(`${key(o)} (wave ${o.wave}) exists while ${key(earlier)} (wave ${earlier.wave}) does not`);
        }
      }
      return [...present.values()].every(Boolean);
    }, { timeoutMs: 240_000, intervalMs: 250 });
    await waitAllSynced(first);
    const byWave = (cluster: string) => [...new Set(objects.filter((o) => o.cluster === cluster).map((o) => o.wave))].sort((a, b) => a - b)
      .map((w) => `${w}@${Math.max(...objects.filter((o) => o.cluster === cluster && o.wave === w).map((o) => seenAt.get(key(o)) ?? 0))}ms`);
    log(`first commit ${first.slice(0, 8)}: last object of each wave seen after (ms) cluster-1 ${byWave('cluster-1').join(' ')}; cluster-2 ${byWave('cluster-2').join(' ')}; Synced and Healthy after ${Date.now() - t0} ms`);
    expect([...violations]).toEqual([]);
    // cluster-2's objects came through its cluster Secret, tracked by Argo CD
    const imp = await kube('cluster-2').get('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'mysql', NS);
    expect(imp.metadata.annotations['argocd.argoproj.io/tracking-id']).toBe(`reference-cluster-2:multicluster.x-k8s.io/ServiceImport:${NS}/mysql`);
    const sts = await kube('cluster-1').get('apps/v1', 'StatefulSet', 'mysql', NS);
    expect(sts.status.readyReplicas).toBe(2);
  }, 300_000);

  it('keeps the runner\'s status and objects, prunes what left Git, and never what it must keep', async () => {
    const c2 = kube('cluster-2');
    await writeLikeTheRunner(c2, NS, 'mysql');
    const second = repo.commitTree('dist', synth({ replicas: 3 }), 'fleet: 3 replicas');
    await waitAllSynced(second);
    // ignoreDifferences + RespectIgnoreDifferences: the sync did not take the status the runner wrote
    expect((await c2.get('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'mysql', NS)).status).toEqual(RUNNER_WRITES.status);
    const pvcs = async () => (await kube('cluster-1').list('v1', 'PersistentVolumeClaim', NS)).map((p: { metadata: { name: string } }) => p.metadata.name).sort();
    await waitFor('3 PVCs', async () => (await pvcs()).length === 3, { timeoutMs: 60_000 });

    // the import removed: Argo CD prunes its Service and ServiceImport in cluster-2, and the
    // Application still reads Synced with the objects it never prunes left in the cluster (IgnoreExtraneous)
    const third = repo.commitTree('dist', synth({ replicas: 3, withImport: false }), 'fleet: import removed');
    await waitAllSynced(third);
    await waitFor('the import pruned from cluster-2', async () => !(await c2.tryGet('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'mysql', NS)) && !(await c2.tryGet('v1', 'Service', 'amcs-mysql', NS)), { timeoutMs: 60_000 });
    expect(await runnerWritesPresent(c2, NS)).toEqual({ slice: true, derivedImport: true });
    expect(await pvcs()).toEqual(['data-mysql-0', 'data-mysql-1', 'data-mysql-2']);
    expect(await c2.tryGet('v1', 'Namespace', NS)).toBeTruthy();
    expect((await c2.get('v1', 'ConfigMap', 'coredns', 'kube-system')).data.Corefile).toContain('multicluster clusterset.local');
    for (const kind of ['ClusterRole', 'ClusterRoleBinding']) {
      expect(await c2.tryGet('rbac.authorization.k8s.io/v1', kind, 'cdk8s-mcs-coredns-serviceimports')).toBeTruthy();
    }
    const app = await kube(HUB).get('argoproj.io/v1alpha1', 'Application', 'reference-cluster-2', ARGOCD_NAMESPACE);
    const extraneous = (app.status.resources as { kind: string; name: string; status: string; requiresPruning?: boolean }[]).filter((r) => r.requiresPruning).map((r) => `${r.kind}/${r.name}`).sort();
    log(`after the import's removal, kept in cluster-2 and ignored by the sync status: ${extraneous.join(', ')}`);
    expect(extraneous).toEqual(['ClusterRole/cdk8s-mcs-coredns-serviceimports', 'ClusterRoleBinding/cdk8s-mcs-coredns-serviceimports', 'ConfigMap/coredns', 'Namespace/provider-ns']);
  }, 300_000);

  it('hands the ServiceImport the runner derived to Argo CD once Git declares it again, and never deletes it after', async () => {
    const SI = 'multicluster.x-k8s.io/v1alpha1';
    const c2 = kube('cluster-2');
    const mysqlImport = () => c2.tryGet(SI, 'ServiceImport', 'mysql', NS);
    // The real runner (admin clients: its RBAC is not the point here) against both clusters.
    for (const id of CLUSTERS) await kube(id).apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cdk8s-mcs-system' } } as never, { fieldManager: 'e2e' });
    const kc = loadKubeConfig(readState()!.kubeconfig);
    runner = new SyncController({ clients: new Map(CLUSTERS.map((id) => [id, clientForContext(kc, id, id)])), probeIntervalMs: 500, log: createLogger('warn') });
    runner.start();
    // Git has no import now (the last commit removed it); provider-ns exists in cluster-2, so the runner derives one.
    await waitFor('the runner derived ServiceImport mysql in cluster-2', async () => (await mysqlImport())?.metadata.labels?.['mcs.cdk8s.io/derived-by'] === 'cdk8s-mcs', { timeoutMs: 60_000 });
    // Git declares it again: Argo CD's server-side apply takes the derived object over.
    const fourth = repo.commitTree('dist', synth({ replicas: 3 }), 'fleet: import back');
    await waitAllSynced(fourth);
    await waitFor('the runner dropped its labels from the import Argo CD adopted', async () => {
      const si = await mysqlImport();
      return !!si?.metadata.annotations?.['argocd.argoproj.io/tracking-id'] && si.metadata.labels?.['mcs.cdk8s.io/derived-by'] === undefined && (si.status?.clusters ?? []).length === 1;
    }, { timeoutMs: 60_000 });
    const adopted = (await mysqlImport())!;
    const readyOf = (si: KubeObject | undefined) => ((si as { status?: { conditions?: { type: string; status: string; lastTransitionTime: string }[] } } | undefined)?.status?.conditions ?? []).find((c) => c.type === 'Ready');
    const readySince = (si: KubeObject | undefined) => Date.parse(readyOf(si)?.lastTransitionTime ?? '');
    await new Promise((r) => setTimeout(r, 1_100)); // a Ready transition from now on has a later second
    // The export goes away (deleted by hand); Argo CD's self-heal brings it back from Git.
    await kube('cluster-1').delete(SI, 'ServiceExport', 'mysql', NS);
    await waitFor('the export back and the import Ready again after a transition', async () => {
      const si = await mysqlImport();
      return !!(await kube('cluster-1').tryGet(SI, 'ServiceExport', 'mysql', NS)) && readyOf(si)?.status === 'True' && readySince(si) > readySince(adopted);
    }, { timeoutMs: 120_000, intervalMs: 200 });
    // Went not-ready and back (the runner saw the export gone), but was never deleted: the same object.
    expect((await mysqlImport())?.metadata.uid).toBe(adopted.metadata.uid);
    log(`adopted import ${adopted.metadata.uid}: kept through the export's removal and return`);
  }, 300_000);
});
