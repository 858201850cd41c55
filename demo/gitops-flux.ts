/**
 * `npm run demo -- --gitops flux`: the demo with Flux in place of `cdk8s-mcs apply`. The fleet
 * (demo/flux-fleet.ts, GitOps.FLUX) is committed to a Git repository served on 127.0.0.1 by Git's
 * own smart-HTTP backend; Flux's source-controller and kustomize-controller (built from their Go
 * modules with the test bed) run against cluster-1, the hub, and apply every stage to both
 * clusters; `cdk8s-mcs sync` derives the rest. Then two more commits flow through Git -> Flux ->
 * runner: replicas 2 -> 3 (mysql-2 resolves by both name forms) and the import removed (Flux prunes
 * it, the runner removes the slices it derived for it). Every step prints its timing.
 */
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FleetManifest, parseFleetManifest } from '../lib/fleet/manifest';
import { LABEL_DERIVED_BY } from '../lib/fleet/names';
import { ensureBuilt, MissingToolError } from '../testbed/build';
import { entryKustomization, Flux, fluxPorts, fluxReady, fluxUnavailable, FLUX_NAMESPACE, FLUX_SOURCE, gitRepository, kubeconfigSecret, requestReconcile, startFlux } from '../testbed/flux';
import { createRepo, GitServer, startGitServer } from '../testbed/git-server';
import { adminClient, clusterOf, readState, up, waitFor } from '../testbed/harness';
import { dnsQuery } from '../testbed/dns';
import { KubeClient } from '../testbed/kube';
import { fleetMdNames } from './fleet-md-names';
import { FLUX_FLEET, synthFluxFleet } from './flux-fleet';
import { ExpectedName, expectedIps, formatTables, ResolvedName } from './names';
import { createOutOfBand } from './out-of-band';
import { createRunnerSecret, runnerSecretOf } from './runner-secret';
import { cdk8sMcs, clustersChangingCoreDns, coreDnsRunningConfigMap, resolveAll, Say, startRunner, stopProcess } from './steps';

export const FLUX_STEPS = 9;

export interface FluxDemoContext {
  readonly say: Say;
  /** Announces the next numbered step. */
  readonly next: (what: string) => void;
  /** The demo's state folder (TESTBED_DIR). */
  readonly dir: string;
  /** The first port of the demo's bed; Flux takes base+900..904 and the Git server base+910. */
  readonly portBase: number;
  /** Registers what the demo's cleanup stops, last registered first. */
  readonly onCleanup: (stop: () => Promise<void>) => void;
  readonly watchdogPid: () => number | undefined;
}

