import { DnsMethod, Fleet, HeadlessImport, MultiClusterStatefulSet } from '../../../lib';

function problemsOf(build: (fleet: Fleet) => void): string[] {
  const fleet = new Fleet({ outdir: '/nonexistent' });
  build(fleet);
  try {
    fleet.render();
    return [];
  } catch (e) {
    return (e as Error).message.split('\n').slice(1).map((l) => l.trim());
  }
}

function twoClusters(fleet: Fleet) {
  const eu = fleet.addCluster('eu', { storageClass: 'fast', coreDnsVersion: '1.12.2' });
  const us = fleet.addCluster('us', { storageClass: 'fast', coreDnsVersion: '1.12.2' });
  const ap = fleet.addCluster('ap', { storageClass: 'fast', coreDnsVersion: '1.12.2' });
  new MultiClusterStatefulSet(fleet, 'redis', { namespace: 'cache', image: 'redis:7', providers: [{ cluster: eu, replicas: 1 }], ports: [{ name: 'redis', port: 6379 }, { name: 'sentinel', port: 26379 }] });
  return { eu, us, ap };
}

describe('two HeadlessImports of one service into one cluster', () => {
  it('are refused once, with the fix that keeps both DNS forms: one HeadlessImport with the union of dnsMethods', () => {
    const problems = problemsOf((fleet) => {
      const { us } = twoClusters(fleet);
      new HeadlessImport(fleet, 'redis-amcs', { serviceName: 'redis', namespace: 'cache', consumers: [us], dnsMethods: [DnsMethod.AMCS] });
      new HeadlessImport(fleet, 'redis-clusterset', { serviceName: 'redis', namespace: 'cache', consumers: [us], dnsMethods: [DnsMethod.CLUSTERSET] });
    });
    expect(problems).toEqual([
      '[redis-clusterset] HeadlessImport of "cache/redis" into "us" (dnsMethods [DnsMethod.CLUSTERSET]) duplicates [redis-amcs] (dnsMethods [DnsMethod.AMCS]): one cluster can import a service once (its ServiceImport would be emitted twice). ' +
        'Fix: combine them into one HeadlessImport with dnsMethods [DnsMethod.AMCS, DnsMethod.CLUSTERSET]',
    ]);
  });

  it('name the union of their ports when both list ports, and the cluster when their consumers differ', () => {
    const [problem] = problemsOf((fleet) => {
      const { us, ap } = twoClusters(fleet);
      new HeadlessImport(fleet, 'a', { serviceName: 'redis', namespace: 'cache', consumers: [us, ap], dnsMethods: [DnsMethod.AMCS], ports: [{ name: 'redis', port: 6379 }] });
      new HeadlessImport(fleet, 'b', { serviceName: 'redis', namespace: 'cache', consumers: [us], dnsMethods: [DnsMethod.AMCS], ports: [{ name: 'sentinel', port: 26379 }] });
    });
    expect(problem).toContain("Fix: combine them into one HeadlessImport with dnsMethods [DnsMethod.AMCS] and ports [{ name: 'redis', port: 6379 }, { name: 'sentinel', port: 26379 }] for cluster \"us\"");
  });

  it('into different clusters are fine', () => {
    expect(problemsOf((fleet) => {
      const { us, ap } = twoClusters(fleet);
      new HeadlessImport(fleet, 'to-us', { serviceName: 'redis', namespace: 'cache', consumers: [us], dnsMethods: [DnsMethod.AMCS] });
      new HeadlessImport(fleet, 'to-ap', { serviceName: 'redis', namespace: 'cache', consumers: [ap], dnsMethods: [DnsMethod.CLUSTERSET] });
    })).toEqual([]);
  });
});
