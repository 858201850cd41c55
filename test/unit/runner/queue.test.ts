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
});
