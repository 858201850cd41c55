/** What a benchmark result must record about where and when it ran. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..').replace(/[\\/]bench[\\/]results[\\/]build$/, '');

export interface MachineInfo {
  readonly date: string;
  readonly commit: string;
  /** Uncommitted changes to tracked files when the benchmark ran. */
  readonly dirty: boolean;
  readonly nproc: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly go: string;
  readonly kernel: string;
  /** 1-minute load average at the start: the machine is shared, so this says how quiet it was. */
  readonly loadAverage1m: number;
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function goVersion(): string {
  for (const go of [process.env.GO, 'go', '/usr/local/go/bin/go'].filter((g): g is string => Boolean(g))) {
    const v = run(go, ['version']);
    if (v !== 'unknown') {
      return v.replace(/^go version /, '');
    }
  }
  return 'unknown';
}

export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    commit: run('git', ['rev-parse', '--short=12', 'HEAD']),
    dirty: run('git', ['status', '--porcelain', '--untracked-files=no']) !== '',
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    go: goVersion(),
    kernel: `${os.type()} ${os.release()}`,
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

/** One line for tables: `2 cores (Intel ...), 23.5 GiB, Node v20.20.2, go1.26.8, commit abc123 (2026-11-23)`. */
export function describeMachine(m: MachineInfo): string {
  return `${m.nproc} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.go}, ${m.kernel}; commit ${m.commit}${m.dirty ? ' (+ uncommitted changes)' : ''}; ${m.date.slice(0, 16).replace('T', ' ')} UTC; load average ${m.loadAverage1m} at start`;
}

/** Peak and current resident memory of a process, from /proc (Linux). */
export function processMemory(pid: number): { rssBytes: number; peakRssBytes: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}
