/** The reconcile worker re-checks leadership after dequeuing: a key taken after the lease was lost is not processed. */
import { WorkQueue } from '../../../lib/runner/sync/queue';
import { runWorker } from '../../../lib/runner/sync/worker';

const tick = () => new Promise((r) => setImmediate(r));

describe('reconcile worker', () => {
  it('does not process a key it was handed after leadership ended while it waited in get()', async () => {
    const queue = new WorkQueue();
    let leader = true;
    const processed: string[] = [];
    let regained: () => void = () => undefined;
    const done = runWorker({
      queue,
      isStopped: () => false,
      isLeader: () => leader,
      waitForLeadership: () => (leader ? Promise.resolve() : new Promise<void>((r) => (regained = r))),
      process: async (key) => {
        processed.push(key);
        queue.done(key);
      },
    });
    await tick(); // parked in get()
    leader = false; // the lease is lost meanwhile
    queue.add('db/a');
    await tick();
    expect(processed).toEqual([]);
    leader = true;
    regained();
    queue.add('db/a'); // the new term re-queues every key
    await tick();
    expect(processed).toEqual(['db/a']);
    queue.shutDown();
    await done;
  });

  it('counts only keys it processed', async () => {
    const queue = new WorkQueue();
    let n = 0;
    const done = runWorker({ queue, isStopped: () => false, isLeader: () => true, waitForLeadership: () => Promise.resolve(), process: async (k) => void queue.done(k), onProcessed: () => n++ });
    queue.add('a');
    queue.add('b');
    await tick();
    queue.shutDown();
    await done;
    expect(n).toBe(2);
  });
});
