/**
 * The fleet model: plain, immutable data describing clusters, exports and imports.
 *
 * The compiler derives it from the construct tree at render time; the fleet checks, `fleet.json`
 * and `fleet.md` are all computed from it. Nothing in this module knows about cdk8s.
 */
import { CoreDnsFlavour } from '../corefile';
import { DnsMethod } from './names';

export { CoreDnsFlavour };

/** Transport protocol of a port. */
export enum Protocol {
  TCP = 'TCP',
  UDP = 'UDP',
  SCTP = 'SCTP',
}

/** A named service port as exported and imported (ServiceImport ports carry no targetPort). */
export interface PortSpec {
  /** The port's name (an IANA service name), the same in every cluster. */
  readonly name: string;
  /** The port number. */
  readonly port: number;
  /** The transport protocol. */
  readonly protocol: Protocol;
  /** Application protocol hint, e.g. `mysql`. */
  readonly appProtocol?: string;
}

/** Which GitOps tool syncs `dist/` into the clusters; decides the extra files and annotations synth writes. */
export enum GitOps {
  /** Argo CD: an Application per cluster in `dist/argocd/`, sync waves on every object. */
  ARGOCD = 'argocd',
  /** Flux: per cluster, stage folders with `kustomization.yaml` and Flux Kustomizations in `dist/clusters/<id>/`. */
  FLUX = 'flux',
  /** Plain folders for `cdk8s-mcs apply` (or any tool that applies a folder in name order). */
  NONE = 'none',
}

/**
 * Where a cluster's clusterset.local server configuration goes: platforms that own the main
 * Corefile revert edits to it, but offer their own extension point.
 */
export enum CoreDnsConfig {
  /** Patch the Corefile of the `kube-system/coredns` ConfigMap (kubeadm, kind, self-managed CoreDNS). */
  COREFILE = 'corefile',
  /** A `clusterset.server` key in the `kube-system/coredns-custom` ConfigMap (AKS, k3s, k3d, RKE2's k3s flavour). */
  CUSTOM_CONFIGMAP = 'coredns-custom',
  /** A `configurationValues` file for the EKS managed CoreDNS add-on (`dist/<cluster-id>.eks-coredns-values.json`). */
  EKS_ADDON = 'eks-addon',
}

export interface ClusterSpec {
  /** Construct path, for error messages. */
  readonly path: string;
  /** The cluster ID: the MCS `source-cluster` label value and the `<clusterid>` DNS label. */
  readonly id: string;
  /** kubeconfig context the CLI and the runner use for this cluster. */
  readonly kubeContext: string;
  /** The cluster's DNS domain, e.g. `cluster.local`. */
  readonly clusterDomain: string;
  /** Storage class for volume claims that name none. */
  readonly storageClass?: string;
  /** Version of the cluster's CoreDNS, e.g. `1.12.2`; unknown when absent. */
  readonly coreDnsVersion?: string;
  /** Which multicluster implementation the cluster's CoreDNS carries. */
  readonly coreDnsFlavour: CoreDnsFlavour;
  /** Where the cluster's clusterset.local configuration goes. @default CoreDnsConfig.COREFILE */
  readonly coreDnsConfig?: CoreDnsConfig;
  /** Name Argo CD knows the cluster by (`destination.name`); defaults to the cluster ID. */
  readonly argoCdCluster?: string;
  /** Secret holding a kubeconfig for a Flux that runs elsewhere (`kubeConfig.secretRef`). */
  readonly fluxKubeConfigSecret?: string;
}

/** How the fleet's output is delivered by GitOps (`FleetProps.gitops` and friends, resolved). */
export interface GitOpsSpec {
  /** The GitOps tool. */
  readonly tool: GitOps;
  /** Argo CD `source.repoURL`. */
  readonly repoUrl?: string;
  /** Branch, tag or commit (Argo CD `targetRevision`). */
  readonly revision: string;
  /** Path of the synth output inside the repository, without leading `./` or trailing `/`. */
  readonly path: string;
  /** Namespace of the Argo CD Applications or Flux Kustomizations. */
  readonly namespace: string;
  /** Argo CD project. */
  readonly argoCdProject: string;
  /** The Flux GitRepository holding the repository. */
  readonly fluxSource: string;
}

/** Where an exported workload runs, and which pod ordinals it has there. */
export interface PlacementSpec {
  /** The provider cluster. */
  readonly clusterId: string;
  /** Pods in that cluster. */
  readonly replicas: number;
  /** Ordinal of the first pod there (`<name>-<ordinalStart>`). */
  readonly ordinalStart: number;
}

