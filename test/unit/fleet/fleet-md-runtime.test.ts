import { DnsMethod, Fleet, HeadlessImport, MultiClusterStatefulSet } from '../../../lib';

function fleetMd(): string {
  const fleet = new Fleet({ name: 'redis', outdir: '/nonexistent' });
  const eu = fleet.addCluster('eu', { storageClass: 'fast', coreDnsVersion: '1.12.2' });
  const us = fleet.addCluster('us', { storageClass: 'fast', coreDnsVersion: '1.12.2' });
  const ap = fleet.addCluster('ap', { storageClass: 'fast', coreDnsVersion: '1.12.2' });
  fleet.addCluster('idle', { storageClass: 'fast' });
  new MultiClusterStatefulSet(fleet, 'redis', { namespace: 'cache', image: 'redis:7', providers: [{ cluster: eu, replicas: 2 }], ports: [{ name: 'redis', port: 6379 }] });
  new HeadlessImport(fleet, 'redis-us', { serviceName: 'redis', namespace: 'cache', consumers: [us], dnsMethods: [DnsMethod.AMCS, DnsMethod.CLUSTERSET] });
  new HeadlessImport(fleet, 'redis-ap', { serviceName: 'redis', namespace: 'cache', consumers: [ap], dnsMethods: [DnsMethod.CLUSTERSET] });
  return fleet.render().files.get('fleet.md')!;
}

describe('fleet.md: what the runner writes', () => {
  it('lists the provider\'s own ServiceImport and MCS slice (namespace sameness), created by the runner', () => {
    const row = fleetMd().split('\n').find((l) => l.startsWith('| `cache/redis` | `eu` |'));
    expect(row).toBe('| `cache/redis` | `eu` | provider; namespace sameness: the namespace exists here | `cache/redis` (created by the runner) | `redis.eu.clusterset-ipv4-0` |');
  });

  it('lists each consumer\'s MCS slices, and the amcs- slices only where the amcs form is imported', () => {
    const md = fleetMd().split('\n');
    expect(md.find((l) => l.startsWith('| `cache/redis` | `us` |'))).toContain('`redis.eu.clusterset-ipv4-0`; for `amcs-redis`: `amcs-redis.eu.amcs-ipv4-0`');
    expect(md.find((l) => l.startsWith('| `cache/redis` | `ap` |'))).not.toContain('amcs-');
  });

  it('leaves out a cluster that neither provides nor imports, and says such a cluster gets them once the namespace exists', () => {
    const md = fleetMd();
    expect(md).not.toMatch(/\| `cache\/redis` \| `idle` \|/);
    expect(md).toContain('A cluster not listed here gets them too as soon as the namespace is created there.');
  });
});
