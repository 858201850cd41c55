/**
 * npm run bench -- <name> [--<param> <value> ...] [--reuse-bed] [--out FILE]
 * npm run bench -- report <bench/results/<name>-<time>.json>
 *
 * Runs one benchmark, prints its tables (Markdown) on stdout and writes the full result as JSON to
 * bench/results/<name>-<time>.json (and <name>-latest.json). Benchmarks on the test bed start
 * their own bed in TESTBED_DIR (default bench/results/bed) on ports from TESTBED_PORT_BASE
 * (default 25000), so they never disturb a bed that tests or a developer use, and stop it at the
 * end, on Ctrl-C, and (through the bed's watchdog) when killed. --reuse-bed uses a bed already
 * running there and leaves it up. BENCH_KEEP_WORK=1 keeps the run's work folder (the runner's
 * log, the dist) for a look afterwards.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BedOptions, parseParams } from './common/benchmark';
import { compileForBench } from './common/build';
import { machineInfo, REPO } from './common/machine';
import { RESULTS_DIR, writeReport } from './common/results';
import { benchmarkNamed, BENCHMARKS } from './registry';

process.env.TESTBED_DIR = path.resolve(process.env.TESTBED_DIR ?? path.join(RESULTS_DIR, 'bed'));
process.env.TESTBED_PORT_BASE = process.env.TESTBED_PORT_BASE ?? '25000';
delete process.env.TESTBED_STATE;

// Imported after the environment is set: the harness reads TESTBED_DIR when called.
import { down, readState, status, statePath, up } from '../testbed/harness';

const T0 = Date.now();
const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - T0) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
let ownBed = false;
let stopping: Promise<void> | undefined;

function usage(): string {
  return `usage: npm run bench -- <name> [--<param> <value> ...] [--reuse-bed] [--out FILE]\n       npm run bench -- report <bench/results/<name>-<time>.json>   (the tables of a saved run)\n\n${BENCHMARKS.map((b) => `  ${b.name.padEnd(12)} ${b.summary}\n${' '.repeat(15)}${Object.entries(b.defaults).map(([k, v]) => `--${k} ${v}`).join(' ')}`).join('\n')}\n`;
}

function stopOwnBed(): Promise<void> {
  stopping ??= ownBed && readState() ? down({ log: (l) => log(l) }).then(() => undefined) : Promise.resolve();
  return stopping;
}

async function ensureBed(clusters: string[], reuse: boolean, options: BedOptions = {}): Promise<void> {
  const existing = readState();
  if (reuse) {
    const st = await status();
    const ids = existing?.clusters.map((c) => c.id) ?? [];
    if (!st.running || clusters.some((c) => !ids.includes(c))) {
      throw new Error(`--reuse-bed: no running bed with clusters ${clusters.join(',')} in ${path.dirname(statePath())} (start one: TESTBED_DIR=${process.env.TESTBED_DIR} TESTBED_PORT_BASE=${process.env.TESTBED_PORT_BASE} npm run testbed -- up --clusters ${clusters.join(',')})`);
    }
    log(`reusing the bed in ${path.relative(REPO, path.dirname(statePath()))} (${ids.join(', ')})`);
    return;
  }
  if (existing && (await status()).running) {
    throw new Error(`a bed is already running in ${path.dirname(statePath())}; stop it (TESTBED_DIR=${process.env.TESTBED_DIR} npm run testbed -- down) or pass --reuse-bed`);
  }
  const watchdog = spawn(process.execPath, [path.join(REPO, 'testbed', 'watchdog.js'), String(process.pid), statePath()], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  ownBed = true;
  await up({ clusters, owner: 'cli', watchdogPid: watchdog.pid, log: (l) => log(l), ...options });
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === 'report') {
    // npm run bench -- report <result.json>: the tables of a saved run again (what BENCHMARKS.md quotes).
    const file = rest[0];
    if (!file) {
      throw new Error('usage: npm run bench -- report <bench/results/<name>-<time>.json>');
    }
    const report = JSON.parse(fs.readFileSync(file, 'utf8')) as Parameters<ReturnType<typeof benchmarkNamed>['format']>[0];
    process.stdout.write(`${benchmarkNamed(report.benchmark).format(report)}\n`);
    return 0;
  }
  const bench = benchmarkNamed(name);
  const reuse = rest.includes('--reuse-bed');
  const outIndex = rest.indexOf('--out');
  const out = outIndex >= 0 ? path.resolve(rest[outIndex + 1]) : undefined;
  const paramArgs = rest.filter((a, i) => a !== '--reuse-bed' && (outIndex < 0 || (i !== outIndex && i !== outIndex + 1)));
  const params = parseParams(bench.defaults, paramArgs);
  const command = `npm run bench -- ${[name, ...paramArgs].join(' ')}`;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void stopOwnBed().finally(() => process.exit(130));
    });
  }
  const workDir = path.join(RESULTS_DIR, 'work', `${name}-${process.pid}`);
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  try {
    compileForBench(log);
    const clusters = bench.bedClusters?.(params);
    if (clusters) {
      await ensureBed(clusters, reuse, bench.bedOptions?.(params));
    }
    const machine = machineInfo();
    const started = Date.now();
    const results = await bench.run({ log, workDir }, params);
    const report = { benchmark: name, command, machine, params, results, durationSeconds: Math.round((Date.now() - started) / 1000) };
    const file = writeReport(report, out);
    process.stdout.write(`${bench.format(report)}\n`);
    log(`wrote ${path.relative(REPO, file)}`);
    if (process.env.BENCH_KEEP_WORK === '1') {
      log(`kept ${path.relative(REPO, workDir)} (BENCH_KEEP_WORK=1): the runner's log, dist and kubeconfig`);
    } else {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
    return 0;
  } finally {
    await stopOwnBed();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    log(`FAILED: ${(e as Error).stack ?? e}`);
    void stopOwnBed().finally(() => process.exit(1));
  },
);
