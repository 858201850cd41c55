/** Writes are fenced: a replica that no longer leads makes no request, and its in-flight writes carry the term's signal. */
import { DnsMethod } from '../../../lib/fleet/names';
import { leaderFence, NotLeaderError } from '../../../lib/runner/sync/fence';
import { executeConsumerPlan } from '../../../lib/runner/sync/writer';
import { consumerState, mysqlPlan } from './consumer-fixture';

const plan = mysqlPlan();

describe('write fencing', () => {
  it('makes no request once this replica does not lead, and says why', async () => {
    const state = consumerState();
    const apply = jest.spyOn(state.client, 'apply').mockImplementation(async (_p, obj) => ({ ...obj, metadata: { ...obj.metadata, resourceVersion: '1' } }) as never);
    const create = jest.spyOn(state.client, 'create').mockImplementation(async (_p, obj) => ({ ...obj, metadata: { ...obj.metadata, resourceVersion: '1' } }) as never);
    const fence = leaderFence(() => ({ isLeader: () => false }));
    await expect(executeConsumerPlan(state, plan, { fieldManager: 'm', now: 't', fence })).rejects.toThrow(NotLeaderError);
    await expect(executeConsumerPlan(state, plan, { fieldManager: 'm', now: 't', fence })).rejects.toThrow('not writing EndpointSlices to cluster "cluster-2": this replica does not hold the leader lease');
    expect(apply).not.toHaveBeenCalled();
    expect(create).not.toHaveBeenCalled();
  });

  it('stops between batches when leadership ends mid-plan, and hands every request the term\'s signal', async () => {
    const state = consumerState();
    const term = new AbortController();
    let leading = true;
    const signals: (AbortSignal | undefined)[] = [];
    const write = async (_p: string, obj: any, o: { signal?: AbortSignal }) => {
      signals.push(o.signal);
      leading = false; // lost while the ServiceImport and the slices were in flight
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: '1' } } as never;
    };
    const apply = jest.spyOn(state.client, 'apply').mockImplementation(write);
    const create = jest.spyOn(state.client, 'create').mockImplementation(write); // slices the cache does not hold are created
    const fence = leaderFence(() => ({ isLeader: () => leading, termSignal: term.signal }));
    expect(plan.sliceWrites.length).toBeGreaterThan(0);
    await expect(executeConsumerPlan(state, plan, { fieldManager: 'm', now: 't', fence })).rejects.toThrow('not writing the ServiceImport status');
    expect(apply).toHaveBeenCalledTimes(1); // the import, not its status
    expect(create).toHaveBeenCalledTimes(plan.sliceWrites.length);
    expect(signals).toEqual(Array(1 + plan.sliceWrites.length).fill(term.signal));
  });

  it('writes with DnsMethod slices as usual while leading', async () => {
    const state = consumerState();
    const echo = async (_p: string, obj: any) => ({ ...obj, metadata: { ...obj.metadata, resourceVersion: '1' } }) as never;
    jest.spyOn(state.client, 'apply').mockImplementation(echo);
    const create = jest.spyOn(state.client, 'create').mockImplementation(echo);
    const writes = await executeConsumerPlan(state, plan, { fieldManager: 'm', now: 't', fence: leaderFence(() => ({ isLeader: () => true })) });
    expect(writes).toBe(1 + plan.sliceWrites.length + 1);
    expect(create).toHaveBeenCalledTimes(plan.sliceWrites.length);
    expect(plan.sliceWrites.map((s) => s.metadata.labels?.['mcs.cdk8s.io/dns-method']).sort()).toEqual([DnsMethod.AMCS, DnsMethod.CLUSTERSET].sort());
  });
});
