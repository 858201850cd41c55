import {
  amcsPodFqdn, amcsServiceName, clustersetPodFqdn, derivedSliceName, DnsMethod, dnsNameProblem, isDns1035Label, isDnsLabel, isDnsSubdomain, serviceOfAmcsName,
} from '../../../lib/fleet/names';

describe('names', () => {
  it('builds both DNS forms of the reference scenario', () => {
    expect(amcsPodFqdn({ pod: 'mysql-0', service: 'mysql', namespace: 'provider-ns' })).toBe('mysql-0.amcs-mysql.provider-ns.svc.cluster.local');
    expect(clustersetPodFqdn({ pod: 'mysql-1', clusterId: 'cluster-1', service: 'mysql', namespace: 'provider-ns' })).toBe(
      'mysql-1.cluster-1.mysql.provider-ns.svc.clusterset.local',
    );
  });

  it('maps amcs- names both ways', () => {
    expect(amcsServiceName('mysql')).toBe('amcs-mysql');
    expect(serviceOfAmcsName('amcs-mysql')).toBe('mysql');
    expect(serviceOfAmcsName('amcs-')).toBeUndefined();
    expect(serviceOfAmcsName('mysql')).toBeUndefined();
  });

  it('never gives two different (service, cluster, method) triples the same slice name', () => {
    const a = derivedSliceName({ service: 'a-b', sourceClusterId: 'c', method: DnsMethod.CLUSTERSET, addressType: 'IPv4', index: 0 });
    const b = derivedSliceName({ service: 'a', sourceClusterId: 'b-c', method: DnsMethod.CLUSTERSET, addressType: 'IPv4', index: 0 });
    const amcs = derivedSliceName({ service: 'mysql', sourceClusterId: 'c', method: DnsMethod.AMCS, addressType: 'IPv4', index: 0 });
    const mcsOfAmcsNamed = derivedSliceName({ service: 'amcs-mysql', sourceClusterId: 'c', method: DnsMethod.CLUSTERSET, addressType: 'IPv4', index: 0 });
    expect(a).not.toBe(b);
    expect(amcs).not.toBe(mcsOfAmcsNamed);
    expect(isDnsSubdomain(a)).toBe(true);
    expect(amcs).toBe('amcs-mysql.c.amcs-ipv4-0');
  });

  it('validates DNS labels, RFC-1035 labels and subdomains', () => {
    expect(isDnsLabel('cluster-1')).toBe(true);
    expect(isDnsLabel('1cluster')).toBe(true);
    expect(isDns1035Label('1cluster')).toBe(false);
    expect(isDnsLabel('-a')).toBe(false);
    expect(isDnsLabel('a'.repeat(64))).toBe(false);
    expect(isDnsSubdomain('a.b-c.d')).toBe(true);
    expect(isDnsSubdomain('a..b')).toBe(false);
  });

  it('explains why a DNS name is too long', () => {
    expect(dnsNameProblem('a.b')).toBeUndefined();
    expect(dnsNameProblem(`${'x'.repeat(64)}.b`)).toContain('is 64 characters long (the limit is 63)');
    expect(dnsNameProblem(Array(60).fill('abcd').join('.'))).toContain('(the limit is 253)');
  });
});
