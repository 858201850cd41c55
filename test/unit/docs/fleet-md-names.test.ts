import { fleetMdNames } from '../../../demo/fleet-md-names';
import { DnsMethod, ExportedService, Fleet, HeadlessImport, MultiClusterStatefulSet } from '../../../lib';
import { resolvableNames } from '../../../lib/fleet/dns-names';

/** Three clusters, two consumers, both DNS methods, a StatefulSet and an ExportedService (service-level names). */
function fleetWithEveryKindOfName(): Fleet {
  const fleet = new Fleet({ name: 'names', outdir: '/nonexistent' });
  const eu = fleet.addCluster('eu', { storageClass: 'fast', coreDnsVersion: '1.12.2' });
  const us = fleet.addCluster('us', { storageClass: 'fast', coreDnsVersion: '1.12.2' });
  const ap = fleet.addCluster('ap', { storageClass: 'fast', coreDnsVersion: '1.12.2' });
  new MultiClusterStatefulSet(fleet, 'redis', { namespace: 'cache', image: 'redis:7', providers: [{ cluster: eu, replicas: 2 }], ports: [{ name: 'redis', port: 6379 }] });
  new HeadlessImport(fleet, 'redis-us', { serviceName: 'redis', namespace: 'cache', consumers: [us], dnsMethods: [DnsMethod.AMCS, DnsMethod.CLUSTERSET] });
  new HeadlessImport(fleet, 'redis-ap', { serviceName: 'redis', namespace: 'cache', consumers: [ap], dnsMethods: [DnsMethod.CLUSTERSET] });
  new ExportedService(fleet, 'kafka', { serviceName: 'kafka', namespace: 'stream', providers: [us], ports: [{ name: 'kafka', port: 9092 }] });
  new HeadlessImport(fleet, 'kafka-eu', { serviceName: 'kafka', namespace: 'stream', consumers: [eu], dnsMethods: [DnsMethod.AMCS, DnsMethod.CLUSTERSET] });
  return fleet;
}

describe('the names npm run demo -- --dist reads from fleet.md', () => {
  it('are exactly the names the compiler says each consumer resolves, with the pod or service each reaches', () => {
    const fleet = fleetWithEveryKindOfName();
    const markdown = fleet.render().files.get('fleet.md')!;
    const parsed = fleetMdNames(markdown).map((n) => [n.consumer, n.fqdn, n.method, n.namespace, n.pod ?? `svc:${n.service}`, n.source]);
    const compiled = resolvableNames(fleet.model).map((n) => [n.consumerId, n.fqdn, n.method, n.namespace, n.pod ?? `svc:${n.service}`, n.sourceClusterId]);
    const sorted = (rows: unknown[][]) => rows.map((r) => r.join(' ')).sort();
    expect(sorted(parsed)).toEqual(sorted(compiled));
    expect(new Set(parsed.map((p) => p[0]))).toEqual(new Set(['us', 'ap', 'eu']));
    expect(parsed.filter((p) => String(p[4]).startsWith('svc:'))).toHaveLength(2);
  });

  it('names the line of a row whose target it cannot read', () => {
    const markdown = ['## DNS names', '', '### Resolvable in `us`', '', '| DNS name | method | reaches |', '| --- | --- | --- |', '| `a.b.svc.cluster.local` | amcs | somewhere else |'].join('\n');
    expect(() => fleetMdNames(markdown)).toThrow(/fleet.md line 7: cannot read what "somewhere else" reaches/);
  });

  it('ignores tables outside the DNS names section', () => {
    const markdown = ['## Clusters', '', '| `us` | amcs | pod `a/b` in `eu` |', '## Warnings', '- none'].join('\n');
    expect(fleetMdNames(markdown)).toEqual([]);
  });
});
