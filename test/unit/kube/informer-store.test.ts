/**
 * The informer's cache orders by the watch's event sequence, never by comparing resourceVersions
 * (the API calls them opaque): the versions below deliberately sort the wrong way as strings and
 * as numbers.
 */
import { InformerStore, PENDING_EXPIRY_MS } from '../../../lib/kube/informer-store';
import { KubeObject } from '../../../lib/kube/types';
import { obj } from './fake-api';

function store(now = { t: 0 }) {
  return { s: new InformerStore<KubeObject>({}, () => now.t), now };
}

describe('informer cache: opaque resourceVersions', () => {
  it('takes every watch event in the order delivered, whatever its resourceVersion looks like', () => {
    const { s } = store();
    s.replace([obj('a', '900')]);
    expect(s.applyEvent('MODIFIED', obj('a', '1000'))?.type).toBe('update');
    expect(s.applyEvent('MODIFIED', obj('a', '0x1f'))?.type).toBe('update'); // not a number at all
    expect(s.applyEvent('MODIFIED', obj('a', '5'))?.type).toBe('update'); // "smaller", but later in the watch
    expect(s.get('db/a')?.metadata.resourceVersion).toBe('5');
  });

  it('fires nothing for an event at the version already cached', () => {
    const { s } = store();
    s.replace([obj('a', 'r1')]);
    expect(s.applyEvent('MODIFIED', obj('a', 'r1'))).toBeUndefined();
  });

  it('keeps our written-through result over events that precede it in the watch, and takes its echo silently', () => {
    const { s } = store();
    s.replace([obj('a', 'zzz')]);
    s.upsertLocal(obj('a', 'mine', { labels: { by: 'us' } })); // our write's response
    // someone else's change committed before ours, delivered after our response arrived
    expect(s.applyEvent('MODIFIED', obj('a', 'theirs', { labels: { by: 'them' } }))).toBeUndefined();
    expect(s.get('db/a')?.metadata.labels).toEqual({ by: 'us' });
    expect(s.applyEvent('MODIFIED', obj('a', 'mine', { labels: { by: 'us' } }))).toBeUndefined(); // the echo
    // after the echo, later changes apply again
    expect(s.applyEvent('MODIFIED', obj('a', 'after', { labels: { by: 'them' } }))?.type).toBe('update');
    expect(s.get('db/a')?.metadata.labels).toEqual({ by: 'them' });
  });

  it('ignores a write result whose version the watch already delivered, keeping the newer event', () => {
    const { s } = store();
    s.replace([obj('a', 'v0')]);
    s.upsertLocal(obj('b', 'seed')); // the store writes through from now on
    s.applyEvent('MODIFIED', obj('a', 'mine')); // our write's echo came before its response
    s.applyEvent('MODIFIED', obj('a', 'later', { labels: { x: '1' } }));
    s.upsertLocal(obj('a', 'mine')); // the response, late
    expect(s.get('db/a')?.metadata.resourceVersion).toBe('later');
    // and nothing is held back waiting for an echo that already passed
    expect(s.applyEvent('MODIFIED', obj('a', 'later-still'))?.type).toBe('update');
  });

  it('does not resurrect an object the watch deleted before our write result arrived', () => {
    const { s } = store();
    s.replace([]);
    s.upsertLocal(obj('seed', 's'));
    s.applyEvent('ADDED', obj('a', 'created-by-us'));
    s.applyEvent('DELETED', obj('a', 'deleted'));
    s.upsertLocal(obj('a', 'created-by-us'));
    expect(s.get('db/a')).toBeUndefined();
  });

  it('holds back events of an object we deleted until its DELETED echo, but takes a new object under the same name', () => {
    const { s } = store();
    s.replace([obj('a', 'r1', { uid: 'old' })]);
    s.removeLocal('db/a');
    expect(s.applyEvent('MODIFIED', obj('a', 'r2', { uid: 'old' }))).toBeUndefined(); // precedes our delete
    expect(s.get('db/a')).toBeUndefined();
    expect(s.applyEvent('DELETED', obj('a', 'r3', { uid: 'old' }))).toBeUndefined(); // the echo
    expect(s.applyEvent('ADDED', obj('a', 'r4', { uid: 'new' }))?.type).toBe('add');
    s.removeLocal('db/a');
    expect(s.applyEvent('ADDED', obj('a', 'r5', { uid: 'newer' }))?.type).toBe('add'); // recreated by someone else
  });

  it('takes a later write result even when its echo came while an earlier write\'s echo was still awaited', () => {
    const { s } = store();
    s.replace([obj('a', 'r0')]);
    s.upsertLocal(obj('a', 'w1')); // its echo will be late
    expect(s.applyEvent('MODIFIED', obj('a', 'w2'))).toBeUndefined(); // held back: ordered before w1's echo as far as the store knows
    s.upsertLocal(obj('a', 'w2', { labels: { second: 'write' } })); // the response to our second write
    expect(s.get('db/a')?.metadata.resourceVersion).toBe('w2');
  });

  it('stops holding events back when the echo of a write never comes', () => {
    const { s, now } = store();
    s.replace([obj('a', 'r1')]);
    s.upsertLocal(obj('a', 'lost-echo'));
    expect(s.applyEvent('MODIFIED', obj('a', 'r2'))).toBeUndefined();
    now.t += PENDING_EXPIRY_MS + 1;
    expect(s.applyEvent('MODIFIED', obj('a', 'r3'))?.type).toBe('update');
  });

  it('forgets pending writes on a relist, which is the new truth', () => {
    const { s } = store();
    s.replace([obj('a', 'r1')]);
    s.upsertLocal(obj('a', 'mine'));
    const changes = s.replace([obj('a', 'r9')]);
    expect(changes.map((c) => c.type)).toEqual(['update']);
    expect(s.applyEvent('MODIFIED', obj('a', 'r10'))?.type).toBe('update');
  });
});

describe('informer cache: indexes', () => {
  it('unindexes exactly what it indexed, even when the index function changed its mind', () => {
    let mode = 'first';
    const s = new InformerStore<KubeObject>({ tag: () => [mode] });
    s.replace([obj('a', '1')]);
    mode = 'second';
    s.applyEvent('MODIFIED', obj('a', '2'));
    expect(s.byIndex('tag', 'first')).toEqual([]);
    expect(s.byIndex('tag', 'second').map((o) => o.metadata.name)).toEqual(['a']);
    s.applyEvent('DELETED', obj('a', '3'));
    expect(s.indexCount('tag', 'second')).toBe(0);
  });

  it('reindex recomputes an index for every object', () => {
    let indexed = new Set<string>();
    const s = new InformerStore<KubeObject>({ name: (o) => (indexed.has(o.metadata.name) ? [o.metadata.name] : []) });
    s.replace([obj('a', '1'), obj('b', '1')]);
    expect(s.indexCount('name', 'a')).toBe(0);
    indexed = new Set(['a']);
    s.reindex('name');
    expect(s.byIndex('name', 'a').map((o) => o.metadata.name)).toEqual(['a']);
    expect(() => s.reindex('nope')).toThrow(/no index "nope" \(indexes: name\)/);
  });
});
