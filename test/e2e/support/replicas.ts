/**
 * Runner replicas as real `cdk8s-mcs sync` processes for the leader election tests, each with its
 * own identity, metrics port and (test-only) wall-clock skew, and a sampler that records, every
 * 200 ms, each replica's mutating API requests (its clients' own request counter) and the leader
 * Lease's holder, so "exactly one writes at any time" can be checked over the whole run.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { CLOCK_SKEW_ENV } from '../../../lib/runner/sync/clock';
import { REPO, RUNNER_NAMESPACE, runnerKubeconfig } from './fleet-run';
import * as tb from './testbed';

const MUTATING = new Set(['create', 'apply', 'update', 'patch', 'delete']);

export interface Replica {
  readonly name: string;
  readonly skewMs: number;
  readonly port: number;
  readonly proc: ChildProcess;
  readonly log: string[];
}

export function startReplica(o: { name: string; skewMs: number; port: number; dist: string; leaderCluster: string }): Replica {
  const log: string[] = [];
  const args = ['sync', '--dist', o.dist, '--kubeconfig', runnerKubeconfig(), '--metrics-port', String(o.port), '--leader-election-cluster', o.leaderCluster, '--identity', o.name, '--log-level', 'info'];
  const proc = spawn(path.join(REPO, 'bin', 'cdk8s-mcs'), args, { env: { ...process.env, [CLOCK_SKEW_ENV]: String(o.skewMs) }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => log.push(String(d)));
  proc.stderr!.on('data', (d) => log.push(String(d)));
  return { name: o.name, skewMs: o.skewMs, port: o.port, proc, log };
}

export function isRunning(r: Replica): boolean {
  return r.proc.exitCode === null && r.proc.signalCode === null;
}

/** Sends the signal and resolves once the process is gone. */
export function stopReplica(r: Replica, signal: NodeJS.Signals): Promise<void> {
  if (!isRunning(r)) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    r.proc.once('exit', () => resolve());
    r.proc.kill(signal);
  });
}

/** Samples of one metric family: labels and value per line. */
export async function metrics(r: Replica): Promise<{ name: string; labels: Record<string, string>; value: number }[] | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${r.port}/metrics`)).text();
    return text.split('\n').filter((l) => l && !l.startsWith('#')).map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line)!;
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((p) => [p[1], p[2]]));
      return { name: m[1], labels, value: Number(m[3]) };
    });
  } catch {
    return undefined;
  }
}

export interface WriteCounts {
  /** Every mutating request the replica's clients made (the leader and liveness Leases included). */
  readonly requests: number;
  /** Mutating requests to anything but Leases: the derived objects only the leader may write. */
  readonly derivedRequests: number;
  /** cdk8s_mcs_writes_total of the sync (Leases excluded). */
  readonly syncWrites: number;
  readonly leader: number;
}

export async function writeCounts(r: Replica): Promise<WriteCounts | undefined> {
  const m = await metrics(r);
  if (!m) {
    return undefined;
  }
  const requests = m.filter((s) => s.name === 'cdk8s_mcs_api_requests_total' && MUTATING.has(s.labels.verb));
  return {
    requests: requests.reduce((a, s) => a + s.value, 0),
    derivedRequests: requests.filter((s) => s.labels.resource !== 'leases').reduce((a, s) => a + s.value, 0),
    syncWrites: m.filter((s) => s.name === 'cdk8s_mcs_writes_total' && s.labels.resource !== 'leases').reduce((a, s) => a + s.value, 0),
    leader: m.find((s) => s.name === 'cdk8s_mcs_leader')?.value ?? 0,
  };
}

export interface Sample {
  readonly at: number;
  /** The Lease's holder read after the counts ('' when it has none, '(unread)' when the read failed). */
  readonly holder: string;
  /** The holder read before the counts: a write the counts show happened between this read in one sample and `holder` in the next. */
  readonly holderBefore: string;
  readonly leaseVersion: string;
  /** Per replica name, its counts (the last known ones once it is gone). */
  readonly counts: Readonly<Record<string, WriteCounts>>;
}

/** Records the holder of the leader Lease and every replica's counts every 200 ms until stopped. */
export class WriteTimeline {
  public readonly samples: Sample[] = [];
  private readonly last: Record<string, WriteCounts> = {};
  private running = true;
  private loop?: Promise<void>;

  public constructor(private readonly leaderCluster: string, private readonly replicas: () => readonly Replica[]) {}

  public start(): void {
    this.loop = this.run();
  }

  public async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  public latest(): Sample | undefined {
    return this.samples[this.samples.length - 1];
  }

  private async readLease(): Promise<{ holder: string; version: string }> {
    try {
      const lease = await tb.client(this.leaderCluster).tryGet('coordination.k8s.io/v1', 'Lease', 'cdk8s-mcs-sync', RUNNER_NAMESPACE);
      return { holder: lease?.spec?.holderIdentity ?? '', version: lease?.metadata?.resourceVersion ?? '' };
    } catch {
      return { holder: '(unread)', version: '' };
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      // The Lease is read on both sides of the counts. A replica that takes the Lease and writes
      // between the first read and its scrape shows writes no earlier read can vouch for (CI saw
      // exactly that at the first acquisition: holder "" before, skew-a's writes in the same sample).
      const before = await this.readLease();
      for (const r of this.replicas()) {
        const c = isRunning(r) ? await writeCounts(r) : undefined;
        if (c) {
          this.last[r.name] = c;
        }
      }
      const after = await this.readLease();
      this.samples.push({ at: Date.now(), holder: after.holder, holderBefore: before.holder, leaseVersion: after.version, counts: { ...this.last } });
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  /**
   * Intervals in which more than one replica's derived writes grew, or one grew while every read of
   * the Lease that brackets the growth (after the previous counts, before and after these) named
   * another holder.
   */
  public violations(): string[] {
    const found: string[] = [];
    for (let i = 1; i < this.samples.length; i++) {
      const [a, b] = [this.samples[i - 1], this.samples[i]];
      const writers = Object.keys(b.counts).filter((n) => (b.counts[n]?.derivedRequests ?? 0) > (a.counts[n]?.derivedRequests ?? 0));
      if (writers.length > 1) {
        found.push(`${new Date(b.at).toISOString()}: ${writers.join(' and ')} both wrote`);
      }
      for (const w of writers) {
        const seen = [a.holder, b.holderBefore, b.holder];
        if (!seen.includes(w)) {
          found.push(`${new Date(b.at).toISOString()}: ${w} wrote while the Lease was held by ${seen.map((h) => `"${h}"`).join(', then ')}`);
        }
      }
    }
    return found;
  }
}
