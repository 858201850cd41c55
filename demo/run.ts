/**
 * `npm run demo`: the vendor guide's walkthrough on this machine, or (`-- --dist DIR`) your own
 * fleet. Builds (first run only) and starts a local test bed with the fleet's cluster IDs, whose
 * CoreDNS runs what each cluster's kube-system/coredns ConfigMap says (kubeadm's default at first,
 * without clusterset.local), creates what the fleet expects outside Git, applies dist with
 * `cdk8s-mcs apply`, starts `cdk8s-mcs sync`, and asks each consumer's CoreDNS for every name of
 * fleet.md. Everything it started is stopped on exit, on Ctrl-C, and (through the test bed's
 * watchdog) when it is killed.
 *
 * Its own bed (DEMO_DIR, default <repo>/.demo; ports from DEMO_PORT_BASE, default 27000), so it
 * never touches a bed that tests or a developer are using.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FleetManifest, parseFleetManifest } from '../lib/fleet/manifest';
import { ensureBuilt, MissingToolError } from '../testbed/build';
import { down, MAX_CLUSTERS, readState, REPO_ROOT, statePath, up } from '../testbed/harness';
import { DEMO_USAGE, DemoArgs, DemoUsageError, parseDemoArgs } from './args';
import { fleetMdNames } from './fleet-md-names';
import { FLUX_STEPS, fluxDemo } from './gitops-flux';
import { formatTables, ResolvedName } from './names';
import { createOutOfBand } from './out-of-band';
import { createRunnerSecret, runnerSecretOf } from './runner-secret';
import { cdk8sMcs, clustersChangingCoreDns, coreDnsReadyUrls, coreDnsRunningConfigMap, resolveAll, Say, startRunner, stopProcess, synthesize } from './steps';

process.env.TESTBED_DIR = path.resolve(process.env.DEMO_DIR ?? path.join(REPO_ROOT, '.demo'));
process.env.TESTBED_PORT_BASE = process.env.DEMO_PORT_BASE ?? '27000';
delete process.env.TESTBED_STATE;

const T0 = Date.now();
const elapsed = () => `${((Date.now() - T0) / 1000).toFixed(0).padStart(4)}s`;
const say: Say = (line) => process.stdout.write(`[demo ${elapsed()}] ${line}\n`);
/** A path as a user reads it: relative inside the repository, absolute elsewhere. */
const shown = (p: string) => (path.relative(REPO_ROOT, p).startsWith('..') ? p : path.relative(REPO_ROOT, p) || '.');
let STEPS = 7;
let step = 0;
const next = (what: string) => say(`(${++step}/${STEPS}) ${what}`);

let runner: ChildProcess | undefined;
let cleaning: Promise<void> | undefined;
let interrupted = false;
/** What the GitOps variant started (Flux, the Git server, the runner), stopped last-registered first. */
const stops: (() => Promise<void>)[] = [];
let watchdogPid: number | undefined;

function startWatchdog(): void {
  const watchdog = spawn(process.execPath, [path.join(REPO_ROOT, 'testbed', 'watchdog.js'), String(process.pid), statePath()], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  watchdogPid = watchdog.pid;
}

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const stop of stops.splice(0).reverse()) {
      await stop().catch((e) => say(`  ${(e as Error).message}`));
    }
    if (runner) {
      say('stopping the runner');
      await stopProcess(runner);
    }
    if (readState()) {
      say('stopping the test bed');
      await down({ log: (l) => say(`  ${l}`) });
    }
  })();
  return cleaning;
}

/**
 * The fleet to show: the project's dist, or main.ts synthesized (into a staging folder: starting
 * the bed empties the demo's folder, where it is moved afterwards).
 */
function fleetDist(args: DemoArgs): string {
  if (args.dist) {
    next(`reading your fleet: ${args.dist}`);
    return args.dist;
  }
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mcs-demo-dist-'));
  next('synthesizing the reference scenario (main.ts)');
  synthesize(staging);
  return staging;
}

/** Moves a staged dist into the demo's folder; a project's own dist stays where it is. */
function placeDist(args: DemoArgs, dist: string, dir: string): string {
  if (args.dist) {
    return dist;
  }
  const placed = path.join(dir, 'dist');
  fs.cpSync(dist, placed, { recursive: true });
  fs.rmSync(dist, { recursive: true, force: true });
  say(`  synth output in ${shown(placed)}`);
  return placed;
}

function readFleet(dist: string): FleetManifest {
  const fleet = parseFleetManifest(fs.readFileSync(path.join(dist, 'fleet.json'), 'utf8'));
  if (fleet.clusters.length > MAX_CLUSTERS) {
    throw new DemoUsageError(`the fleet has ${fleet.clusters.length} clusters; the test bed runs at most ${MAX_CLUSTERS}`);
  }
  for (const [key, consumers] of Object.entries(fleet.imports)) {
    say(`  ${key}: exported from ${(fleet.exports[key] ?? []).join(', ') || 'no cluster'}, imported into ${consumers.join(', ')}`);
  }
  return fleet;
}

