/**
 * `cdk8s-mcs sync` as its own process (compiled JavaScript, production defaults: leader election,
 * 60 s endpoint TTL, node started with the image's flags), so its memory and CPU are its own;
 * read through /readyz and /metrics.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compiled } from './build';
import { freePort, stopChildProcess } from '../../testbed/processes';
import { sampleMemory } from './child';

export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses Prometheus text exposition (the subset the runner emits). */
export function parsePrometheus(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line.trim());
    if (!m) {
      continue;
    }
    const labels: Record<string, string> = {};
    for (const pair of (m[3] ?? '').split(/,(?=[a-zA-Z_]\w*=")/).filter(Boolean)) {
      const eq = pair.indexOf('=');
      labels[pair.slice(0, eq)] = pair.slice(eq + 2, -1);
    }
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return samples;
}

/** Counts keyed `cluster verb resource` from cdk8s_mcs_api_requests_total (every request the runner's clients made). */
export function apiRequestCounts(samples: readonly PromSample[]): Map<string, number> {
  return new Map(samples.filter((s) => s.name === 'cdk8s_mcs_api_requests_total').map((s) => [`${s.labels.cluster} ${s.labels.verb} ${s.labels.resource}`, s.value]));
}

/** Counts keyed `cluster verb resource` from cdk8s_mcs_writes_total (the sync's own writes, leases included). */
export function syncWriteCounts(samples: readonly PromSample[]): Map<string, number> {
  return new Map(samples.filter((s) => s.name === 'cdk8s_mcs_writes_total').map((s) => [`${s.labels.cluster} ${s.labels.verb} ${s.labels.resource}`, s.value]));
}

/** after - before, per key, keeping only keys that changed. */
export function delta(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d !== 0) {
      out.set(k, d);
    }
  }
  return out;
}

/**
 * The node flags the runner image starts with: what its Dockerfile's exec-form ENTRYPOINT puts
 * between `node` and the CLI script (e.g. `--max-semi-space-size=2`), so the benchmarks measure
 * the runner as it is deployed.
 */
export function imageNodeFlags(dockerfile = repoDockerfile()): string[] {
  const entry = fs.readFileSync(dockerfile, 'utf8').split('\n').filter((l) => /^ENTRYPOINT\s/.test(l)).pop();
  const argv = entry ? (JSON.parse(entry.replace(/^ENTRYPOINT\s+/, '')) as string[]) : [];
  if (argv[0] !== 'node' || argv.length < 2) {
    throw new Error(`${dockerfile}: expected an exec-form ENTRYPOINT ["node", <node flags...>, <cli>], got ${entry ?? 'none'}`);
  }
  return argv.slice(1, -1);
}

/** The repository's Dockerfile, found upwards from here (this file also runs compiled, from bench/results/build). */
function repoDockerfile(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'Dockerfile')) && fs.existsSync(path.join(dir, 'package.json'))) {
      return path.join(dir, 'Dockerfile');
    }
  }
  throw new Error(`no Dockerfile next to a package.json above ${__dirname}`);
}

export interface RunnerStartOptions {
  readonly dist: string;
  readonly kubeconfig: string;
  readonly logFile: string;
  readonly extraArgs?: readonly string[];
}

export class RunnerProcess {
  /** Epoch ms when the process was spawned. */
  public readonly startedAt: number;
  private exited?: string;
  private readonly memory: ReturnType<typeof sampleMemory>;

  private constructor(private readonly child: ChildProcess, public readonly port: number, private readonly logFile: string) {
    this.startedAt = Date.now();
    child.once('exit', (code, signal) => (this.exited = `exited with ${signal ?? code}`));
    this.memory = sampleMemory(child.pid!);
  }

  public static async start(o: RunnerStartOptions): Promise<RunnerProcess> {
    const port = await freePort();
    const out = fs.openSync(o.logFile, 'a');
    const args = [compiled('bench/children/runner-main.ts'), 'sync', '--dist', o.dist, '--kubeconfig', o.kubeconfig, '--metrics-port', String(port), '--identity', 'bench', '--log-level', 'warn', ...(o.extraArgs ?? [])];
    // BENCH_RUNNER_NODE_ARGS: extra node flags for the runner, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
    const nodeArgs = [...imageNodeFlags(), ...(process.env.BENCH_RUNNER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
    const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    if (process.env.BENCH_RUNNER_NICE) {
      // Diagnostic only (never in published tables): run the runner at another CPU priority to see how much of its latency is waiting for a CPU.
      execFileSync('renice', ['-n', process.env.BENCH_RUNNER_NICE, '-p', String(child.pid)], { stdio: 'ignore' });
    }
    return new RunnerProcess(child, port, o.logFile);
  }

  public get pid(): number {
    return this.child.pid!;
  }

  private async get(path: string): Promise<{ ok: boolean; text: string }> {
    if (this.exited) {
      throw new Error(`cdk8s-mcs sync ${this.exited}; its log: ${this.logFile}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}${path}`);
      return { ok: res.ok, text: await res.text() };
    } catch {
      return { ok: false, text: '' };
    }
  }

  /** Polls /readyz every `intervalMs`; resolves with the epoch ms of the first 200. */
  public async waitReady(timeoutMs: number, intervalMs = 50): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const r = await this.get('/readyz');
      if (r.ok) {
        return Date.now();
      }
      last = r.text;
      await new Promise((res) => setTimeout(res, intervalMs));
    }
    throw new Error(`the runner was not ready after ${timeoutMs} ms: ${last.trim()} (log: ${this.logFile})`);
  }

  public async metrics(): Promise<PromSample[]> {
    const r = await this.get('/metrics');
    if (!r.ok) {
      throw new Error(`GET /metrics of the runner failed (log: ${this.logFile})`);
    }
    return parsePrometheus(r.text);
  }

  /** Peak resident memory so far (VmHWM, plus 250 ms samples of VmRSS). */
  public peakRssBytes(): number {
    return this.memory.peak();
  }

  public async stop(): Promise<{ peakRssBytes: number }> {
    const peakRssBytes = this.memory.stop();
    await stopChildProcess(this.child);
    return { peakRssBytes };
  }
}
