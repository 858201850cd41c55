/**
 * What the demo shows: every DNS name of the fleet's `fleet.md`, asked of its consumer cluster's
 * CoreDNS, next to the IP of the pod it names, read from the provider cluster's live state.
 */
import { dnsQuery } from '../testbed/dns';
import { KubeClient } from '../testbed/kube';
import { FleetMdName } from './fleet-md-names';

export interface ExpectedName extends FleetMdName {
  /** The IPs the name must answer: its pod's, or every ready pod's of the service (sorted); empty while unknown. */
  readonly ips: readonly string[];
}

export interface ResolvedName extends ExpectedName {
  /** The A records CoreDNS answered, or the rcode when there were none. */
  readonly answer: string;
  readonly ok: boolean;
}

interface PodLike {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status?: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[] };
}

const running = (p: PodLike | undefined): p is PodLike => !!p && p.status?.phase === 'Running' && !!p.status.podIP && !p.metadata.deletionTimestamp;

/** The IPs each name must answer, from the provider clusters' pods as they are now. */
export async function expectedIps(names: readonly FleetMdName[], clients: ReadonlyMap<string, KubeClient>): Promise<ExpectedName[]> {
  return Promise.all(names.map(async (n) => ({ ...n, ips: await ipsOf(n, clientOf(clients, n.source)) })));
}

async function ipsOf(n: FleetMdName, source: KubeClient): Promise<string[]> {
  if (n.pod) {
    const pod = await source.tryGet('v1', 'Pod', n.pod, n.namespace) as PodLike | undefined;
    return running(pod) ? [pod.status!.podIP!] : [];
  }
  const service = await source.tryGet('v1', 'Service', n.service!, n.namespace) as { spec?: { selector?: Record<string, string> } } | undefined;
  const selector = service?.spec?.selector;
  if (!selector) {
    return [];
  }
  const labelSelector = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = (await source.list('v1', 'Pod', n.namespace, labelSelector)) as PodLike[];
  const ready = pods.filter((p) => running(p) && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  return ready.map((p) => p.status!.podIP!).sort();
}

function clientOf(clients: ReadonlyMap<string, KubeClient>, id: string): KubeClient {
  const client = clients.get(id);
  if (!client) {
    throw new Error(`fleet.md names cluster "${id}", which is not in fleet.json (clusters: ${[...clients.keys()].join(', ')}); synthesize again`);
  }
  return client;
}

/** Asks the consumer's CoreDNS (address "127.0.0.1:<port>") for the name; ok when it answers exactly the expected IPs. */
export async function resolve(address: string, name: ExpectedName): Promise<ResolvedName> {
  const r = await dnsQuery(address, name.fqdn, 'A');
  const ips = r.answers.map(String).sort();
  const ok = name.ips.length > 0 && ips.join(',') === name.ips.join(',');
  return { ...name, answer: ips.length > 0 ? ips.join(',') : r.outcome, ok };
}

/** One table per consumer cluster, in the order of `rows`. */
export function formatTables(rows: readonly ResolvedName[]): string {
  const consumers = [...new Set(rows.map((r) => r.consumer))];
  return consumers.map((c) => formatTable(rows.filter((r) => r.consumer === c))).join('\n\n');
}

/** The table the demo prints for one consumer. */
export function formatTable(rows: readonly ResolvedName[]): string {
  const header = ['DNS name, resolved in ' + (rows[0]?.consumer ?? 'the consumer'), 'answer', 'reached pod', 'pod IP', ''];
  const reached = (r: ResolvedName) => `${r.source}: ${r.pod ?? `${r.service} (every ready pod)`}`;
  const body = rows.map((r) => [r.fqdn, r.answer, reached(r), r.ips.join(',') || '(no pod)', r.ok ? 'ok' : 'WRONG']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
