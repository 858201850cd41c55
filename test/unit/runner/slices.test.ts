import { DnsMethod } from '../../../lib/fleet/names';
import { EndpointSlice } from '../../../lib/kube/types';
import { SourceEndpoint } from '../../../lib/runner/sync/endpoints';
import { planSlices, SliceTarget } from '../../../lib/runner/sync/slices';

const target: SliceTarget = { namespace: 'db', service: 'mysql', sourceClusterId: 'cluster-1', method: DnsMethod.CLUSTERSET };
const amcs: SliceTarget = { ...target, method: DnsMethod.AMCS };

function ep(i: number, o: Partial<SourceEndpoint> = {}): SourceEndpoint {
  return { hostname: `mysql-${i}`, address: `10.10.0.${i}`, addressType: 'IPv4', ready: true, serving: true, terminating: false, ports: [{ name: 'tcp', port: 3306, protocol: 'TCP' }], ...o };
}

/** What the API server hands back after we wrote a plan: the desired slices, with a uid. */
function live(slices: readonly EndpointSlice[]): EndpointSlice[] {
  return slices.map((s) => ({ ...s, metadata: { ...s.metadata, uid: `uid-${s.metadata.name}`, resourceVersion: '1' } }));
}

describe('planSlices', () => {
  it('puts the endpoints of a new export into one slice with the KEP-1645 labels', () => {
    const plan = planSlices(target, [ep(0), ep(1)], []);
    expect(plan.deletes).toEqual([]);
    expect(plan.writes).toHaveLength(1);
    const slice = plan.writes[0];
    expect(slice.metadata.name).toBe('mysql.cluster-1.clusterset-ipv4-0');
    expect(slice.metadata.labels).toMatchObject({
      'multicluster.kubernetes.io/service-name': 'mysql',
      'multicluster.kubernetes.io/source-cluster': 'cluster-1',
      'endpointslice.kubernetes.io/managed-by': 'cdk8s-mcs',
    });
    expect(slice.metadata.labels!['kubernetes.io/service-name']).toBeUndefined();
    expect(slice.endpoints).toEqual([
      { addresses: ['10.10.0.0'], hostname: 'mysql-0', conditions: { ready: true, serving: true, terminating: false } },
      { addresses: ['10.10.0.1'], hostname: 'mysql-1', conditions: { ready: true, serving: true, terminating: false } },
    ]);
    expect(slice.ports).toEqual([{ name: 'tcp', port: 3306, protocol: 'TCP' }]);
  });

  it('labels amcs slices for the amcs-<svc> Service and as headless, without the MCS service label', () => {
    const [slice] = planSlices(amcs, [ep(0)], []).writes;
    expect(slice.metadata.name).toBe('amcs-mysql.cluster-1.amcs-ipv4-0');
    expect(slice.metadata.labels).toMatchObject({ 'kubernetes.io/service-name': 'amcs-mysql', 'service.kubernetes.io/headless': '' });
    expect(slice.metadata.labels!['multicluster.kubernetes.io/service-name']).toBeUndefined();
  });

  it('writes nothing when the slices already say what they must', () => {
    const first = planSlices(target, [ep(0), ep(1)], []);
    const again = planSlices(target, [ep(1), ep(0)], live(first.desired));
    expect(again.writes).toEqual([]);
    expect(again.deletes).toEqual([]);
  });

  it('rewrites only the slice holding a changed pod when there are several', () => {
    const many = Array.from({ length: 250 }, (_, i) => ep(i, { address: `10.10.${Math.floor(i / 200)}.${i % 200}` }));
    const first = planSlices(target, many, []);
    expect(first.desired.map((s) => s.endpoints!.length)).toEqual([100, 100, 50]);
    const changed = many.map((e) => (e.hostname === 'mysql-150' ? { ...e, address: '10.99.0.1' } : e));
    const plan = planSlices(target, changed, live(first.desired));
    expect(plan.writes.map((s) => s.metadata.name)).toEqual(['mysql.cluster-1.clusterset-ipv4-1']);
    expect(plan.deletes).toEqual([]);
  });

  it('drops a scaled-away pod from its slice and deletes slices left empty', () => {
    const first = planSlices(target, [ep(0), ep(1)], []);
    const scaled = planSlices(target, [ep(0)], live(first.desired));
    expect(scaled.writes[0].endpoints!.map((e) => e.hostname)).toEqual(['mysql-0']);
    const gone = planSlices(target, [], live(first.desired));
    expect(gone.writes).toEqual([]);
    expect(gone.deletes.map((s) => s.metadata.name)).toEqual(['mysql.cluster-1.clusterset-ipv4-0']);
  });

  it('keeps endpoints in the slices that hold them and fills free room before adding a slice', () => {
    const first = planSlices(target, [ep(0), ep(1), ep(2)], [], 2);
    expect(first.desired.map((s) => s.endpoints!.map((e) => e.hostname))).toEqual([['mysql-0', 'mysql-1'], ['mysql-2']]);
    const plan = planSlices(target, [ep(1), ep(2), ep(3)], live(first.desired), 2);
    expect(plan.desired.map((s) => s.endpoints!.map((e) => e.hostname))).toEqual([['mysql-1', 'mysql-3'], ['mysql-2']]);
    expect(plan.writes.map((s) => s.metadata.name)).toEqual(['mysql.cluster-1.clusterset-ipv4-0']);
  });

  it('separates address families into their own slices', () => {
    const plan = planSlices(target, [ep(0), ep(1, { address: 'fd00::1', addressType: 'IPv6' })], []);
    expect(plan.writes.map((s) => [s.metadata.name, s.addressType])).toEqual([
      ['mysql.cluster-1.clusterset-ipv4-0', 'IPv4'],
      ['mysql.cluster-1.clusterset-ipv6-0', 'IPv6'],
    ]);
  });

  it('repairs a slice someone edited by hand', () => {
    const [slice] = live(planSlices(target, [ep(0)], []).desired);
    const edited = { ...slice, endpoints: [{ ...slice.endpoints![0], addresses: ['6.6.6.6'] }] };
    const plan = planSlices(target, [ep(0)], [edited]);
    expect(plan.writes[0].endpoints![0].addresses).toEqual(['10.10.0.0']);
  });
});
