/**
 * One reconcile worker of the controller: waits until this replica leads, takes a key, and checks
 * leadership again before processing it, because a worker parked in `get()` when the lease was
 * lost would otherwise reconcile (and write) the next key as if it still led.
 */
import { WorkQueue } from './queue';

export interface WorkerOptions {
  readonly queue: WorkQueue;
  readonly isStopped: () => boolean;
  readonly isLeader: () => boolean;
  /** Resolves once this replica leads (or is stopping). */
  readonly waitForLeadership: () => Promise<void>;
  /** Reconciles one key; must call queue.done(key) when finished. */
  readonly process: (key: string) => Promise<void>;
  /** After each processed key (not after keys left to the next leadership term). */
  readonly onProcessed?: () => void;
}

export async function runWorker(o: WorkerOptions): Promise<void> {
  while (!o.isStopped()) {
    await o.waitForLeadership();
    const key = await o.queue.get();
    if (key === undefined) {
      return;
    }
    if (!o.isLeader()) {
      // Leadership ended while parked in get(): the next term re-queues every key.
      o.queue.done(key);
      continue;
    }
    await o.process(key);
    o.onProcessed?.();
  }
}
