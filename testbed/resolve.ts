/**
 * `npm run testbed -- resolve <cluster-id> <name> [type]`: what a pod of that cluster would get
 * for a name, asked of the cluster's CoreDNS with Node's resolver, so the docs need no `dig`
 * (which many machines lack). Prints the answers one a line, or the rcode; exit 1 without answers.
 */
import { dnsQuery, RecordType } from './dns';
import { clusterOf, requireState } from './state';

const TYPES: readonly RecordType[] = ['A', 'AAAA', 'SRV', 'TXT', 'PTR'];

export async function resolveCommand(args: readonly string[]): Promise<number> {
  const [clusterId, name, type = 'A'] = args;
  if (!clusterId || !name) {
    throw new Error('usage: npm run testbed -- resolve <cluster-id> <name> [A|AAAA|SRV|TXT|PTR], e.g. resolve cluster-2 db-0.cluster-1.db.db.svc.clusterset.local');
  }
  const recordType = type.toUpperCase() as RecordType;
  if (!TYPES.includes(recordType)) {
    throw new Error(`record type must be one of ${TYPES.join(', ')}, got "${type}"`);
  }
  const address = clusterOf(requireState(), clusterId).coredns.address;
  const r = await dnsQuery(address, name, recordType);
  if (r.answers.length > 0) {
    process.stdout.write(`${r.answers.join('\n')}\n`);
    return 0;
  }
  process.stdout.write(`${r.outcome}\n`);
  process.stderr.write(`[testbed] ${name} ${recordType} from ${clusterId}'s CoreDNS (${address}): ${r.outcome}${r.error ? ` (${r.error})` : ''}\n`);
  return 1;
}
