/**
 * A fleet as plain data: what the arbitraries generate, what the builder turns into constructs and
 * what the oracle judges. Clusters are referred to by their index in `clusters`.
 */

export type ProtocolName = 'TCP' | 'UDP' | 'SCTP';

export interface PortDesc {
  readonly name: string;
  readonly port: number;
  readonly protocol?: ProtocolName;
  readonly containerPort?: number;
}

export interface ClusterDesc {
  readonly id: string;
  readonly storageClass?: string;
  readonly coreDnsVersion?: string;
  /** A CoreDnsFlavour value, or a wrong string. */
  readonly coreDnsFlavour?: string;
  readonly clusterDomain?: string;
  readonly kubeContext?: string;
  readonly baseCorefile?: string;
}

export interface ProviderDesc {
  readonly cluster: number;
  readonly replicas?: number;
  readonly ordinalStart?: number;
}

export interface ClaimDesc {
  readonly name: string;
  readonly mountPath: string;
  readonly size: string;
  readonly storageClass?: string;
}

export interface SecretEnvDesc {
  readonly name: string;
  readonly secretName: string;
  readonly key: string;
}

export interface StatefulSetDesc {
  readonly kind: 'MultiClusterStatefulSet';
  readonly id: string;
  /** Omitted: the construct id is the service name. */
  readonly serviceName?: string;
  readonly namespace: string;
  readonly image: string;
  readonly replicas?: number;
  readonly providers: readonly ProviderDesc[];
  readonly ports: readonly PortDesc[];
  readonly volumeClaims: readonly ClaimDesc[];
  readonly secretEnv: readonly SecretEnvDesc[];
}

export interface ExportDesc {
  readonly kind: 'ExportedService';
  readonly id: string;
  readonly serviceName: string;
  readonly namespace: string;
  readonly providers: readonly number[];
  readonly ports: readonly PortDesc[];
  readonly headless?: boolean;
}

export interface ImportDesc {
  readonly kind: 'HeadlessImport';
  readonly id: string;
  readonly serviceName: string;
  readonly namespace: string;
  readonly consumers: readonly number[];
  /** DnsMethod values, or wrong strings. */
  readonly dnsMethods?: readonly string[];
  readonly ports?: readonly PortDesc[];
}

export interface SecretDesc {
  readonly kind: 'LiteralSecret';
  readonly id: string;
  readonly secretName: string;
  readonly namespace: string;
  readonly clusters: readonly number[];
  readonly stringData: Readonly<Record<string, string>>;
  readonly acknowledged: boolean;
}

export interface RunnerDesc {
  readonly kind: 'SyncRunner';
  readonly id: string;
  readonly host: number;
  readonly namespace?: string;
  readonly replicas?: number;
  /** Created right after its host cluster, before the clusters that follow it. */
  readonly early: boolean;
}

/**
 * A plain cdk8s Chart a user adds, with a Namespace (in the cluster chart) and ConfigMaps in it:
 * inside a cluster (rendered there), or outside every cluster (refused: no cluster would get it).
 */
export interface ExtraChartDesc {
  readonly kind: 'ExtraChart';
  /** Chart id, also the namespace of its ConfigMaps. */
  readonly id: string;
  /** The cluster the chart is created in; undefined: in the Fleet, beside the clusters. */
  readonly cluster?: number;
  /** Created in a plain construct (`<id>-group`) rather than directly in its parent. */
  readonly nested: boolean;
  /** The chart sets `namespace` (and its ConfigMaps none) instead of the ConfigMaps setting it. */
  readonly chartNamespace: boolean;
  /** Number of ConfigMaps, named `<id>-settings-<n>`. */
  readonly configMaps: number;
}

export type ConstructDesc = StatefulSetDesc | ExportDesc | ImportDesc | SecretDesc | RunnerDesc | ExtraChartDesc;

/** Construct path of an extra chart's ConfigMap, below its cluster (or the Fleet). */
export function extraObjectPath(c: ExtraChartDesc, n: number): string {
  return `${c.nested ? `${c.id}-group/` : ''}${c.id}/${c.id}-settings-${n}`;
}

export interface FleetDesc {
  readonly clusters: readonly ClusterDesc[];
  /** In creation order (early runners excepted). */
  readonly constructs: readonly ConstructDesc[];
}

/** A generated fleet and the faults deliberately injected into it (for the statistics only: the oracle never reads them). */
export interface GeneratedFleet {
  readonly fleet: FleetDesc;
  readonly injected: readonly string[];
}

/** The order in which the builder creates things, shared with the oracle. */
export type Step = { readonly cluster: number } | { readonly construct: ConstructDesc };

export function creationOrder(fleet: FleetDesc): Step[] {
  const early = (i: number) => fleet.constructs.filter((c): c is RunnerDesc => c.kind === 'SyncRunner' && c.early && c.host === i);
  const steps: Step[] = [];
  fleet.clusters.forEach((_, i) => {
    steps.push({ cluster: i });
    early(i).forEach((construct) => steps.push({ construct }));
  });
  fleet.constructs.filter((c) => !(c.kind === 'SyncRunner' && c.early)).forEach((construct) => steps.push({ construct }));
  return steps;
}

/** The service name a MultiClusterStatefulSet uses. */
export function stsName(s: StatefulSetDesc): string {
  return s.serviceName ?? s.id;
}
