/** DNS queries against a test-bed CoreDNS (node:dns Resolver pointed at 127.0.0.1:<port>, no search list, no cache). */
import { promises as dnsp } from 'node:dns';

export type DnsOutcome = 'NOERROR' | 'NODATA' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' | 'TIMEOUT' | 'CONNREFUSED' | 'ERROR';

export interface DnsResult {
  outcome: DnsOutcome;
  /** A/AAAA addresses, SRV/TXT rendered as strings; empty unless NOERROR */
  answers: string[];
  error?: string;
}

const CODE: Record<string, DnsOutcome> = {
  ENOTFOUND: 'NXDOMAIN',
  ENODATA: 'NODATA',
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
  ETIMEOUT: 'TIMEOUT',
  ECONNREFUSED: 'CONNREFUSED',
};

export type RecordType = 'A' | 'AAAA' | 'SRV' | 'TXT' | 'PTR';

/** One query, one try; never throws: the outcome says what happened. address: "127.0.0.1:<port>". */
export async function dnsQuery(address: string, name: string, type: RecordType = 'A', timeoutMs = 2000): Promise<DnsResult> {
  const r = new dnsp.Resolver({ timeout: timeoutMs, tries: 1 });
  r.setServers([address]);
  try {
    let answers: string[];
    switch (type) {
      case 'A':
        answers = await r.resolve4(name);
        break;
      case 'AAAA':
        answers = await r.resolve6(name);
        break;
      case 'SRV':
        answers = (await r.resolveSrv(name)).map((s) => `${s.priority} ${s.weight} ${s.port} ${s.name}`);
        break;
      case 'TXT':
        answers = (await r.resolveTxt(name)).map((t) => t.join(''));
        break;
      case 'PTR':
        answers = await r.resolvePtr(name);
        break;
    }
    return { outcome: 'NOERROR', answers: [...answers].sort() };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { outcome: CODE[err.code ?? ''] ?? 'ERROR', answers: [], error: `${err.code}: ${err.message}` };
  } finally {
    r.cancel();
  }
}

/** A records of name (sorted); throws with the outcome when there is no NOERROR answer. */
export async function resolveA(address: string, name: string, timeoutMs = 2000): Promise<string[]> {
  const res = await dnsQuery(address, name, 'A', timeoutMs);
  if (res.outcome !== 'NOERROR') throw new Error(`${name} A @${address}: ${res.outcome}${res.error ? ` (${res.error})` : ''}`);
  return res.answers;
}

/** true once the server sends any DNS response (any rcode), i.e. it is listening and serving. */
export async function dnsAnswers(address: string, probeName = 'kubernetes.default.svc.cluster.local', timeoutMs = 1000): Promise<boolean> {
  const res = await dnsQuery(address, probeName, 'A', timeoutMs);
  return res.outcome !== 'TIMEOUT' && res.outcome !== 'CONNREFUSED' && res.outcome !== 'ERROR';
}
