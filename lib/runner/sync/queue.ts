/**
 * A de-duplicating work queue with per-key exponential backoff, like client-go's rate-limited
 * queue: a key is never processed by two workers at once, a key added while it is being
 * processed runs again afterwards, and failures are retried later rather than in a tight loop.
 */

export interface QueueOptions {
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** When each queued key was first added, for the event-to-write latency metric. */
  private readonly addedAt = new Map<string, number>();
  private readonly dirtyAt = new Map<string, number>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  public constructor(private readonly options: QueueOptions = {}) {}

  public add(key: string): void {
    if (this.shuttingDown) {
      return;
    }
    if (this.processing.has(key)) {
      if (!this.dirty.has(key)) {
        this.dirty.add(key);
        this.dirtyAt.set(key, Date.now());
      }
      return;
    }
    if (!this.addedAt.has(key)) {
      this.addedAt.set(key, Date.now());
    }
    if (this.queued.has(key)) {
      return;
    }
    this.queued.add(key);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.queued.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.queue.push(key);
    }
  }

  /** Adds the key again after its backoff delay, which doubles with each consecutive failure. */
  public addRateLimited(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const delay = Math.min((this.options.baseDelayMs ?? 100) * 2 ** (failures - 1), this.options.maxDelayMs ?? 30_000);
    this.addAfter(key, delay);
    return delay;
  }

  public addAfter(key: string, delayMs: number): void {
    if (this.timers.has(key) || this.shuttingDown) {
      return;
    }
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs));
  }

  /** Clears the failure count of a key after it succeeded. */
  public forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key to process; resolves to `undefined` once the queue shuts down. */
  public get(): Promise<string | undefined> {
    if (this.shuttingDown) {
      return Promise.resolve(undefined);
    }
    const key = this.queue.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key processed; re-queues it if it was added meanwhile. Returns when it was first added. */
  public done(key: string): number | undefined {
    this.processing.delete(key);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (this.dirty.delete(key)) {
      this.addedAt.set(key, this.dirtyAt.get(key) ?? Date.now());
      this.dirtyAt.delete(key);
      this.add(key);
    }
    return added;
  }

  /** Keys waiting or being processed (not counting delayed retries). */
  public get length(): number {
    return this.queue.length + this.processing.size + this.dirty.size;
  }

  public get pendingRetries(): number {
    return this.timers.size;
  }

  public shutDown(): void {
    this.shuttingDown = true;
    this.timers.forEach((t) => clearTimeout(t));
    this.timers.clear();
    this.waiters.splice(0).forEach((w) => w(undefined));
  }
}
