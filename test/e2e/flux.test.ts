/**
 * Flux for real: source-controller and kustomize-controller (built from their Go modules by the
 * test bed's optional "flux" component) run as processes against cluster-1 of a private two-cluster
 * bed (the hub), clone a fleet synthesized with GitOps.FLUX from a Git server on 127.0.0.1, and
 * apply it to cluster-1 directly and to cluster-2 through `kubeConfig.secretRef`.
 * Flux is built with the bed; if its build failed, this file fails with the recorded error
 * (CDK8S_MCS_SKIP_FLUX=1 skips it instead).
 *
 * One Flux bed for the whole file: its own clusters (TESTBED_DIR in a temp dir,
 * ports from 26500 or FLUX_BED_PORT_BASE, apart from the globalSetup bed), Flux's ports 26900-26904, the Git server on 26910.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { Fleet, GitOps, HeadlessImport, MultiClusterStatefulSet } from '../../lib';
import { createRepo, GitRepo, GitServer, startGitServer } from '../../testbed/git-server';
import { entryKustomization, Flux, fluxPorts, fluxReady, fluxUnavailable, FLUX_NAMESPACE, gitRepository, kubeconfigSecret, startFlux } from '../../testbed/flux';
import { adminClient } from '../../testbed/harness';
import { KubeClient, waitFor } from '../../testbed/kube';
import { RUNNER_WRITES, runnerWritesPresent, writeLikeTheRunner } from './support/runner-writes';
import { PrivateBed, startPrivateBed } from './support/private-bed';
import './support/testbed';

const unavailable = fluxUnavailable();
/** Skipping is asked for, never assumed: a bed whose Flux did not build fails this file with the reason. */
const skipAsked = process.env.CDK8S_MCS_SKIP_FLUX === '1';
const describeFlux = unavailable && skipAsked ? describe.skip : describe;
if (unavailable && skipAsked) process.stderr.write(`[flux e2e] skipped (CDK8S_MCS_SKIP_FLUX=1): ${unavailable}\n`);

const CLUSTERS = ['cluster-1', 'cluster-2'];
/** The Flux bed's clusters take FLUX_BED_PORT_BASE..+199; Flux 26900-26904, Git 26910. */
const FLUX_BED_PORT_BASE = Number(process.env.FLUX_BED_PORT_BASE || 26500);
const HUB = 'cluster-1';
const NS = 'provider-ns';
const STAGES: Record<string, string[]> = { 'cluster-1': ['crds', 'workloads'], 'cluster-2': ['crds', 'workloads', 'dns'] };

let bed: PrivateBed | undefined;
let work: string;
let git: GitServer | undefined;
let repo: GitRepo;
let flux: Flux | undefined;
const clients = new Map<string, KubeClient>();
const kube = (id: string) => clients.get(id) as KubeClient;
const log = (l: string) => process.stderr.write(`[flux e2e] ${l}\n`);

/** Synthesizes the fleet (GitOps.FLUX, cluster-2 reached through a kubeconfig Secret) into a fresh dir. */
function synth(o: { replicas?: number; withImport?: boolean } = {}): string {
  const outdir = fs.mkdtempSync(path.join(work, 'dist-'));
  const fleet = new Fleet({ name: 'reference', gitops: GitOps.FLUX, outdir });
  const c1 = fleet.addCluster('cluster-1', { storageClass: 'standard', coreDnsVersion: '1.12.2' });
  const c2 = fleet.addCluster('cluster-2', { storageClass: 'standard', coreDnsVersion: '1.12.2', fluxKubeConfigSecret: 'cluster-2-kubeconfig' });
  new MultiClusterStatefulSet(fleet, 'mysql', {
    namespace: NS,
    image: 'mysql:5.6',
    providers: [{ cluster: c1, replicas: o.replicas ?? 2 }],
    ports: [{ name: 'tcp', port: 3306 }],
    volumeClaims: [{ name: 'data', mountPath: '/var/lib/mysql', size: '1Gi' }],
  });
  if (o.withImport ?? true) new HeadlessImport(fleet, 'mysql-import', { serviceName: 'mysql', namespace: NS, consumers: [c2] });
  fleet.synth();
  return outdir;
}

