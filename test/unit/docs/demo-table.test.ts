import { formatTable, formatTables, ResolvedName } from '../../../demo/names';

const row = (o: Partial<ResolvedName>): ResolvedName => ({ consumer: 'cluster-2', source: 'cluster-1', method: 'amcs', namespace: 'provider-ns', pod: 'mysql-0', ips: ['10.10.1.1'], fqdn: 'mysql-0.amcs-mysql.provider-ns.svc.cluster.local', answer: '10.10.1.1', ok: true, ...o });

describe('the demo\'s table', () => {
  it('shows each name with the answer, the pod it names and that pod\'s IP, in aligned columns', () => {
    const table = formatTable([row({}), row({ fqdn: 'mysql-0.cluster-1.mysql.provider-ns.svc.clusterset.local' })]).split('\n');
    expect(table[0]).toMatch(/^DNS name, resolved in cluster-2 +answer +reached pod +pod IP$/);
    expect(table[2]).toBe('mysql-0.amcs-mysql.provider-ns.svc.cluster.local          10.10.1.1  cluster-1: mysql-0  10.10.1.1  ok');
    expect(new Set(table.slice(2).map((l) => l.indexOf('10.10.1.1'))).size).toBe(1);
  });

  it('marks a name that answered anything but its pod\'s IP as WRONG, showing the rcode when there was no answer', () => {
    const [, , line] = formatTable([row({ answer: 'NXDOMAIN', ok: false })]).split('\n');
    expect(line).toMatch(/NXDOMAIN +cluster-1: mysql-0 +10\.10\.1\.1 +WRONG$/);
  });

  it('prints one table per consumer cluster, headed by the cluster that resolves its names', () => {
    const out = formatTables([row({}), row({ consumer: 'cluster-3' }), row({ fqdn: 'mysql-1.amcs-mysql.provider-ns.svc.cluster.local' })]);
    const headers = out.split('\n').filter((l) => l.startsWith('DNS name, resolved in'));
    expect(headers.map((h) => h.split(/\s+/)[4])).toEqual(['cluster-2', 'cluster-3']);
    expect(out.split('\n\n')[0].split('\n')).toHaveLength(4);
  });

  it('shows a service-level name as reaching every ready pod, with all their IPs', () => {
    const [, , line] = formatTable([row({ pod: undefined, service: 'web', ips: ['10.10.0.1', '10.10.1.1'], answer: '10.10.0.1,10.10.1.1', fqdn: 'web.provider-ns.svc.clusterset.local' })]).split('\n');
    expect(line).toMatch(/cluster-1: web \(every ready pod\) +10\.10\.0\.1,10\.10\.1\.1 +ok$/);
  });
});
