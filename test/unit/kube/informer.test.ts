/**
 * The informer as client-go's reflector: paginated lists, a 410 on a continue token relisting, a
 * throwing handler reported without ending the watch, and a transform applied to everything cached.
 */
import { Informer } from '../../../lib/kube/informer';
import { PODS } from '../../../lib/kube/resources';
import { KubeObject } from '../../../lib/kube/types';
import { KubeApiError } from '../../../lib/kube/errors';
import { FakeApi, flush, obj } from './fake-api';

const pods = (n: number, from = 0) => Array.from({ length: n }, (_, i) => obj(`p${from + i}`, `rv-${from + i}`));

/** Serves `all` in pages of `limit`, tokens `page-<offset>`. */
function paged(all: KubeObject[], resourceVersion = 'snap') {
  return (q: Record<string, string | undefined>) => {
    const limit = q.limit ? Number(q.limit) : all.length;
    const offset = q.continue ? Number(q.continue.slice('page-'.length)) : 0;
    const next = offset + limit;
    return { items: all.slice(offset, next), resourceVersion, ...(next < all.length ? { continueToken: `page-${next}` } : {}) };
  };
}

async function started(api: FakeApi, informer: Informer<KubeObject>) {
  informer.start();
  await informer.waitForSync();
  await api.watching();
}

describe('informer: paginated lists', () => {
  it('lists in pages of the page size, following continue tokens, and watches from the snapshot', async () => {
    const api = new FakeApi();
    api.onList = paged(pods(12));
    const informer = new Informer<KubeObject>(api.client, { resource: PODS, pageSize: 5 });
    await started(api, informer);
    expect(api.listCalls.map((c) => [c.query.limit, c.query.continue])).toEqual([['5', undefined], ['5', 'page-5'], ['5', 'page-10']]);
    expect(informer.list()).toHaveLength(12);
    expect(api.watchCalls[0].resourceVersion).toBe('snap');
    await informer.stop();
  });

  it('restarts the list when the server no longer honours a continue token (410 Expired), ending with exactly the fresh content', async () => {
    const api = new FakeApi();
    let expiredOnce = false;
    const serve = paged(pods(7));
    api.onList = (q) => {
      if (q.continue === 'page-3' && !expiredOnce) {
        expiredOnce = true;
        throw new KubeApiError('The provided continue parameter is too old', 410, 'Expired', 'cluster-x');
      }
      return serve(q);
    };
    const seen: string[] = [];
    const informer = new Informer<KubeObject>(api.client, { resource: PODS, pageSize: 3 }, { onEvent: (t, o) => seen.push(`${t} ${o.metadata.name}`) });
    await started(api, informer);
    expect(api.listCalls.map((c) => c.query.continue ?? 'first')).toEqual(['first', 'page-3', 'first', 'page-3', 'page-6']);
    expect(informer.list().map((o) => o.metadata.name).sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    expect(seen).toHaveLength(7); // no object reported twice for the restarted list
    expect(informer.relists).toEqual({ initial: 1, gone: 0, error: 0 });
    await informer.stop();
  });
});

describe('informer: handlers', () => {
  it('reports a throwing handler and keeps the watch open: later events still arrive, no relist', async () => {
    const api = new FakeApi();
    api.onList = paged([]);
    const errors: string[] = [];
    const seen: string[] = [];
    const informer = new Informer<KubeObject>(api.client, { resource: PODS }, {
      onEvent: (_t, o) => {
        if (o.metadata.name === 'bad') {
          throw new Error('handler bug');
        }
        seen.push(o.metadata.name);
      },
      onHandlerError: (e, where) => errors.push(`${where}: ${e.message}`),
    });
    await started(api, informer);
    api.send('ADDED', obj('bad', 'r1'));
    api.send('ADDED', obj('good', 'r2'));
    await flush();
    expect(seen).toEqual(['good']);
    expect(errors).toEqual(['pods@cluster-x: handler of add of db/bad: handler bug']);
    expect(informer.get('db/bad')).toBeDefined(); // cached all the same
    expect(api.isWatching).toBe(true);
    expect(api.watchCalls).toHaveLength(1);
    expect(api.listCalls).toHaveLength(1);
    expect(informer.handlerErrors).toBe(1);
    await informer.stop();
  });

  it('still ends the watch and relists on a 410 ERROR event (that is not a handler failure)', async () => {
    const api = new FakeApi();
    api.onList = paged([obj('a', 'r1')]);
    const informer = new Informer<KubeObject>(api.client, { resource: PODS, minBackoffMs: 1 });
    await started(api, informer);
    api.send('ERROR', { code: 410, reason: 'Expired', message: 'too old' } as unknown as KubeObject);
    await flush();
    await api.watching();
    expect(informer.relists.gone).toBe(1);
    await informer.stop();
  });
});

describe('informer: transform on ingest', () => {
  const strip = (o: KubeObject): KubeObject => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion } });
  const heavy = (name: string, rv: string) => ({ ...obj(name, rv), metadata: { ...obj(name, rv).metadata, managedFields: [{ manager: 'kubelet' }] }, spec: { big: 'x'.repeat(1000) } });

  it('caches only what the transform keeps, from lists, watch events and local writes alike', async () => {
    const api = new FakeApi();
    api.onList = paged([heavy('listed', 'r1')]);
    const handed: KubeObject[] = [];
    const informer = new Informer<KubeObject>(api.client, { resource: PODS, transform: strip }, { onEvent: (_t, o) => handed.push(o) });
    await started(api, informer);
    api.send('ADDED', heavy('watched', 'r2'));
    informer.upsertLocal(heavy('written', 'r3'));
    for (const o of [...informer.list(), ...handed]) {
      expect(o).toEqual(strip(o));
      expect(o.metadata.managedFields).toBeUndefined();
    }
    expect(informer.list()).toHaveLength(3);
    await informer.stop();
  });

  it('fills in apiVersion and kind, which list items lack, before the transform sees them', async () => {
    const api = new FakeApi();
    api.onList = paged([{ metadata: { name: 'bare', namespace: 'db', resourceVersion: '1' } } as KubeObject]);
    const kinds: string[] = [];
    const informer = new Informer<KubeObject>(api.client, { resource: PODS, transform: (o) => (kinds.push(`${o.apiVersion}/${o.kind}`), o) });
    await started(api, informer);
    expect(kinds).toEqual(['v1/Pod']);
    await informer.stop();
  });
});

describe('informer: retries', () => {
  it('leaves no abort listener behind per backoff wait while the API server is down', async () => {
    const api = new FakeApi();
    let failures = 0;
    api.onList = () => {
      failures++;
      throw new KubeApiError('cannot reach', 0, 'Unreachable', 'cluster-x');
    };
    const informer = new Informer<KubeObject>(api.client, { resource: PODS, minBackoffMs: 1, maxBackoffMs: 1 }, { onError: () => undefined });
    const signal = (informer as unknown as { abort: AbortController }).abort.signal;
    const added = jest.spyOn(signal, 'addEventListener');
    const removed = jest.spyOn(signal, 'removeEventListener');
    informer.start();
    while (failures < 30) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await informer.stop();
    expect(added.mock.calls.length).toBeGreaterThanOrEqual(29);
    expect(added.mock.calls.length - removed.mock.calls.length).toBeLessThanOrEqual(1);
  });
});
