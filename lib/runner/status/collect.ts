/**
 * `status`: the live fleet as the runner left it, read (never written) from every cluster:
 * exports and their conditions, imports per consumer with endpoints per source cluster and the
 * age of each source's liveness lease, the leader lease, and the DNS names each consumer answers.
 */
import { FleetManifest } from '../../fleet/manifest';
import { amcsPodFqdn, clustersetPodFqdn, DnsMethod, LABEL_DNS_METHOD, LABEL_IMPORT_OF, LABEL_SOURCE_CLUSTER, MANAGER } from '../../fleet/names';
import { messageOf } from '../../kube/errors';
import { ENDPOINT_SLICES, LEASES, resourcePath, SERVICE_EXPORTS, SERVICE_IMPORTS } from '../../kube/resources';
import { KubeObject } from '../../kube/types';
import { getOrUndefined, listItems, ReadClient } from '../preflight/read';
import { livenessLeaseName } from '../sync/liveness';

export interface ConditionView { readonly type: string; readonly status: string; readonly reason?: string; readonly message?: string }

export interface ExportView {
  readonly service: string;
  readonly clusters: { readonly clusterId: string; readonly conditions: readonly ConditionView[] }[];
}

export interface SourceView {
  readonly clusterId: string;
  readonly method: string;
  readonly ready: number;
  readonly notReady: number;
  /** Seconds since the runner last renewed this source's liveness lease in the consumer. */
  readonly leaseAgeSeconds?: number;
  /** The lease's duration: the endpoint TTL. */
  readonly ttlSeconds?: number;
}

export interface ImportView {
  readonly service: string;
  readonly consumer: string;
  readonly type?: string;
  readonly sources: readonly SourceView[];
  readonly dnsNames: readonly { readonly name: string; readonly ready: boolean; readonly sourceClusterId: string }[];
}

export interface FleetStatus {
  readonly at: string;
  readonly runner?: { readonly clusterId: string; readonly holder?: string; readonly renewedSecondsAgo?: number; readonly leaseDurationSeconds?: number; readonly leading: boolean };
  readonly exports: readonly ExportView[];
  readonly imports: readonly ImportView[];
  readonly unreachable: readonly { readonly clusterId: string; readonly error: string }[];
}

export interface StatusOptions {
  readonly fleet: FleetManifest;
  readonly clients: ReadonlyMap<string, ReadClient>;
  readonly runnerNamespace: string;
  readonly now?: number;
}

interface ClusterRead {
  readonly clusterId: string;
  readonly exports: KubeObject[];
  readonly imports: KubeObject[];
  readonly slices: KubeObject[];
  readonly leases: Map<string, KubeObject>;
}

export async function collectStatus(o: StatusOptions): Promise<FleetStatus> {
  const now = o.now ?? Date.now();
  const reads = await Promise.all([...o.clients].map(([id, c]) => readCluster(id, c, o.runnerNamespace).catch((e: Error) => ({ clusterId: id, error: messageOf(e) }))));
  const ok = reads.filter((r): r is ClusterRead => !('error' in r));
  return {
    at: new Date(now).toISOString(),
    runner: await leaderView(o, now),
    exports: exportViews(ok),
    imports: ok.flatMap((r) => importViews(r, o.fleet, now)),
    unreachable: reads.filter((r): r is { clusterId: string; error: string } => 'error' in r),
  };
}

