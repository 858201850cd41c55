/**
 * `npm run conformance`: the official MCS conformance suite (kubernetes-sigs/mcs-api) against
 * cdk8s-mcs on a private two-cluster test bed. It builds the bed and the suite (cached), starts the
 * bed, applies a fleet holding only the runner's RBAC and CoreDNS's clusterset.local change (as
 * the compiler emits them), runs `cdk8s-mcs sync` as its own process with its least-privilege
 * kubeconfig, runs the suite as an admin against cluster-1 (exporting) and cluster-2, and prints
 * one line per test. The suite's report.yaml and report.html, its JUnit report and results.json go
 * to `conformance/`. The last line is `conformance: N passed, M failed, K skipped of T`; the exit
 * code is 0 only when nothing failed. Everything it started is stopped on exit and on Ctrl-C (the
 * bed's watchdog stops the bed if this process is killed).
 *
 * `npm run conformance -- build` only builds the suite (CI does it before `npm test`).
 *
 * Its own bed: CONFORMANCE_DIR (default <repo>/.conformance), ports from CONFORMANCE_PORT_BASE
 * (default 29000); output: CONFORMANCE_OUT (default <repo>/conformance). The report's
 * organization and URL: CONFORMANCE_ORGANIZATION, CONFORMANCE_URL.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cdk8sMcs, Say, startRunner, stopProcess } from '../../demo/steps';
import { ensureBuilt, MissingToolError } from '../../testbed/build';
import { down, readState, REPO_ROOT, runEmittedCorefile, statePath, up } from '../../testbed/harness';
import { missingDnsTools } from '../../testbed/pod-exec';
import { synthConformanceFleet } from './fleet';
import { readRunResults, RunResults, writeOutputs } from './outputs';
import { formatTable, summaryLine } from './results';
import { ensureSuiteBuilt, MissingSuiteError, SuiteBuild } from './suite-build';
import { runSuite, stopSuite } from './suite-run';

process.env.TESTBED_DIR = path.resolve(process.env.CONFORMANCE_DIR ?? path.join(REPO_ROOT, '.conformance'));
process.env.TESTBED_PORT_BASE = process.env.CONFORMANCE_PORT_BASE ?? '29000';
delete process.env.TESTBED_STATE;
const OUT = path.resolve(process.env.CONFORMANCE_OUT ?? path.join(REPO_ROOT, 'conformance'));
/** The exporting cluster first: the suite deploys and exports its services in the first context. */
const CLUSTERS = ['cluster-1', 'cluster-2'];

const T0 = Date.now();
const elapsed = () => `${((Date.now() - T0) / 1000).toFixed(0).padStart(4)}s`;
const say: Say = (line) => process.stdout.write(`[conformance ${elapsed()}] ${line}\n`);
const shown = (p: string) => (path.relative(REPO_ROOT, p).startsWith('..') ? p : path.relative(REPO_ROOT, p) || '.');
const STEPS = 7;
let step = 0;
const next = (what: string) => say(`(${++step}/${STEPS}) ${what}`);

let runner: ChildProcess | undefined;
let cleaning: Promise<void> | undefined;
let interrupted = false;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopSuite();
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

function implementation(): { organization: string; project: string; version: string; url: string } {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; homepage?: string };
  return { organization: process.env.CONFORMANCE_ORGANIZATION ?? 'cdk8s-mcs maintainers', project: 'cdk8s-mcs', version: pkg.version, url: process.env.CONFORMANCE_URL ?? pkg.homepage ?? '' };
}

async function buildEverything(): Promise<SuiteBuild> {
  next('building the test bed: Kubernetes, etcd, kwok and CoreDNS from Go modules (first run only: 20-50 minutes on 2 cores; cached afterwards)');
  const bed = await ensureBuilt({ log: (l) => say(`  ${l}`) });
  say(`  ${Object.keys(bed.timings).length === 0 ? 'cached' : 'built'}: ${bed.dirs.bin}`);
  next('building the MCS conformance suite from ../shared/third_party/mcs-api-conformance (first run only: about 4 minutes; cached afterwards)');
  const suite = await ensureSuiteBuilt({ log: (l) => say(`  ${l}`) });
  say(`  ${suite.seconds === undefined ? 'cached' : `built in ${suite.seconds.toFixed(0)}s`}: ${suite.binary} (suite commit ${suite.commit ?? 'unknown'})`);
  return suite;
}