export interface ExportSpec {
  /** Construct path, for error messages. */
  readonly path: string;
  /** The construct kind, for messages (e.g. `MultiClusterStatefulSet`). */
  readonly kind: string;
  /** Namespace of the exported service. */
  readonly namespace: string;
  /** Name of the exported service. */
  readonly name: string;
  /** True for a headless service (per-pod DNS names). */
  readonly headless: boolean;
  /** The exported ports. */
  readonly ports: readonly PortSpec[];
  /** The provider clusters and the pods each runs. */
  readonly placements: readonly PlacementSpec[];
  /** True when the pods are StatefulSet pods whose names the compiler knows. */
  readonly podsKnown: boolean;
}

export interface ImportSpec {
  /** Construct path, for error messages. */
  readonly path: string;
  /** Namespace of the imported service. */
  readonly namespace: string;
  /** Name of the imported service. */
  readonly name: string;
  /** The clusters that import it. */
  readonly consumerIds: readonly string[];
  /** The ports imported; `undefined` means every port of the export. */
  readonly ports?: readonly PortSpec[];
  /** The DNS forms the consumers resolve it by. */
  readonly methods: readonly DnsMethod[];
}

/** A volume claim template as rendered (JSON patches included), for the storage class check. */
export interface VolumeClaimSpec {
  /** Construct path, for error messages. */
  readonly path: string;
  /** The cluster the claim template is used in. */
  readonly clusterId: string;
  /** The StatefulSet it belongs to. */
  readonly workload: string;
  /** Name of the volume claim template. */
  readonly claimName: string;
  /** Its rendered `storageClassName`, after the cluster default applies. */
  readonly storageClass?: string;
}

/** Where the fleet's SyncRunner runs. */
export interface RunnerSpec {
  /** The cluster the runner's Deployment runs in. */
  readonly hostClusterId: string;
  /** The runner's namespace in every cluster. */
  readonly namespace: string;
}

export interface FleetModel {
  /** Name of the ClusterSet. */
  readonly name: string;
  /** Where the SyncRunner runs, when the fleet has one. */
  readonly runner?: RunnerSpec;
  /** The clusters, in the order they were added. */
  readonly clusters: readonly ClusterSpec[];
  /** Every export, in declaration order. */
  readonly exports: readonly ExportSpec[];
  /** Every import, in declaration order. */
  readonly imports: readonly ImportSpec[];
  /** How the output is delivered by a GitOps tool. @default - no GitOps output (GitOps.NONE) */
  readonly gitops?: GitOpsSpec;
}

/** One thing wrong with a fleet, attached to the construct that can fix it. */
export interface Problem {
  /** Path of the construct that can fix it. */
  readonly path: string;
  /** What is wrong, the value received, what is expected, and the fix. */
  readonly message: string;
}

/** `3306/TCP "tcp"` */
export function describePort(port: PortSpec): string {
  return `${port.port}/${port.protocol} "${port.name}"`;
}

/** `provider-ns/mysql` */
export function serviceKey(o: { namespace: string; name: string }): string {
  return `${o.namespace}/${o.name}`;
}

// Lookups by key, built once per (immutable) list: the checks and fleet.md look up every import's
// exports, and a linear scan each time made a 10,000-service fleet take minutes to synth.
const exportIndexes = new WeakMap<readonly ExportSpec[], Map<string, ExportSpec[]>>();
const clusterIndexes = new WeakMap<readonly ClusterSpec[], Map<string, ClusterSpec>>();

/** The exports of a namespaced service name, oldest (first declared) first. */
export function exportsOf(model: FleetModel, key: { namespace: string; name: string }): ExportSpec[] {
  let index = exportIndexes.get(model.exports);
  if (!index) {
    index = new Map();
    for (const e of model.exports) {
      const k = serviceKey(e);
      index.set(k, [...(index.get(k) ?? []), e]);
    }
    exportIndexes.set(model.exports, index);
  }
  return [...(index.get(serviceKey(key)) ?? [])];
}

export function clusterById(model: FleetModel, id: string): ClusterSpec | undefined {
  let index = clusterIndexes.get(model.clusters);
  if (!index) {
    index = new Map();
    for (const c of model.clusters) {
      if (!index.has(c.id)) {
        index.set(c.id, c); // the first wins, as find() did
      }
    }
    clusterIndexes.set(model.clusters, index);
  }
  return index.get(id);
}
