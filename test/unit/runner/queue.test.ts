import { WorkQueue } from '../../../lib/runner/sync/queue';

describe('WorkQueue', () => {
  it('hands out each key once however often it was added', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.length).toBe(2);
  });

  it('runs a key again after it is done if it was added while being processed', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = (await q.get())!;
    q.add('a');
    expect(q.length).toBe(2);
    q.done(key);
    expect(await q.get()).toBe('a');
  });

  it('retries failing keys with a growing delay', () => {
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 35 });
    expect([q.addRateLimited('a'), q.addRateLimited('b')]).toEqual([10, 10]);
    q.shutDown();
    const r = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 35 });
    const delays = [1, 2, 3, 4].map(() => { const d = r.addRateLimited('a'); return d; });
    expect(delays).toEqual([10, 20, 35, 35]);
    r.forget('a');
    expect(r.addRateLimited('a')).toBe(10);
    r.shutDown();
  });

  it('wakes waiting workers on shutdown', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
  });

  describe('the low-priority lane', () => {
    it('hands out a low key only when no key waits in the normal lane', async () => {
      const q = new WorkQueue();
      q.addLow('status-a');
      q.add('b');
      q.add('c');
      expect(q.waiting).toBe(2);
      expect(q.waitingLow).toBe(1);
      expect(await q.get()).toBe('b');
      expect(q.isLowPriority('b')).toBe(false);
      expect(await q.get()).toBe('c');
      expect(await q.get()).toBe('status-a');
      expect(q.isLowPriority('status-a')).toBe(true);
      q.done('status-a');
      expect(q.isLowPriority('status-a')).toBe(false);
    });

    it('a key added to the normal lane covers its low entry: processed once, at normal priority', async () => {
      const q = new WorkQueue();
      q.addLow('a');
      q.add('a');
      expect(q.waitingLow).toBe(0);
      expect(await q.get()).toBe('a');
      expect(q.isLowPriority('a')).toBe(false);
      q.done('a');
      q.addLow('b');
      expect(await q.get()).toBe('b'); // not the stale 'a'
      q.shutDown();
    });

    it('is a no-op for a key waiting in the normal lane', async () => {
      const q = new WorkQueue();
      q.add('a');
      q.addLow('a');
      expect(q.waitingLow).toBe(0);
      expect(await q.get()).toBe('a');
      expect(q.isLowPriority('a')).toBe(false);
    });

    it('queues a key added while it is processed once it is done, never to two workers at once', async () => {
      const q = new WorkQueue();
      q.add('a');
      expect(await q.get()).toBe('a');
      q.addLow('a'); // its status was put off during this pass
      expect(q.waitingLow).toBe(0);
      q.done('a');
      expect(q.waitingLow).toBe(1);
      expect(await q.get()).toBe('a');
      expect(q.isLowPriority('a')).toBe(true);
    });

    it('a normal re-add during processing wins over a low one', async () => {
      const q = new WorkQueue();
      q.add('a');
      await q.get();
      q.addLow('a');
      q.add('a'); // an event meanwhile
      q.done('a');
      expect([q.waiting, q.waitingLow]).toEqual([1, 0]);
      expect(await q.get()).toBe('a');
      expect(q.isLowPriority('a')).toBe(false);
    });

    it('wakes a waiting worker', async () => {
      const q = new WorkQueue();
      const waiting = q.get();
      q.addLow('a');
      expect(await waiting).toBe('a');
      expect(q.isLowPriority('a')).toBe(true);
    });

    it('is emptied by shutdown', async () => {
      const q = new WorkQueue();
      q.addLow('a');
      q.shutDown();
      expect(q.waitingLow).toBe(0);
      expect(await q.get()).toBeUndefined();
    });
  });
});