/** What the demo found, for its exit code: every check that failed, in words. */
export interface FluxDemoResult {
  readonly failures: string[];
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The stage Kustomizations of a dist: `<fleet>-<cluster>-<stage>` for each `<cluster>/<n>-<stage>/` folder. */
function stageKustomizations(dist: string, fleet: FleetManifest): string[] {
  return fleet.clusters.flatMap((c) => fs.readdirSync(path.join(dist, c.id))
    .filter((f) => /^\d+-/.test(f) && fs.statSync(path.join(dist, c.id, f)).isDirectory())
    .sort()
    .map((f) => `${FLUX_FLEET.name}-${c.id}-${f.replace(/^\d+-/, '')}`));
}

export async function fluxDemo(ctx: FluxDemoContext): Promise<FluxDemoResult> {
  const { say, next, dir } = ctx;
  const failures: string[] = [];

  next('building the test bed and Flux from Go modules (first run only: about an hour on 2 cores, Flux 15 minutes of it; cached afterwards)');
  const build = await ensureBuilt({ log: (l) => say(`  ${l}`) });
  const why = fluxUnavailable();
  if (why) {
    throw new MissingToolError(`Flux is not built on this machine: ${why.trim()}. Build it with \`npm run testbed -- build --retry-optional\``);
  }
  say(`  ${Object.keys(build.timings).length === 0 ? 'cached' : 'built'}: ${build.dirs.bin}`);

  const ports = { bed: ctx.portBase, flux: ctx.portBase + 900, git: ctx.portBase + 910 };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mcs-demo-flux-'));
  ctx.onCleanup(async () => fs.rmSync(work, { recursive: true, force: true }));
  const gitUrl = `http://127.0.0.1:${ports.git}/fleet.git`;
  const synth = (name: string, o: { replicas?: number; withImport?: boolean }) => {
    const outdir = path.join(work, name);
    synthFluxFleet({ outdir, gitRepoUrl: gitUrl, ...o });
    return outdir;
  };

  next('synthesizing the reference scenario with GitOps.FLUX (demo/flux-fleet.ts)');
  const dist1 = synth('dist-1', {});
  const fleet = parseFleetManifest(fs.readFileSync(path.join(dist1, 'fleet.json'), 'utf8'));
  const ids = fleet.clusters.map((c) => c.id);
  say(`  ${ids.length} clusters; Flux stages: ${stageKustomizations(dist1, fleet).join(', ')}`);

  next(`starting ${ids.length} clusters (${ids.join(', ')}); each CoreDNS runs its kube-system/coredns ConfigMap (state in ${dir})`);
  const bed = await up({ clusters: ids, owner: 'cli', watchdogPid: ctx.watchdogPid(), noBuild: true, coreDns: 'configmap', log: (l) => say(`  ${l}`) });
  const clients = new Map<string, KubeClient>(ids.map((id) => [id, adminClient(id)]));
  ctx.onCleanup(async () => clients.forEach((c) => c.close()));
  const kube = (id: string) => clients.get(id) as KubeClient;
  const hub = kube(FLUX_FLEET.hub);

  next('creating what stays out of Git: StorageClasses and Secrets the fleet names');
  const runnerSecret = fleet.runner ? runnerSecretOf(dist1, fleet.runner.hostClusterId) : undefined;
  for (const made of await createOutOfBand(dist1, ids, runnerSecret)) {
    say(`  [${made.clusterId}] ${[...made.storageClasses.map((c) => `StorageClass ${c}`), ...made.secrets.map((sec) => `Secret ${sec}`)].join('; ') || 'nothing needed'}`);
  }

  next(`Git on 127.0.0.1:${ports.git} and Flux in ${FLUX_FLEET.hub}: the first commit applied stage by stage`);
  const git: GitServer = await startGitServer(path.join(dir, 'git'), ports.git);
  ctx.onCleanup(() => git.close());
  const repo = createRepo(path.join(dir, 'git'), 'fleet');
  const flux: Flux = await startFlux({ hub: FLUX_FLEET.hub, dir: path.join(dir, 'flux'), ports: fluxPorts(ports.flux), log: (l) => say(`  ${l}`) });
  ctx.onCleanup(async () => {
    say('stopping Flux');
    await flux.stop();
  });
  await hub.apply([
    gitRepository(gitUrl),
    ...Object.entries(FLUX_FLEET.kubeConfigSecrets).map(([id, secret]) => kubeconfigSecret(secret, id)),
  ], { fieldManager: 'cdk8s-mcs-demo' });
  say(`  ${FLUX_NAMESPACE}: GitRepository ${gitUrl} (branch main), ${Object.entries(FLUX_FLEET.kubeConfigSecrets).map(([id, s]) => `Secret ${s} (${id}'s kubeconfig)`).join(', ')}`);
  const first = repo.commitTree(FLUX_FLEET.gitPath, dist1, 'fleet: reference, 2 replicas');
  say(`  commit ${first.slice(0, 8)} "fleet: reference, 2 replicas"`);
  await hub.apply(ids.map((id) => entryKustomization(FLUX_FLEET.name, id, { gitPath: FLUX_FLEET.gitPath })), { fieldManager: 'cdk8s-mcs-demo' });
  say(`  entry Kustomizations ${ids.map((id) => `${FLUX_FLEET.name}-${id}-entry`).join(', ')} (what flux bootstrap plus clusters/<id>/cdk8s-mcs.yaml are in production)`);
  await waitStagesReady(ctx, hub, stageKustomizations(dist1, fleet), first);
  for (const id of await coreDnsRunningConfigMap(clustersChangingCoreDns(dist1, ids))) {
    say(`  [${id}] CoreDNS runs the kube-system/coredns ConfigMap as Flux applied it`);
  }

  next('the runner: its kubeconfig (a token per cluster, from the ServiceAccounts Flux applied), then cdk8s-mcs sync');
  const runnerKubeconfig = path.join(dir, 'runner.kubeconfig');
  await cdk8sMcs(['kubeconfig', '--dist', dist1, '--kubeconfig', bed.kubeconfig, '--out', runnerKubeconfig, '--duration', '1h'], { say, logFile: path.join(dir, 'kubeconfig.log') });
  if (fleet.runner && runnerSecret) {
    await createRunnerSecret(fleet.runner.hostClusterId, runnerSecret, runnerKubeconfig);
  }
  const runner: ChildProcess = await startRunner({ dist: dist1, kubeconfig: runnerKubeconfig, logFile: path.join(dir, 'sync.log') });
  ctx.onCleanup(async () => {
    say('stopping the runner');
    await stopProcess(runner);
  });
  say(`  cdk8s-mcs sync is ready (log: ${path.join(dir, 'sync.log')})`);

  const names1 = fleetMdNames(fs.readFileSync(path.join(dist1, 'fleet.md'), 'utf8'));
  next(`resolving every name of fleet.md (${names1.length}) from cluster-2's CoreDNS`);
  const rows1 = await resolveAll(fleet, names1, say);
  printTable(say, rows1, failures);

  next('commit: replicas 2 -> 3; Git -> Flux -> runner -> CoreDNS');
  const t2 = Date.now();
  const dist2 = synth('dist-2', { replicas: 3 });
  const second = repo.commitTree(FLUX_FLEET.gitPath, dist2, 'fleet: mysql 3 replicas');
  say(`  commit ${second.slice(0, 8)} "fleet: mysql 3 replicas"`);
  await waitStagesReady(ctx, hub, stageKustomizations(dist2, fleet), second);
  const names2 = fleetMdNames(fs.readFileSync(path.join(dist2, 'fleet.md'), 'utf8')).filter((n) => n.pod === 'mysql-2');
  const rows2 = await resolveAll(fleet, names2, say);
  say(`  ${rows2.every((r) => r.ok) ? 'mysql-2 resolves by both name forms' : 'mysql-2 did NOT resolve'} ${secs(Date.now() - t2)} after the commit`);
  printTable(say, rows2, failures);

  next('commit: the HeadlessImport removed; Flux prunes it, the runner removes what it derived for it');
  const t3 = Date.now();
  const dist3 = synth('dist-3', { replicas: 3, withImport: false });
  const third = repo.commitTree(FLUX_FLEET.gitPath, dist3, 'fleet: mysql import removed from cluster-2');
  say(`  commit ${third.slice(0, 8)} "fleet: mysql import removed from cluster-2"`);
  await waitStagesReady(ctx, hub, stageKustomizations(dist3, fleet), third);
  await importRemoved(ctx, kube('cluster-2'), await expectedIps(names2.filter((n) => n.method === 'clusterset'), clients), t3, failures);
  return { failures };
}

function printTable(say: Say, rows: readonly ResolvedName[], failures: string[]): void {
  for (const line of formatTables(rows).split('\n')) {
    say(`  ${line}`);
  }
  failures.push(...rows.filter((r) => !r.ok).map((r) => `${r.fqdn} answered ${r.answer}, not ${r.ips.join(',') || 'a pod IP'}`));
}

/** Asks Flux to fetch now (as `flux reconcile` does), then waits until every stage applied `revision`, printing each as it gets Ready. */
async function waitStagesReady(ctx: FluxDemoContext, hub: KubeClient, stages: readonly string[], revision: string): Promise<void> {
  const t0 = Date.now();
  await requestReconcile(hub, 'GitRepository', FLUX_SOURCE);
  const ready = new Set<string>();
  try {
    await waitFor(`every stage Kustomization Ready at ${revision.slice(0, 8)}`, async () => {
      for (const ks of stages.filter((s) => !ready.has(s))) {
        const r = await fluxReady(hub, 'Kustomization', ks);
        if (r?.status === 'True' && r.revision?.endsWith(revision)) {
          ready.add(ks);
          ctx.say(`  ${ks.padEnd(36)} Ready ${secs(Date.now() - t0).padStart(7)} after the commit`);
        }
      }
      return ready.size === stages.length;
    }, { timeoutMs: 300_000, intervalMs: 250 });
  } catch (e) {
    const states = await Promise.all(stages.filter((s) => !ready.has(s)).map(async (s) => {
      const r = await fluxReady(hub, 'Kustomization', s);
      return `${s}: ${r ? `Ready=${r.status} ${r.reason ?? ''}: ${r.message ?? ''}` : 'no Ready condition'}`;
    }));
    throw new Error(`${(e as Error).message}\n${states.join('\n')}`);
  }
}

/**
 * After the import left Git: Flux pruned the ServiceImport and the amcs- Service from cluster-2,
 * the runner deleted the amcs- EndpointSlices it derived and the amcs names stop resolving. The
 * namespace stays (Flux never prunes a Namespace the compiler emits), so by namespace sameness
 * (KEP-1645) cluster-2 still imports the service: the runner derives its own ServiceImport and the
 * clusterset names keep resolving. kube-system/coredns stays as it was (prune disabled on it).
 */
async function importRemoved(ctx: FluxDemoContext, c2: KubeClient, clusterset: readonly ExpectedName[], t0: number, failures: string[]): Promise<void> {
  const { say } = ctx;
  const ns = FLUX_FLEET.namespace;
  const check = async <T>(what: string, probe: () => Promise<T | undefined | false>) => {
    try {
      const v = await waitFor(what, probe, { timeoutMs: 60_000, intervalMs: 250 });
      say(`  ${what}: ${secs(Date.now() - t0)} after the commit`);
      return v;
    } catch (e) {
      failures.push((e as Error).message);
      say(`  ${what}: NOT within 60 s`);
      return undefined;
    }
  };
  await check('Flux pruned Service amcs-mysql from cluster-2', async () => !(await c2.tryGet('v1', 'Service', 'amcs-mysql', ns)));
  await check('the runner deleted the amcs- EndpointSlices it derived', async () => (await c2.list('discovery.k8s.io/v1', 'EndpointSlice', ns, 'kubernetes.io/service-name=amcs-mysql')).length === 0);
  const address = clusterOf(readState()!, 'cluster-2').coredns.address;
  await check('mysql-0.amcs-mysql.provider-ns.svc.cluster.local answers NXDOMAIN', async () => (await dnsQuery(address, `mysql-0.amcs-mysql.${ns}.svc.cluster.local`, 'A')).outcome === 'NXDOMAIN');
  const si = await check('the ServiceImport is the runner\'s now (namespace sameness: provider-ns still exists in cluster-2)', async () => {
    const got = await c2.tryGet('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'mysql', ns);
    return got?.metadata?.labels?.[LABEL_DERIVED_BY] ? got : undefined;
  });
  if (si) {
    for (const name of clusterset) {
      const answer = (await dnsQuery(address, name.fqdn, 'A')).answers.map(String).sort().join(',');
      const ok = answer === name.ips.join(',');
      say(`  ${name.fqdn} still answers ${answer || 'nothing'}${ok ? `, ${name.pod}'s IP` : `: WRONG, ${name.pod} is ${name.ips.join(',')}`}`);
      if (!ok) failures.push(`${name.fqdn} answered ${answer || 'nothing'} after the import left Git, not ${name.ips.join(',')}`);
    }
  }
  const corefile = (await c2.get('v1', 'ConfigMap', 'coredns', 'kube-system')).data?.Corefile as string;
  say(`  kube-system/coredns kept as applied (prune disabled on it): ${corefile.includes('multicluster clusterset.local') ? 'still serves clusterset.local' : 'WITHOUT clusterset.local'}`);
}