async function demo(args: DemoArgs): Promise<ResolvedName[]> {
  const dir = process.env.TESTBED_DIR as string;
  next('building the test bed: Kubernetes, etcd, kwok and CoreDNS from Go modules (first run only: 20-50 minutes on 2 cores; cached afterwards)');
  const build = await ensureBuilt({ log: (l) => say(`  ${l}`) });
  say(`  ${Object.keys(build.timings).length === 0 ? 'cached' : 'built'}: ${build.dirs.bin}`);

  const staged = fleetDist(args);
  const fleet = readFleet(staged);
  const ids = fleet.clusters.map((c) => c.id);

  next(`starting ${ids.length} clusters (${ids.join(', ')}); each CoreDNS runs its kube-system/coredns ConfigMap, kubeadm's default without clusterset.local (state in ${shown(dir)})`);
  startWatchdog();
  const bed = await up({ clusters: ids, owner: 'cli', watchdogPid, noBuild: true, coreDns: 'configmap', log: (l) => say(`  ${l}`) });
  const dist = placeDist(args, staged, dir);

  next('creating what stays out of Git: the StorageClasses and Secrets the fleet names');
  const runnerSecret = fleet.runner ? runnerSecretOf(dist, fleet.runner.hostClusterId) : undefined;
  for (const made of await createOutOfBand(dist, ids, runnerSecret)) {
    const what = [
      ...made.storageClasses.map((c) => `StorageClass ${c} (kwok provisioner)`),
      ...made.secrets.map((sec) => `Secret ${sec} with placeholder values`),
    ];
    say(`  [${made.clusterId}] ${what.join('; ') || 'nothing needed'}`);
  }

  next('cdk8s-mcs apply: every cluster folder of dist, in apply order; the CoreDNS change last, checked by its ready endpoint');
  const summaries = (line: string) => / objects?: |FAILED|refused|rolled back|error/i.test(line);
  const readyUrls = coreDnsReadyUrls(dist, bed);
  await cdk8sMcs(['apply', '--dist', dist, '--kubeconfig', bed.kubeconfig, ...(readyUrls ? ['--coredns-ready-url', readyUrls] : [])], { say, logFile: path.join(dir, 'apply.log'), show: summaries });
  say(`  (one line per object in ${shown(path.join(dir, 'apply.log'))})`);
  for (const id of await coreDnsRunningConfigMap(clustersChangingCoreDns(dist, ids))) {
    say(`  [${id}] CoreDNS runs the kube-system/coredns ConfigMap as applied`);
  }

  next('the runner: its kubeconfig (a token per cluster), then cdk8s-mcs sync');
  const runnerKubeconfig = path.join(dir, 'runner.kubeconfig');
  await cdk8sMcs(['kubeconfig', '--dist', dist, '--kubeconfig', bed.kubeconfig, '--out', runnerKubeconfig, '--duration', '1h'], { say, logFile: path.join(dir, 'kubeconfig.log') });
  if (fleet.runner && runnerSecret) {
    await createRunnerSecret(fleet.runner.hostClusterId, runnerSecret, runnerKubeconfig);
    say(`  [${fleet.runner.hostClusterId}] Secret ${runnerSecret.namespace}/${runnerSecret.name} holds it, for the SyncRunner Deployment`);
  }
  runner = await startRunner({ dist, kubeconfig: runnerKubeconfig, logFile: path.join(dir, 'sync.log') });
  say(`  cdk8s-mcs sync is ready (log: ${shown(path.join(dir, 'sync.log'))})`);

  const names = fleetMdNames(fs.readFileSync(path.join(dist, 'fleet.md'), 'utf8'));
  const consumers = [...new Set(names.map((n) => n.consumer))];
  next(`resolving every name of fleet.md (${names.length}) from ${consumers.join(' and ') || 'no cluster'}'s CoreDNS`);
  return resolveAll(fleet, names, say);
}

async function main(argv: string[]): Promise<number> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      say(`${signal}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  let args: DemoArgs;
  try {
    args = parseDemoArgs(argv);
  } catch (e) {
    process.stderr.write(`demo: ${(e as Error).message}\n\n${DEMO_USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(DEMO_USAGE);
    return 0;
  }
  try {
    if (args.gitops === 'flux') {
      STEPS = FLUX_STEPS;
      startWatchdog();
      const { failures } = await fluxDemo({
        say,
        next,
        dir: process.env.TESTBED_DIR as string,
        portBase: Number(process.env.TESTBED_PORT_BASE),
        onCleanup: (stop) => stops.push(stop),
        watchdogPid: () => watchdogPid,
      });
      failures.forEach((f) => say(`WRONG: ${f}`));
      say(failures.length === 0 ? 'every step checked out: Git -> Flux -> runner -> CoreDNS' : `${failures.length} check(s) failed`);
      return failures.length === 0 ? 0 : 1;
    }
    const rows = await demo(args);
    process.stdout.write(`\n${rows.length > 0 ? formatTables(rows) : 'fleet.md lists no DNS names: the fleet imports nothing.'}\n\n`);
    const wrong = rows.filter((r) => !r.ok).length;
    say(wrong === 0 ? `all ${rows.length} names resolve to the pod they name` : `${wrong} of ${rows.length} names did not resolve to their pod`);
    return wrong === 0 ? 0 : 1;
  } catch (e) {
    if (!interrupted) {
      say(`FAILED: ${e instanceof MissingToolError || e instanceof DemoUsageError ? e.message : (e as Error).stack ?? String(e)}`);
    }
    return 1;
  } finally {
    await cleanup();
    say(`done in ${((Date.now() - T0) / 1000).toFixed(0)}s; nothing left running`);
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
