/**
 * The fleet model: plain, immutable data describing clusters, exports and imports.
 *
 * Constructs register what they emit here; the fleet checks, `fleet.json` and `fleet.md` are all
 * computed from it. Nothing in this module knows about cdk8s.
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
  readonly name: string;
  readonly port: number;
  readonly protocol: Protocol;
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
  readonly id: string;
  readonly kubeContext: string;
  readonly clusterDomain: string;
  readonly storageClass?: string;
  readonly coreDnsVersion?: string;
  readonly coreDnsFlavour: CoreDnsFlavour;
  /** @default CoreDnsConfig.COREFILE */
  readonly coreDnsConfig?: CoreDnsConfig;
  /** Name Argo CD knows the cluster by (`destination.name`); defaults to the cluster ID. */
  readonly argoCdCluster?: string;
  /** Secret holding a kubeconfig for a Flux that runs elsewhere (`kubeConfig.secretRef`). */
  readonly fluxKubeConfigSecret?: string;
}

/** How the fleet's output is delivered by GitOps (`FleetProps.gitops` and friends, resolved). */
export interface GitOpsSpec {
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
  readonly clusterId: string;
  readonly replicas: number;
  readonly ordinalStart: number;
}

export interface ExportSpec {
  readonly path: string;
  /** The construct kind, for messages (e.g. `MultiClusterStatefulSet`). */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly headless: boolean;
  readonly ports: readonly PortSpec[];
  readonly placements: readonly PlacementSpec[];
  /** True when the pods are StatefulSet pods whose names the compiler knows. */
  readonly podsKnown: boolean;
}

export interface ImportSpec {
  readonly path: string;
  readonly namespace: string;
  readonly name: string;
  readonly consumerIds: readonly string[];
  /** The ports imported; `undefined` means every port of the export. */
  readonly ports?: readonly PortSpec[];
  readonly methods: readonly DnsMethod[];
}

export interface VolumeClaimSpec {
  readonly path: string;
  readonly clusterId: string;
  readonly workload: string;
  readonly claimName: string;
  readonly storageClass?: string;
}

/** Where the fleet's SyncRunner runs. */
export interface RunnerSpec {
  readonly hostClusterId: string;
  readonly namespace: string;
}

export interface FleetModel {
  readonly name: string;
  readonly runner?: RunnerSpec;
  readonly clusters: readonly ClusterSpec[];
  readonly exports: readonly ExportSpec[];
  readonly imports: readonly ImportSpec[];
  readonly volumeClaims: readonly VolumeClaimSpec[];
  /** @default - no GitOps output (GitOps.NONE) */
  readonly gitops?: GitOpsSpec;
}

/** One thing wrong with a fleet, attached to the construct that can fix it. */
export interface Problem {
  readonly path: string;
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

/** The exports of a namespaced service name, oldest (first declared) first. */
export function exportsOf(model: FleetModel, key: { namespace: string; name: string }): ExportSpec[] {
  return model.exports.filter((e) => e.namespace === key.namespace && e.name === key.name);
}

export function clusterById(model: FleetModel, id: string): ClusterSpec | undefined {
  return model.clusters.find((c) => c.id === id);
}
