/**
 * `dist/fleet.json`: what the runner needs to reach each cluster, written by the compiler.
 * The runner discovers exports and imports from live state; the lists here are informational.
 */
import { CoreDnsConfig, CoreDnsFlavour, FleetModel, serviceKey } from './model';
import { isDnsLabel } from './names';

export const FLEET_MANIFEST_API_VERSION = 'mcs.cdk8s.io/v1alpha1';

export interface FleetManifestCluster {
  /** Cluster ID: the `multicluster.kubernetes.io/source-cluster` value and `<clusterid>` DNS label. */
  readonly id: string;
  /** kubeconfig context the runner uses for this cluster. */
  readonly kubeContext: string;
  /** The cluster's DNS domain. */
  readonly clusterDomain: string;
}

export interface FleetManifest {
  /** `mcs.cdk8s.io/v1alpha1`. */
  readonly apiVersion: string;
  /** Always `Fleet`. */
  readonly kind: 'Fleet';
  /** Name of the ClusterSet. */
  readonly name: string;
  /** How to reach each cluster. */
  readonly clusters: readonly FleetManifestCluster[];
  /** `namespace/name` -> provider cluster IDs. */
  readonly exports: Readonly<Record<string, readonly string[]>>;
  /** `namespace/name` -> consumer cluster IDs. */
  readonly imports: Readonly<Record<string, readonly string[]>>;
  /** Where the SyncRunner runs, when the fleet deploys one: its leader Lease lives there. */
  readonly runner?: { readonly hostClusterId: string; readonly namespace: string };
  /**
   * What each cluster declares about its CoreDNS (clusters that declare a version), so `apply`,
   * `diff` and `preflight` can check the live Corefile and the running CoreDNS against it.
   */
  readonly coreDns?: Readonly<Record<string, FleetManifestCoreDns>>;
}

/** A cluster's CoreDNS as the fleet declares it. */
export interface FleetManifestCoreDns {
  /** `coreDnsVersion`, e.g. `1.12.2`. */
  readonly version: string;
  /** `coreDnsFlavour`: `in-tree` or `external-plugin`. */
  readonly flavour: CoreDnsFlavour;
  /** `coreDnsConfig`: where the clusterset configuration goes (`corefile`, `coredns-custom`, `eks-addon`). */
  readonly config: CoreDnsConfig;
}

export function toFleetManifest(model: FleetModel): FleetManifest {
  // Not named `exports`: that would shadow the CommonJS exports object this module compiles to.
  const exported: Record<string, string[]> = {};
  for (const e of model.exports) {
    exported[serviceKey(e)] = [...(exported[serviceKey(e)] ?? []), ...e.placements.map((p) => p.clusterId)];
  }
  const imported: Record<string, string[]> = {};
  for (const i of model.imports) {
    imported[serviceKey(i)] = [...(imported[serviceKey(i)] ?? []), ...i.consumerIds];
  }
  return {
    apiVersion: FLEET_MANIFEST_API_VERSION,
    kind: 'Fleet',
    name: model.name,
    clusters: model.clusters.map((c) => ({ id: c.id, kubeContext: c.kubeContext, clusterDomain: c.clusterDomain })),
    exports: exported,
    imports: imported,
    ...(model.runner ? { runner: model.runner } : {}),
    ...coreDnsEntries(model),
  };
}

function coreDnsEntries(model: FleetModel): { coreDns?: Record<string, FleetManifestCoreDns> } {
  const declared = model.clusters.filter((c) => c.coreDnsVersion !== undefined);
  if (declared.length === 0) {
    return {};
  }
  return {
    coreDns: Object.fromEntries(declared.map((c) => [c.id, { version: c.coreDnsVersion!, flavour: c.coreDnsFlavour, config: c.coreDnsConfig ?? CoreDnsConfig.COREFILE }])),
  };
}

/** Parses and checks `fleet.json`; errors name the file and the field. */
export function parseFleetManifest(text: string, source = 'fleet.json'): FleetManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid JSON (${(e as Error).message}); regenerate it with "npm run synth"`);
  }
  const m = raw as Partial<FleetManifest>;
  if (typeof m !== 'object' || m === null || m.kind !== 'Fleet' || m.apiVersion !== FLEET_MANIFEST_API_VERSION) {
    throw new Error(`${source}: expected kind "Fleet" with apiVersion "${FLEET_MANIFEST_API_VERSION}"; regenerate it with "npm run synth"`);
  }
  if (!Array.isArray(m.clusters) || m.clusters.length === 0) {
    throw new Error(`${source}: "clusters" must list at least one cluster`);
  }
  m.clusters.forEach((c, i) => checkCluster(c, `${source}: clusters[${i}]`));
  const ids = m.clusters.map((c) => c.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) {
    throw new Error(`${source}: cluster ID "${dup}" appears twice`);
  }
  return { ...m, exports: m.exports ?? {}, imports: m.imports ?? {} } as FleetManifest;
}

function checkCluster(c: Partial<FleetManifestCluster>, where: string): void {
  if (typeof c?.id !== 'string' || !isDnsLabel(c.id)) {
    throw new Error(`${where}: "id" must be an RFC-1123 DNS label, got ${JSON.stringify(c?.id)}`);
  }
  if (typeof c.kubeContext !== 'string' || c.kubeContext === '') {
    throw new Error(`${where}: "kubeContext" must be a non-empty string, got ${JSON.stringify(c.kubeContext)}`);
  }
}
