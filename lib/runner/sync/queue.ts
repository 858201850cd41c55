/**
 * A de-duplicating work queue with per-key exponential backoff, like client-go's rate-limited
 * queue: a key is never processed by two workers at once, a key added while it is being
 * processed runs again afterwards, and failures are retried later rather than in a tight loop.
 *
 * A second, low-priority lane holds keys whose less urgent work was put off (the controller puts
 * off status writes while a backlog of keys waits, so every consumer's slices come first): a
 * worker takes from it only when no key waits in the normal lane, and a key waiting in the normal
 * lane covers its low-priority entry.
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
  /** The low-priority lane, in order; entries no longer in `lowQueued` are stale and skipped. */
  private readonly low: string[] = [];
  private readonly lowQueued = new Set<string>();
  /** Added to the low lane while being processed: queued there when done. */
  private readonly lowAfterDone = new Set<string>();
  /** Being processed, taken from the low lane. */
  private readonly takenLow = new Set<string>();
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
    this.lowQueued.delete(key); // the normal pass covers it
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

  /**
   * Adds a key to the low-priority lane: handed out only when no key waits in the normal lane.
   * A no-op while the key waits in the normal lane; a key being processed is queued when done.
   */
  public addLow(key: string): void {
    if (this.shuttingDown || this.queued.has(key) || this.lowQueued.has(key)) {
      return;
    }
    if (this.processing.has(key)) {
      this.lowAfterDone.add(key);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      this.processing.add(key);
      this.takenLow.add(key);
      waiter(key);
      return;
    }
    this.lowQueued.add(key);
    this.low.push(key);
  }

  /** Whether a key being processed was taken from the low-priority lane. */
  public isLowPriority(key: string): boolean {
    return this.takenLow.has(key);
  }

  /** Keys waiting in the normal lane (not being processed, not delayed). */
  public get waiting(): number {
    return this.queue.length;
  }

  /** Keys waiting in the low-priority lane. */
  public get waitingLow(): number {
    return this.lowQueued.size;
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
    while (this.low.length > 0) {
      const lowKey = this.low.shift()!;
      if (!this.lowQueued.delete(lowKey)) {
        continue; // stale: a normal add covered it (a key in lowQueued is never being processed: addLow defers those to done())
      }
      this.processing.add(lowKey);
      this.takenLow.add(lowKey);
      return Promise.resolve(lowKey);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key processed; re-queues it if it was added meanwhile. Returns when it was first added. */
  public done(key: string): number | undefined {
    this.processing.delete(key);
    this.takenLow.delete(key);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (this.dirty.delete(key)) {
      this.addedAt.set(key, this.dirtyAt.get(key) ?? Date.now());
      this.dirtyAt.delete(key);
      this.add(key);
    }
    if (this.lowAfterDone.delete(key)) {
      this.addLow(key);
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
    this.low.length = 0;
    this.lowQueued.clear();
    this.lowAfterDone.clear();
    this.waiters.splice(0).forEach((w) => w(undefined));
  }
}