interface StageObject {
  cluster: string;
  stage: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Every object of every stage folder of a synthesized dist. */
function stageObjects(dist: string): StageObject[] {
  const out: StageObject[] = [];
  for (const cluster of CLUSTERS) {
    for (const folder of fs.readdirSync(path.join(dist, cluster)).filter((f) => /^\d-/.test(f)).sort()) {
      for (const f of fs.readdirSync(path.join(dist, cluster, folder)).filter((x) => x.endsWith('.yaml') && x !== 'kustomization.yaml').sort()) {
        const o = YAML.parse(fs.readFileSync(path.join(dist, cluster, folder, f), 'utf8'));
        out.push({ cluster, stage: folder.slice(2), apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace });
      }
    }
  }
  return out;
}

const ksName = (cluster: string, stage: string) => `reference-${cluster}-${stage}`;
const key = (o: StageObject) => `${o.cluster}:${o.kind}/${o.namespace ? o.namespace + '/' : ''}${o.name}`;

/** Waits until every stage Kustomization applied `revision` and is Ready (without the import, cluster-2 has no dns stage). */
async function waitAllReady(revision: string, o: { withImport?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const expected = o.withImport === false ? { ...STAGES, 'cluster-2': ['crds', 'workloads'] } : STAGES;
  await waitFor(`every stage Kustomization Ready at ${revision.slice(0, 8)}`, async () => {
    for (const [cluster, stages] of Object.entries(expected)) {
      for (const stage of stages) {
        const r = await fluxReady(kube(HUB), 'Kustomization', ksName(cluster, stage));
        if (!r || r.status !== 'True' || !r.revision?.endsWith(revision)) return false;
      }
    }
    return true;
  }, { timeoutMs: o.timeoutMs ?? 240_000, intervalMs: 1000 });
}

beforeAll(async () => {
  if (unavailable) {
    if (skipAsked) return;
    throw new Error(`Flux cannot run on this bed: ${unavailable.trim()}. Build it with \`npm run testbed -- build --retry-optional\`, or set CDK8S_MCS_SKIP_FLUX=1 to skip this file`);
  }
  bed = await startPrivateBed({ prefix: 'mcs-flux-', portBase: FLUX_BED_PORT_BASE, clusters: CLUSTERS, log });
  work = bed.work;
  for (const id of CLUSTERS) clients.set(id, adminClient(id));
  // what stays out of Git: the provider's StorageClass
  await kube('cluster-1').apply({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard' }, provisioner: 'kwok.x-k8s.io/volume', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' } as never, { fieldManager: 'e2e' });

  git = await startGitServer(path.join(work, 'git'), 26910);
  repo = createRepo(path.join(work, 'git'), 'fleet');
  flux = await startFlux({ hub: HUB, dir: path.join(work, 'flux'), ports: fluxPorts(26900), log });
  const hub = flux.hubClient();
  clients.set(HUB, hub);
  await hub.apply([gitRepository(`${git.url}/fleet.git`), kubeconfigSecret('cluster-2-kubeconfig', 'cluster-2')], { fieldManager: 'e2e' });
}, 300_000);

afterAll(async () => {
  if (unavailable) return;
  await flux?.stop();
  await git?.close();
  for (const c of clients.values()) c.close();
  await bed?.stop();
}, 120_000);

describeFlux('Flux syncs the synthesized fleet from Git into both clusters', () => {
  let first: string;
  let firstDist: string;

  it('applies the stages in order: nothing of a later stage exists before the earlier stage is Ready', async () => {
    firstDist = synth();
    const objects = stageObjects(firstDist);
    // objects the bed already had (its own CRDs) prove nothing about order
    const existing = new Set<string>();
    for (const o of objects) if (await kube(o.cluster).tryGet(o.apiVersion, o.kind, o.name, o.namespace)) existing.add(key(o));
    first = repo.commitTree('dist', firstDist, 'fleet: reference, 2 replicas');
    await kube(HUB).apply(CLUSTERS.map((id) => entryKustomization('reference', id)), { fieldManager: 'e2e' });

    const violations: string[] = [];
    const readyAt = new Map<string, number>();
    const seenAt = new Map<string, number>();
    const t0 = Date.now();
    await waitFor('the first commit applied by every stage', async () => {
      for (const [cluster, stages] of Object.entries(STAGES)) {
        for (let i = 1; i < stages.length; i++) {
          if (readyAt.has(ksName(cluster, stages[i - 1]))) continue;
          // objects first, then the earlier stage's Ready: an object seen while the earlier stage is still not Ready is a violation
          const later = objects.filter((o) => o.cluster === cluster && o.stage === stages[i] && !existing.has(key(o)));
          const present = [];
          for (const o of later) if (await kube(o.cluster).tryGet(o.apiVersion, o.kind, o.name, o.namespace)) present.push(key(o));
          const r = await fluxReady(kube(HUB), 'Kustomization', ksName(cluster, stages[i - 1]));
          if (r?.status === 'True' && r.revision?.endsWith(first)) readyAt.set(ksName(cluster, stages[i - 1]), Date.now() - t0);
          else for (const p of present) violations.push(`${p} (stage ${stages[i]}) exists while ${ksName(cluster, stages[i - 1])} is ${r ? `${r.status} ${r.reason}` : 'without Ready'}`);
        }
      }
      for (const [cluster, stages] of Object.entries(STAGES)) {
        const last = ksName(cluster, stages[stages.length - 1]);
        const r = await fluxReady(kube(HUB), 'Kustomization', last);
        if (r?.status === 'True' && r.revision?.endsWith(first) && !readyAt.has(last)) readyAt.set(last, Date.now() - t0);
      }
      return Object.values(STAGES).every((stages, j) => stages.every((s) => readyAt.has(ksName(Object.keys(STAGES)[j], s))));
    }, { timeoutMs: 240_000, intervalMs: 300 });
    log(`first commit ${first.slice(0, 8)}: Ready after (ms) ${JSON.stringify(Object.fromEntries(readyAt))}`);
    for (const o of objects) seenAt.set(key(o), (await kube(o.cluster).tryGet(o.apiVersion, o.kind, o.name, o.namespace)) ? 1 : 0);
    expect(violations).toEqual([]);
    expect([...seenAt].filter(([, v]) => !v).map(([k]) => k)).toEqual([]);
    // cluster-2's objects came through kubeConfig.secretRef; Flux labels what it applied
    const imp = await kube('cluster-2').get('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'mysql', NS);
    expect(imp.metadata.labels).toMatchObject({ 'kustomize.toolkit.fluxcd.io/name': ksName('cluster-2', 'workloads'), 'kustomize.toolkit.fluxcd.io/namespace': FLUX_NAMESPACE });
    const sts = await kube('cluster-1').get('apps/v1', 'StatefulSet', 'mysql', NS);
    expect(sts.status.readyReplicas).toBe(2);
  }, 300_000);

  it('prunes what left Git but never the runner-owned EndpointSlices, ServiceImport status or PVCs', async () => {
    // what the runner writes (same labels, same field manager)
    const c2 = kube('cluster-2');
    await writeLikeTheRunner(c2, NS, 'mysql');
    const pvcs = async () => (await kube('cluster-1').list('v1', 'PersistentVolumeClaim', NS)).map((p: { metadata: { name: string } }) => p.metadata.name).sort();
    await waitFor('PVCs data-mysql-0 and -1', async () => (await pvcs()).length === 2, { timeoutMs: 60_000 });

    // commit 2: 3 replicas; Flux re-applies cluster-2's stages (same objects) with prune
    const second = repo.commitTree('dist', synth({ replicas: 3 }), 'fleet: 3 replicas');
    await waitAllReady(second);
    const imp = await c2.get('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'mysql', NS);
    expect(imp.status).toEqual(RUNNER_WRITES.status);
    await waitFor('3 PVCs', async () => (await pvcs()).length === 3, { timeoutMs: 60_000 });

    // commit 3: the import removed; Flux prunes its Service and ServiceImport in cluster-2 and the StatefulSet stays
    const third = repo.commitTree('dist', synth({ replicas: 3, withImport: false }), 'fleet: import removed');
    await waitAllReady(third, { withImport: false });
    await waitFor('the import pruned from cluster-2', async () => !(await c2.tryGet('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'mysql', NS)) && !(await c2.tryGet('v1', 'Service', 'amcs-mysql', NS)), { timeoutMs: 60_000 });
    expect(await runnerWritesPresent(c2, NS)).toEqual({ slice: true, derivedImport: true });
    expect(await pvcs()).toEqual(['data-mysql-0', 'data-mysql-1', 'data-mysql-2']);
    // prune: disabled kept the namespace and the CRDs, the coredns ConfigMap as applied and the grant its Corefile needs
    expect(await c2.tryGet('v1', 'Namespace', NS)).toBeTruthy();
    expect((await c2.get('v1', 'ConfigMap', 'coredns', 'kube-system')).data.Corefile).toContain('multicluster clusterset.local');
    for (const kind of ['ClusterRole', 'ClusterRoleBinding']) {
      expect(await c2.tryGet('rbac.authorization.k8s.io/v1', kind, 'cdk8s-mcs-coredns-serviceimports')).toBeTruthy();
    }
  }, 300_000);

  it('a broken commit changes nothing in the clusters and shows Flux\'s error', async () => {
    const c1 = kube('cluster-1');
    const before = await c1.get('apps/v1', 'StatefulSet', 'mysql', NS);
    const good = repo.head();
    const dist = synth({ replicas: 3, withImport: false });
    // a valid new ConfigMap and an invalid Service (port out of range) in cluster-1's workloads stage
    const stageDir = path.join(dist, 'cluster-1', '2-workloads');
    fs.writeFileSync(path.join(stageDir, '03-configmap.provider-ns.canary.yaml'), YAML.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'canary', namespace: NS }, data: { a: 'b' } }));
    fs.writeFileSync(path.join(stageDir, '04-service.provider-ns.broken.yaml'), YAML.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'broken', namespace: NS }, spec: { ports: [{ name: 'x', port: 99999 }], selector: { app: 'x' } } }));
    const k = YAML.parse(fs.readFileSync(path.join(stageDir, 'kustomization.yaml'), 'utf8'));
    k.resources.push('03-configmap.provider-ns.canary.yaml', '04-service.provider-ns.broken.yaml');
    fs.writeFileSync(path.join(stageDir, 'kustomization.yaml'), YAML.stringify(k));
    const bad = repo.commitTree('dist', dist, 'fleet: a broken Service');
    const failed = await waitFor('cluster-1 workloads failing at the broken commit', async () => {
      const r = await fluxReady(kube(HUB), 'Kustomization', ksName('cluster-1', 'workloads'));
      const ks = await kube(HUB).get('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', ksName('cluster-1', 'workloads'), FLUX_NAMESPACE);
      return r?.status === 'False' && ks.status?.lastAttemptedRevision?.endsWith(bad) ? { r, ks } : undefined;
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    log(`broken commit: Ready=False ${failed.r.reason}: ${failed.r.message}`);
    expect(failed.r.message).toMatch(/Service\/provider-ns\/broken/);
    expect(failed.r.message).toMatch(/99999/);
    expect(failed.ks.status.lastAppliedRevision).toContain(good);
    // nothing of the stage was applied: not the valid ConfigMap, and the StatefulSet untouched
    expect(await c1.tryGet('v1', 'ConfigMap', 'canary', NS)).toBeUndefined();
    expect(await c1.tryGet('v1', 'Service', 'broken', NS)).toBeUndefined();
    const after = await c1.get('apps/v1', 'StatefulSet', 'mysql', NS);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);

    // reverting the commit heals it
    const fixed = repo.commitTree('dist', synth({ replicas: 3, withImport: false }), 'Revert "fleet: a broken Service"');
    await waitAllReady(fixed, { withImport: false });
  }, 300_000);
});
