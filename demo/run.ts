/**
 * `npm run demo`: the vendor guide's walkthrough on this machine. Builds (first run only) and
 * starts a local test bed of two clusters with CoreDNS, synthesizes the reference scenario
 * (main.ts), applies it with `cdk8s-mcs apply`, runs the emitted Corefile in cluster-2's CoreDNS,
 * runs `cdk8s-mcs sync`, and prints every DNS name cluster-2 resolves with the pod IP it reached.
 * Everything it started is stopped on exit, on Ctrl-C, and (through the test bed's watchdog) when
 * it is killed.
 *
 * Its own bed (DEMO_DIR, default <repo>/.demo; ports from DEMO_PORT_BASE, default 27000), so it
 * never touches a bed that tests or a developer are using.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFleetManifest } from '../lib/fleet/manifest';
import { ensureBuilt, MissingToolError } from '../testbed/build';
import { adminClient, clusterOf, down, readState, REPO_ROOT, runEmittedCorefile, statePath, up, waitFor } from '../testbed/harness';
import { expectedNames, formatTable, resolve, ResolvedName } from './names';
import { cdk8sMcs, prepareOutOfBand, Say, startRunner, stopProcess, synthesize } from './steps';

process.env.TESTBED_DIR = path.resolve(process.env.DEMO_DIR ?? path.join(REPO_ROOT, '.demo'));
process.env.TESTBED_PORT_BASE = process.env.DEMO_PORT_BASE ?? '27000';
delete process.env.TESTBED_STATE;

const T0 = Date.now();
const elapsed = () => `${((Date.now() - T0) / 1000).toFixed(0).padStart(4)}s`;
const say: Say = (line) => process.stdout.write(`[demo ${elapsed()}] ${line}\n`);
/** A path as a user reads it: relative inside the repository, absolute elsewhere. */
const shown = (p: string) => (path.relative(REPO_ROOT, p).startsWith('..') ? p : path.relative(REPO_ROOT, p) || '.');
const STEPS = 7;
let step = 0;
const next = (what: string) => say(`(${++step}/${STEPS}) ${what}`);

let runner: ChildProcess | undefined;
let cleaning: Promise<void> | undefined;
let interrupted = false;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
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

async function demo(): Promise<ResolvedName[]> {
  const dir = process.env.TESTBED_DIR as string;
  next('building the test bed: Kubernetes, etcd, kwok and CoreDNS from Go modules (first run only: 20-50 minutes on 2 cores; cached afterwards)');
  const build = await ensureBuilt({ log: (l) => say(`  ${l}`) });
  say(`  ${Object.keys(build.timings).length === 0 ? 'cached' : 'built'}: ${build.dirs.bin}`);

  next(`starting two clusters and their CoreDNS (state in ${shown(dir)})`);
  const watchdog = spawn(process.execPath, [path.join(REPO_ROOT, 'testbed', 'watchdog.js'), String(process.pid), statePath()], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  const bed = await up({ clusters: ['cluster-1', 'cluster-2'], owner: 'cli', watchdogPid: watchdog.pid, noBuild: true, log: (l) => say(`  ${l}`) });

  const dist = path.join(dir, 'dist');
  next(`synthesizing the reference scenario (main.ts) into ${shown(dist)}`);
  synthesize(dist);
  const fleet = parseFleetManifest(fs.readFileSync(path.join(dist, 'fleet.json'), 'utf8'));
  const [key] = Object.keys(fleet.exports);
  const [provider] = fleet.exports[key];
  const consumer = fleet.imports[key][0];
  say(`  ${key} is exported from ${provider} and imported into ${consumer}`);

  next('creating what stays out of Git: the "standard" StorageClass and the Secret mysecret');
  await prepareOutOfBand(provider, key.split('/')[0]);

  next('cdk8s-mcs apply: every cluster folder of dist, in apply order');
  const summaries = (line: string) => / objects?: |FAILED|error/.test(line);
  await cdk8sMcs(['apply', '--dist', dist, '--kubeconfig', bed.kubeconfig], { say, logFile: path.join(dir, 'apply.log'), show: summaries });
  say(`  (one line per object in ${shown(path.join(dir, 'apply.log'))})`);

  next(`CoreDNS of ${consumer} now runs the Corefile the compiler emitted (clusterset.local), then the runner starts`);
  await runEmittedCorefile(dist, consumer);
  const runnerKubeconfig = path.join(dir, 'runner.kubeconfig');
  await cdk8sMcs(['kubeconfig', '--dist', dist, '--kubeconfig', bed.kubeconfig, '--out', runnerKubeconfig, '--duration', '1h'], { say, logFile: path.join(dir, 'kubeconfig.log') });
  runner = await startRunner({ dist, kubeconfig: runnerKubeconfig, logFile: path.join(dir, 'sync.log') });
  say(`  cdk8s-mcs sync is ready (log: ${shown(path.join(dir, 'sync.log'))})`);

  next(`resolving every name from ${consumer}'s CoreDNS`);
  return resolveAll(fleet, consumer);
}

async function resolveAll(fleet: ReturnType<typeof parseFleetManifest>, consumer: string): Promise<ResolvedName[]> {
  const clients = new Map(fleet.clusters.map((c) => [c.id, adminClient(c.id)]));
  try {
    const names = await waitFor('the provider\'s pods running and both name forms imported', async () => {
      const found = await expectedNames(fleet, clients);
      return new Set(found.map((n) => n.pod)).size >= 2 && new Set(found.map((n) => n.fqdn.split('.').slice(-2).join('.'))).size === 2 ? found : undefined;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    const address = clusterOf(readState()!, consumer).coredns.address;
    return await waitFor('every name answering its pod IP', async () => {
      const rows = await Promise.all(names.map((n) => resolve(address, n)));
      return rows.every((r) => r.ok) ? rows : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 }).catch(async () => Promise.all(names.map((n) => resolve(address, n))));
  } finally {
    clients.forEach((c) => c.close());
  }
}

async function main(): Promise<number> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      say(`${signal}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    const rows = await demo();
    process.stdout.write(`\n${formatTable(rows)}\n\n`);
    const wrong = rows.filter((r) => !r.ok).length;
    say(wrong === 0 ? `all ${rows.length} names resolve to the pod they name` : `${wrong} of ${rows.length} names did not resolve to their pod`);
    return wrong === 0 ? 0 : 1;
  } catch (e) {
    if (!interrupted) {
      say(`FAILED: ${e instanceof MissingToolError ? e.message : (e as Error).stack ?? String(e)}`);
    }
    return 1;
  } finally {
    await cleanup();
    say(`done in ${((Date.now() - T0) / 1000).toFixed(0)}s; nothing left running`);
  }
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