async function readCluster(clusterId: string, c: ReadClient, runnerNamespace: string): Promise<ClusterRead> {
  const [exports, imports, slices, leases] = await Promise.all([
    listItems(c, resourcePath(SERVICE_EXPORTS)),
    listItems(c, resourcePath(SERVICE_IMPORTS)),
    listItems(c, resourcePath(ENDPOINT_SLICES), { labelSelector: LABEL_SOURCE_CLUSTER }),
    listItems(c, resourcePath(LEASES, { namespace: runnerNamespace })),
  ]);
  return { clusterId, exports, imports, slices, leases: new Map(leases.map((l) => [l.metadata.name, l])) };
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;
const conditionsOf = (o: KubeObject): ConditionView[] => (((o.status as { conditions?: ConditionView[] } | undefined)?.conditions) ?? []).map(({ type, status, reason, message }) => ({ type, status, reason, message }));

function exportViews(reads: readonly ClusterRead[]): ExportView[] {
  const byService = new Map<string, ExportView['clusters'][number][]>();
  for (const r of reads) {
    for (const se of r.exports) {
      byService.set(keyOf(se), [...(byService.get(keyOf(se)) ?? []), { clusterId: r.clusterId, conditions: conditionsOf(se) }]);
    }
  }
  return [...byService].sort(([a], [b]) => a.localeCompare(b)).map(([service, clusters]) => ({ service, clusters }));
}

function importViews(r: ClusterRead, fleet: FleetManifest, now: number): ImportView[] {
  const services = new Set([...r.imports.map(keyOf), ...r.slices.map((s) => `${s.metadata.namespace}/${s.metadata.labels?.[LABEL_IMPORT_OF]}`)]);
  const domain = fleet.clusters.find((c) => c.id === r.clusterId)?.clusterDomain;
  return [...services].sort().map((service) => {
    const [namespace, name] = service.split('/');
    const slices = r.slices.filter((s) => s.metadata.namespace === namespace && s.metadata.labels?.[LABEL_IMPORT_OF] === name);
    const si = r.imports.find((i) => keyOf(i) === service);
    const sources = new Map<string, SourceView & { ready: number; notReady: number }>();
    const dnsNames: ImportView['dnsNames'][number][] = [];
    for (const s of slices) {
      const source = s.metadata.labels?.[LABEL_SOURCE_CLUSTER] ?? '?';
      const method = s.metadata.labels?.[LABEL_DNS_METHOD] ?? '?';
      const key = `${source} ${method}`;
      const view = sources.get(key) ?? { clusterId: source, method, ready: 0, notReady: 0, ...leaseAge(r.leases.get(livenessLeaseName(source)), now) };
      for (const e of (s.endpoints as { hostname?: string; conditions?: { ready?: boolean } }[] | undefined) ?? []) {
        const ready = e.conditions?.ready !== false;
        view.ready += ready ? 1 : 0;
        view.notReady += ready ? 0 : 1;
        if (e.hostname) {
          const fqdn = method === DnsMethod.AMCS ? amcsPodFqdn({ pod: e.hostname, service: name, namespace, clusterDomain: domain }) : clustersetPodFqdn({ pod: e.hostname, clusterId: source, service: name, namespace });
          dnsNames.push({ name: fqdn, ready, sourceClusterId: source });
        }
      }
      sources.set(key, view);
    }
    // A provider fleet.json names but without slices here (lost, expired, not synced yet) still shows, with its lease.
    for (const provider of fleet.exports[service] ?? []) {
      if (provider !== r.clusterId && ![...sources.values()].some((v) => v.clusterId === provider)) {
        sources.set(provider, { clusterId: provider, method: '-', ready: 0, notReady: 0, ...leaseAge(r.leases.get(livenessLeaseName(provider)), now) });
      }
    }
    return { service, consumer: r.clusterId, type: (si?.spec as { type?: string } | undefined)?.type, sources: [...sources.values()], dnsNames: dnsNames.sort((a, b) => a.name.localeCompare(b.name)) };
  });
}

function leaseAge(lease: KubeObject | undefined, now: number): { leaseAgeSeconds?: number; ttlSeconds?: number } {
  const spec = lease?.spec as { renewTime?: string; leaseDurationSeconds?: number } | undefined;
  if (!spec?.renewTime) {
    return {};
  }
  return { leaseAgeSeconds: Math.max(0, Math.round((now - Date.parse(spec.renewTime)) / 1000)), ttlSeconds: spec.leaseDurationSeconds };
}

async function leaderView(o: StatusOptions, now: number): Promise<FleetStatus['runner']> {
  const clusterId = o.fleet.runner?.hostClusterId;
  const client = clusterId ? o.clients.get(clusterId) : undefined;
  if (!clusterId || !client) {
    return undefined;
  }
  const lease = await getOrUndefined(client, resourcePath(LEASES, { namespace: o.runnerNamespace, name: `${MANAGER}-sync` })).catch(() => undefined);
  const spec = lease?.spec as { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number } | undefined;
  const renewedSecondsAgo = spec?.renewTime ? Math.round((now - Date.parse(spec.renewTime)) / 1000) : undefined;
  const leading = !!spec?.holderIdentity && renewedSecondsAgo !== undefined && renewedSecondsAgo <= (spec.leaseDurationSeconds ?? 15);
  return { clusterId, holder: spec?.holderIdentity, renewedSecondsAgo, leaseDurationSeconds: spec?.leaseDurationSeconds, leading };
}