async function deployImplementation(dir: string, kubeconfig: string): Promise<void> {
  const dist = path.join(dir, 'dist');
  next(`synthesizing the conformance fleet into ${shown(dist)}: the runner's RBAC and CoreDNS's clusterset.local change in ${CLUSTERS.join(' and ')}`);
  synthConformanceFleet(dist, CLUSTERS);
  next('cdk8s-mcs apply: every cluster folder of dist, in apply order');
  await cdk8sMcs(['apply', '--dist', dist, '--kubeconfig', kubeconfig], { say, logFile: path.join(dir, 'apply.log'), show: (l) => / objects?: |FAILED|error/.test(l) });
  next('CoreDNS of every cluster runs the Corefile the compiler emitted; cdk8s-mcs sync starts with its least-privilege kubeconfig');
  for (const id of CLUSTERS) {
    await runEmittedCorefile(dist, id);
  }
  const runnerKubeconfig = path.join(dir, 'runner.kubeconfig');
  await cdk8sMcs(['kubeconfig', '--dist', dist, '--kubeconfig', kubeconfig, '--out', runnerKubeconfig, '--duration', '2h'], { say, logFile: path.join(dir, 'kubeconfig.log') });
  runner = await startRunner({ dist, kubeconfig: runnerKubeconfig, logFile: path.join(dir, 'sync.log'), identity: 'conformance' });
  say(`  cdk8s-mcs sync is ready (log: ${shown(path.join(dir, 'sync.log'))})`);
}

async function conformance(): Promise<RunResults> {
  const missing = missingDnsTools();
  if (missing.length > 0) {
    throw new MissingToolError(`${missing.join(' and ')} missing: the suite's DNS tests run nslookup in its pods, which on the bed is the host's (see docs/testbed.md). Fix: apt-get install bind9-dnsutils`);
  }
  const suite = await buildEverything();
  const dir = process.env.TESTBED_DIR as string;
  next(`starting two clusters and their CoreDNS (state in ${shown(dir)})`);
  const watchdog = spawn(process.execPath, [path.join(REPO_ROOT, 'testbed', 'watchdog.js'), String(process.pid), statePath()], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  const bed = await up({ clusters: CLUSTERS, owner: 'cli', watchdogPid: watchdog.pid, noBuild: true, log: (l) => say(`  ${l}`) });
  await deployImplementation(dir, bed.kubeconfig);

  next(`running the suite against ${CLUSTERS.join(',')} as admin (skipped: the Connectivity tests, see CONFORMANCE.md); a few minutes`);
  const startedAt = new Date().toISOString();
  const run = await runSuite({ binary: suite.binary, workDir: path.join(dir, 'suite'), kubeconfig: bed.kubeconfig, contexts: CLUSTERS, implementation: implementation(), progress: say });
  const results = readRunResults(run);
  const written = writeOutputs(OUT, run, results, {
    suite: { commit: suite.commit, hash: suite.hash, binary: suite.binary },
    implementation: implementation(),
    contexts: CLUSTERS,
    startedAt,
    seconds: { suite: run.seconds, total: (Date.now() - T0) / 1000 },
  });
  say(`  suite finished in ${run.seconds.toFixed(0)}s (exit ${run.signal ?? run.exitCode}); wrote ${written.map(shown).join(', ')}`);
  return results;
}

function printResults(results: RunResults): void {
  process.stdout.write(`\n${formatTable(results.tests)}\n\n`);
  if (results.report) {
    say(`report.yaml: ${results.report.passed} of ${results.report.total} passed${results.report.suiteFailure ? `; suite failure: ${results.report.suiteFailure}` : ''}`);
  }
  results.setupFailures.forEach((f) => say(`suite set-up failed: ${f}`));
}

async function main(): Promise<number> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      say(`${signal}: cleaning up`);
      void cleanup().finally(() => {
        process.stdout.write('conformance: interrupted\n');
        process.exit(130);
      });
    });
  }
  let results: RunResults | undefined;
  let failure: string | undefined;
  try {
    results = await conformance();
    printResults(results);
  } catch (e) {
    failure = e instanceof MissingToolError || e instanceof MissingSuiteError ? e.message : ((e as Error).stack ?? String(e));
    if (!interrupted) {
      say(`FAILED: ${failure}`);
    }
  } finally {
    await cleanup();
    say(`done in ${((Date.now() - T0) / 1000).toFixed(0)}s; nothing left running`);
  }
  if (!results) {
    process.stdout.write(`conformance: no results (${(failure ?? 'unknown error').split('\n')[0]})\n`);
    return 1;
  }
  process.stdout.write(`${summaryLine(results.counts)}\n`);
  return results.counts.failed === 0 && results.setupFailures.length === 0 && results.counts.total > 0 ? 0 : 1;
}

async function buildOnly(): Promise<number> {
  const suite = await ensureSuiteBuilt({ log: (l) => say(l) });
  say(`${suite.seconds === undefined ? 'cached' : `built in ${suite.seconds.toFixed(0)}s`}: ${suite.binary}`);
  return 0;
}

const command = process.argv[2];
if (command !== undefined && command !== 'build') {
  process.stderr.write('usage: npm run conformance [-- build]\n  (no command)  run the MCS conformance suite on a private test bed\n  build         only build the suite (cached by its content)\n');
  process.exit(2);
}
(command === 'build' ? buildOnly() : main()).then((code) => process.exit(code), (e) => {
  process.stderr.write(`${(e as Error).message ?? e}\n`);
  process.exit(1);
});
