/** Derived slices are created when the cache has none and replaced whole when it has one; a cache behind the server costs one more request, never a failure. */
import { KubeApiError } from '../../../lib/kube/errors';
import { ClusterState } from '../../../lib/runner/sync/cluster-state';
import { executeConsumerPlan, WriteVerb } from '../../../lib/runner/sync/writer';
import { consumerState, mysqlPlan } from './consumer-fixture';

const plan = mysqlPlan();
const slicesOnly = { ...plan, serviceImportApply: undefined, serviceImportStatus: undefined };
const echo = async (_p: string, obj: any) => ({ ...obj, metadata: { ...obj.metadata, uid: `uid-${obj.metadata.name}`, resourceVersion: '7' } }) as never;
const apiError = (status: number, reason: string) => new KubeApiError(`${status} ${reason}`, status, reason, 'cluster-2');

function recorder(state: ClusterState, o: { create?: (path: string) => unknown; replace?: (path: string) => unknown } = {}) {
  const calls: string[] = [];
  const verbs: WriteVerb[] = [];
  jest.spyOn(state.client, 'apply').mockImplementation(async () => {
    throw new Error('a derived slice must not be applied');
  });
  jest.spyOn(state.client, 'create').mockImplementation(async (p, obj) => {
    calls.push(`create ${p.split('/').pop()}`);
    o.create?.(p);
    return echo(p, obj);
  });
  jest.spyOn(state.client, 'replace').mockImplementation(async (p, obj) => {
    calls.push(`replace ${p.split('/').pop()}`);
    o.replace?.(p);
    return echo(p, obj);
  });
  const ctx = { fieldManager: 'm', now: 't', onWrite: (_c: string, resource: string, verb: WriteVerb) => resource === 'endpointslices' && verbs.push(verb) };
  return { calls, verbs, ctx };
}

describe('writing derived slices', () => {
  const names = slicesOnly.sliceWrites.map((s) => s.metadata.name).sort();

  it('creates the slices the cache does not hold, and writes them through to it', async () => {
    const state = consumerState();
    const r = recorder(state);
    expect(await executeConsumerPlan(state, slicesOnly, r.ctx)).toBe(names.length);
    expect(r.calls.sort()).toEqual(names.map((n) => `create ${n}`));
    expect(r.verbs).toEqual(names.map(() => 'create'));
    for (const n of names) {
      expect(state.slices.get(`db/${n}`)?.metadata.uid).toBe(`uid-${n}`);
    }
  });

  it('replaces the slices the cache holds', async () => {
    const state = consumerState();
    const r = recorder(state);
    await executeConsumerPlan(state, slicesOnly, r.ctx);
    r.calls.length = 0;
    r.verbs.length = 0;
    await executeConsumerPlan(state, slicesOnly, r.ctx);
    expect(r.calls.sort()).toEqual(names.map((n) => `replace ${n}`));
    expect(r.verbs).toEqual(names.map(() => 'update'));
  });

  it('a create that finds the slice there replaces it; a replace that finds none creates it', async () => {
    const behind = consumerState();
    const r1 = recorder(behind, { create: () => { throw apiError(409, 'AlreadyExists'); } });
    await executeConsumerPlan(behind, slicesOnly, r1.ctx);
    expect(r1.calls.filter((c) => c.startsWith('replace')).sort()).toEqual(names.map((n) => `replace ${n}`));
    expect(r1.verbs).toEqual(names.map(() => 'update'));

    const ahead = consumerState();
    const r2 = recorder(ahead);
    await executeConsumerPlan(ahead, slicesOnly, r2.ctx);
    jest.restoreAllMocks();
    const r3 = recorder(ahead, { replace: () => { throw apiError(404, 'NotFound'); } });
    await executeConsumerPlan(ahead, slicesOnly, r3.ctx);
    expect(r3.calls.filter((c) => c.startsWith('create')).sort()).toEqual(names.map((n) => `create ${n}`));
    expect(r3.verbs).toEqual(names.map(() => 'create'));
  });

  it('any other error fails the plan (a 409 Conflict is not AlreadyExists)', async () => {
    const state = consumerState();
    const r = recorder(state, { create: () => { throw apiError(409, 'Conflict'); } });
    await expect(executeConsumerPlan(state, slicesOnly, r.ctx)).rejects.toThrow('409 Conflict');
    expect(r.calls.filter((c) => c.startsWith('replace'))).toEqual([]);
  });
});
