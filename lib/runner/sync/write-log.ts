/**
 * One info line per reconcile that wrote something, saying what and where (`wrote cache/redis:
 * us: endpointslices apply x2, serviceimports apply`), so an operator sees the runner act without
 * debug logging. Rate-limited: beyond `maxLines` lines per window the reconciles are counted and
 * summed up in one line when the window ends (a big fleet's first sync writes thousands of objects).
 */
import { Logger } from '../observe/log';

/** Writes of one reconcile: `<cluster> <resource> <verb>` -> count. */
export type WriteTally = Map<string, number>;

export function tallyWrite(tally: WriteTally, clusterId: string, resource: string, verb: string): void {
  const key = `${clusterId} ${resource} ${verb}`;
  tally.set(key, (tally.get(key) ?? 0) + 1);
}

/** `us: endpointslices apply x2, serviceimports apply; ap: endpointslices apply`. */
export function describeWrites(tally: WriteTally): string {
  const byCluster = new Map<string, string[]>();
  for (const [key, n] of [...tally].sort(([a], [b]) => a.localeCompare(b))) {
    const [cluster, resource, verb] = key.split(' ');
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), `${resource} ${verb}${n > 1 ? ` x${n}` : ''}`]);
  }
  return [...byCluster].map(([cluster, writes]) => `${cluster}: ${writes.join(', ')}`).join('; ');
}

export interface WriteLogOptions {
  readonly log: Logger;
  /** @default 10 */
  readonly maxLines?: number;
  /** @default 10_000 */
  readonly windowMs?: number;
  readonly now?: () => number;
}

export class WriteLog {
  private windowStart = 0;
  private lines = 0;
  private suppressed = { reconciles: 0, writes: 0, keys: new Set<string>() };

  public constructor(private readonly o: WriteLogOptions) {}

  /** Records a reconcile's writes; logs them unless this window's lines are used up. */
  public report(key: string, tally: WriteTally): void {
    const writes = [...tally.values()].reduce((a, b) => a + b, 0);
    if (writes === 0) {
      return;
    }
    this.flush();
    if (this.lines < (this.o.maxLines ?? 10)) {
      this.lines++;
      this.o.log.info(`wrote ${key}: ${describeWrites(tally)}`);
      return;
    }
    this.suppressed.reconciles++;
    this.suppressed.writes += writes;
    this.suppressed.keys.add(key);
  }

  /** Ends the window when it is over: the summary of what was not logged line by line. Call it periodically. */
  public flush(): void {
    const now = (this.o.now ?? Date.now)();
    const windowMs = this.o.windowMs ?? 10_000;
    if (now - this.windowStart < windowMs) {
      return;
    }
    const s = this.suppressed;
    if (s.reconciles > 0) {
      this.o.log.info(`wrote ${s.writes} more objects in ${s.reconciles} more reconciles of ${s.keys.size} services in the last ${Math.round((now - this.windowStart) / 1000)}s (at most ${this.o.maxLines ?? 10} lines per ${windowMs / 1000}s; --log-level debug shows every reconcile)`);
    }
    this.windowStart = now;
    this.lines = 0;
    this.suppressed = { reconciles: 0, writes: 0, keys: new Set() };
  }
}
