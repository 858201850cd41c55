/**
 * What the demo shows: every per-pod DNS name a consumer cluster can resolve, discovered from
 * live state the way the runner does (the exports and imports in fleet.json, the pods of each
 * provider, an `amcs-` Service or a ServiceImport in the consumer), and what each one answers.
 */
import { FleetManifest } from '../lib/fleet/manifest';
import { amcsPodFqdn, amcsServiceName, clustersetPodFqdn } from '../lib/fleet/names';
import { dnsQuery } from '../testbed/dns';
import { KubeClient } from '../testbed/kube';

export interface ExpectedName {
  readonly consumer: string;
  readonly fqdn: string;
  readonly provider: string;
  readonly pod: string;
  readonly podIp: string;
}

export interface ResolvedName extends ExpectedName {
  /** The A records CoreDNS answered, or the rcode when there were none. */
  readonly answer: string;
  readonly ok: boolean;
}

interface PodLike {
  metadata: { name: string; namespace: string; deletionTimestamp?: string; ownerReferences?: { kind: string; name: string }[] };
  status?: { podIP?: string; phase?: string };
}

/** Running pods of the StatefulSet `name` in a namespace, name -> IP. */
export async function statefulSetPodIps(client: KubeClient, namespace: string, name: string): Promise<Map<string, string>> {
  const pods = await client.list<PodLike>('v1', 'Pod', namespace);
  const mine = pods.filter((p) => p.metadata.ownerReferences?.some((o) => o.kind === 'StatefulSet' && o.name === name));
  const running = mine.filter((p) => p.status?.phase === 'Running' && p.status.podIP && !p.metadata.deletionTimestamp);
  return new Map(running.map((p) => [p.metadata.name, p.status!.podIP!]));
}

/** Every name each consumer should resolve, with the pod IP it must reach. */
export async function expectedNames(fleet: FleetManifest, clients: ReadonlyMap<string, KubeClient>): Promise<ExpectedName[]> {
  const out: ExpectedName[] = [];
  for (const [key, consumers] of Object.entries(fleet.imports)) {
    const [namespace, service] = key.split('/');
    for (const provider of fleet.exports[key] ?? []) {
      const pods = await statefulSetPodIps(clients.get(provider)!, namespace, service);
      for (const consumer of consumers) {
        const forms = await dnsFormsIn(clients.get(consumer)!, namespace, service);
        for (const [pod, podIp] of [...pods].sort(([a], [b]) => a.localeCompare(b))) {
          out.push(...forms.map((form) => ({ consumer, provider, pod, podIp, fqdn: form({ pod, provider, namespace, service }) })));
        }
      }
    }
  }
  return out;
}

type NameForm = (o: { pod: string; provider: string; namespace: string; service: string }) => string;

async function dnsFormsIn(consumer: KubeClient, namespace: string, service: string): Promise<NameForm[]> {
  const forms: NameForm[] = [];
  if (await consumer.tryGet('v1', 'Service', amcsServiceName(service), namespace)) {
    forms.push((o) => amcsPodFqdn({ pod: o.pod, service: o.service, namespace: o.namespace }));
  }
  if (await consumer.tryGet('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', service, namespace)) {
    forms.push((o) => clustersetPodFqdn({ pod: o.pod, clusterId: o.provider, service: o.service, namespace: o.namespace }));
  }
  return forms;
}

/** Asks the consumer's CoreDNS for `name`; ok when it answers exactly the pod's IP. */
export async function resolve(address: string, name: ExpectedName): Promise<ResolvedName> {
  const r = await dnsQuery(address, name.fqdn, 'A');
  const ips = r.answers.map(String).sort();
  return { ...name, answer: ips.length > 0 ? ips.join(', ') : r.outcome, ok: ips.length === 1 && ips[0] === name.podIp };
}

/** The table the demo prints. */
export function formatTable(rows: readonly ResolvedName[]): string {
  const header = ['DNS name, resolved in ' + (rows[0]?.consumer ?? 'the consumer'), 'answer', 'reached pod', 'pod IP', ''];
  const body = rows.map((r) => [r.fqdn, r.answer, `${r.provider}: ${r.pod}`, r.podIp, r.ok ? 'ok' : 'WRONG']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
