import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { ClusterProperty } from '../../imports/about.k8s.io';
import { parseCoreDnsVersion } from '../corefile';
import { ClusterSpec, CoreDnsConfig, CoreDnsFlavour } from '../fleet/model';
import { CLUSTER_ID_PROPERTY, CLUSTERSET_PROPERTY, CLUSTERSET_ZONE, DEFAULT_CLUSTER_DOMAIN, LABEL_APP_MANAGED_BY, MANAGER } from '../fleet/names';
import { RESERVED_OUTPUT_FOLDERS } from '../gitops';
import { isEveryClusterConstruct } from './contribution';
import { CoreDnsMulticluster } from './coredns-multicluster';
import { MulticlusterCrds } from './crds';
import { clustersOf, enclosingCluster, FleetRoot, fleetOf, isCluster, isFleet, markCluster } from './fleet-tree';
import { requireDnsLabel, requireDnsSubdomain } from './validate';

export interface ClusterProps {
  /**
   * kubeconfig context the runner (`cdk8s-mcs apply` / `sync`) uses to reach this cluster.
   * @default - the cluster ID
   */
  readonly kubeContext?: string;
  /**
   * Storage class for volume claim templates that name none. Storage classes are vendor-specific
   * (e.g. `gp3`, `standard-rwo`, `alicloud-disk-topology-alltype`), so this is per cluster.
   * @default - none: every volume claim template in this cluster must name its storage class
   */
  readonly storageClass?: string;
  /**
   * Version of the CoreDNS running in this cluster, e.g. `1.12.2`. Decides the Corefile syntax
   * for clusterset.local (`multicluster` inside `kubernetes` from 1.12.2; the external plugin before).
   * @default - unknown: imports using DnsMethod.CLUSTERSET into this cluster are refused
   */
  readonly coreDnsVersion?: string;
  /**
   * Which CoreDNS build runs in this cluster.
   * @default CoreDnsFlavour.IN_TREE
   */
  readonly coreDnsFlavour?: CoreDnsFlavour;
  /**
   * The cluster's current Corefile, which the CoreDNS patch keeps intact apart from its own change.
   * @default - kubeadm's default Corefile for the cluster's clusterDomain
   */
  readonly baseCorefile?: string;
  /**
   * The cluster's DNS domain.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * The ServiceAccount CoreDNS runs as, in `kube-system`; it is granted list/watch on ServiceImports.
   * @default 'coredns'
   */
  readonly coreDnsServiceAccount?: string;
  /**
   * Where the clusterset.local configuration goes. Platforms that own the main Corefile revert
   * edits to it: use `CUSTOM_CONFIGMAP` on AKS and k3s, `EKS_ADDON` on EKS with the managed
   * CoreDNS add-on.
   * @default CoreDnsConfig.COREFILE
   */
  readonly coreDnsConfig?: CoreDnsConfig;
  /**
   * Name Argo CD knows this cluster by (the `name` of its cluster Secret), for `destination.name`.
   * Use `in-cluster` for the cluster Argo CD itself runs in.
   * @default - the cluster ID
   */
  readonly argoCdCluster?: string;
  /**
   * Secret (in the Flux namespace) with a kubeconfig for this cluster, for a Flux that runs in
   * another cluster: set as `kubeConfig.secretRef` on this cluster's Flux Kustomizations.
   * @default - none: Flux runs in this cluster
   */
  readonly fluxKubeConfigSecret?: string;
  /**
   * Namespaces that exist in this cluster before the fleet is applied (made by hand, by another
   * repository or by the platform), for objects placed in them that the fleet creates no Namespace
   * for. The compiler refuses an object in a namespace that neither the cluster's output creates
   * nor this list (or Kubernetes' own: `default`, `kube-system`, `kube-public`, `kube-node-lease`)
   * names, since its apply would fail on a fresh cluster.
   * @default - none besides Kubernetes' own
   */
  readonly existingNamespaces?: readonly string[];
}

/**
 * One cluster of the fleet: a cdk8s Chart whose objects land in `dist/<cluster-id>/`, those of
 * charts nested in it included (`new Chart(cluster, 'addons')`).
 *
 * Every cluster gets the MCS and About API CRDs and its KEP-2149 cluster ID
 * (`ClusterProperty cluster.clusterset.k8s.io`). Create clusters with `new Cluster(fleet, id, props)`
 * or `fleet.addCluster(id, props)` (the same); a cluster may also be created in a construct of the
 * fleet, but not inside a chart.
 */
export class Cluster extends Chart {
  /** Whether `x` is a Cluster (also across copies of this library). */
  public static isCluster(x: unknown): x is Cluster {
    return isCluster(x);
  }

  /** The cluster a construct is in (the closest enclosing one); throws naming the construct when it is in none. */
  public static of(construct: IConstruct): Cluster {
    const cluster = enclosingCluster(construct);
    if (!cluster) {
      throw new Error(`"${construct.node.path}" is not inside a Cluster. Fix: create it with a cluster (or a construct inside one) as its scope`);
    }
    return cluster;
  }

  /** The MCS cluster ID (a DNS label). */
  public readonly clusterId: string;
  /** The settings of this cluster as the fleet model sees them. */
  public readonly spec: ClusterSpec;
  /** Namespaces this cluster has without the fleet creating them (`ClusterProps.existingNamespaces`). */
  public readonly existingNamespaces: readonly string[];
  private readonly props: ClusterProps;

  /**
   * @param scope the Fleet, or a construct of the fleet outside every chart
   * @param id the cluster ID: a DNS label, unique in the fleet (the MCS `source-cluster` and `<clusterid>` DNS label)
   */
  public constructor(scope: Construct, id: string, props: ClusterProps = {}) {
    const fleet = requirePlacement(scope, id);
    requireClusterProps(`cluster "${id}"`, props);
    super(scope, id, { disableResourceNameHashes: true });
    markCluster(this);
    // An ID that is no DNS label or is reserved joins the fleet's batched problem list at synth
    // (nothing is built from it that could fail before then), so every such mistake is reported at once.
    const idProblems = clusterIdProblems(id);
    if (idProblems.length > 0) {
      this.node.addValidation({ validate: () => idProblems });
    }
    this.clusterId = id;
    this.props = props;
    this.existingNamespaces = [...(props.existingNamespaces ?? [])];
    this.spec = {
      path: this.node.path,
      id,
      kubeContext: props.kubeContext ?? id,
      clusterDomain: props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
      storageClass: props.storageClass,
      coreDnsVersion: props.coreDnsVersion,
      coreDnsFlavour: props.coreDnsFlavour ?? CoreDnsFlavour.IN_TREE,
      coreDnsConfig: props.coreDnsConfig ?? CoreDnsConfig.COREFILE,
      argoCdCluster: props.argoCdCluster,
      fluxKubeConfigSecret: props.fluxKubeConfigSecret,
    };
    new MulticlusterCrds(this, 'crds');
    this.clusterProperty('cluster-id', CLUSTER_ID_PROPERTY, id);
    this.clusterProperty('clusterset', CLUSTERSET_PROPERTY, fleet.name);
    // Constructs that reach into every cluster (the SyncRunner's RBAC) reach this one too, whenever it is created.
    fleet.node.findAll().filter(isEveryClusterConstruct).forEach((c) => c._addToCluster(this));
  }


  /** The Namespace object for `name` in this cluster, created on first use (namespace sameness). */
  public ensureNamespace(name: string): k8s.KubeNamespace {
    requireDnsLabel(`cluster "${this.clusterId}"`, 'namespace', name);
    const existing = this.node.tryFindChild(`namespace-${name}`);
    if (existing) {
      return existing as k8s.KubeNamespace;
    }
    return new k8s.KubeNamespace(this, `namespace-${name}`, { metadata: { name, labels: { [LABEL_APP_MANAGED_BY]: MANAGER } } });
  }

  /**
   * Makes this cluster's CoreDNS serve clusterset.local (the Corefile change and its RBAC),
   * once however many imports ask for it.
   */
  public enableClustersetDns(): CoreDnsMulticluster {
    const existing = this.node.tryFindChild('coredns-multicluster');
    if (existing) {
      return existing as CoreDnsMulticluster;
    }
    return new CoreDnsMulticluster(this, 'coredns-multicluster', {
      version: this.props.coreDnsVersion,
      flavour: this.spec.coreDnsFlavour,
      baseCorefile: this.props.baseCorefile,
      clusterDomain: this.spec.clusterDomain,
      serviceAccountName: this.props.coreDnsServiceAccount,
      config: this.spec.coreDnsConfig,
    });
  }

  private clusterProperty(id: string, name: string, value: string): ApiObject {
    return new ClusterProperty(this, id, { metadata: { name }, spec: { value } });
  }
}

/** Props that are wrong in themselves. */
function requireClusterProps(where: string, props: ClusterProps): void {
  if (props.storageClass !== undefined) {
    requireDnsSubdomain(where, 'storageClass', props.storageClass);
  }
  if (props.clusterDomain !== undefined) {
    requireClusterDomain(where, props.clusterDomain);
  }
  if (props.kubeContext === '') {
    throw new Error(`${where}: kubeContext must name a kubeconfig context, got "". Fix: omit it to use the cluster ID`);
  }
  if (props.coreDnsServiceAccount !== undefined) {
    requireDnsSubdomain(where, 'coreDnsServiceAccount', props.coreDnsServiceAccount);
  }
  if (props.fluxKubeConfigSecret !== undefined) {
    requireDnsSubdomain(where, 'fluxKubeConfigSecret', props.fluxKubeConfigSecret);
  }
  (props.existingNamespaces ?? []).forEach((ns, i) => requireDnsLabel(where, `existingNamespaces[${i}]`, ns));
  if (props.coreDnsConfig !== undefined && !Object.values(CoreDnsConfig).includes(props.coreDnsConfig)) {
    throw new Error(`${where}: coreDnsConfig must be one of ${Object.values(CoreDnsConfig).map((c) => `"${c}"`).join(', ')}, got ${JSON.stringify(props.coreDnsConfig)}. Fix: use CoreDnsConfig.COREFILE (kubeadm, kind, self-managed), CoreDnsConfig.CUSTOM_CONFIGMAP (AKS, k3s) or CoreDnsConfig.EKS_ADDON (EKS's managed add-on)`);
  }
  requireCoreDnsBuild(where, props);
}

/**
 * Where a cluster may be created, checked before it is: in a Fleet, outside every chart, with an
 * ID that is a DNS label, not reserved and not taken by another cluster.
 */
function requirePlacement(scope: Construct, id: string): FleetRoot {
  const where = `cluster "${id}"`;
  if (!isFleet(scope.node.root)) {
    throw new Error(`${where}: a Cluster must be created in a Fleet, got scope "${scope.node.path || scope.node.id || '(root)'}", which is not part of one. Fix: new Cluster(fleet, "${id}") or fleet.addCluster("${id}")`);
  }
  const fleet = fleetOf(scope);
  const inside = [scope, ...scope.node.scopes].find((c) => Chart.isChart(c));
  if (inside) {
    throw new Error(`${where}: a Cluster cannot be created inside ${isCluster(inside) ? 'cluster' : 'chart'} "${inside.node.path}" (its objects would belong to two charts). Fix: create it in the Fleet: new Cluster(fleet, "${id}") or fleet.addCluster("${id}")`);
  }
  const taken = clustersOf(fleet).find((c) => c.clusterId === id);
  if (taken) {
    throw new Error(`${where} is added twice: cluster IDs must be unique within the fleet (they are the MCS source-cluster label); the other is at "${taken.node.path}". Fix: give this cluster another ID, or use the one at "${taken.node.path}"`);
  }
  return fleet;
}

/** What is wrong with a cluster ID in itself: not a DNS label, or the name of a GitOps output folder. */
function clusterIdProblems(id: string): string[] {
  const where = `cluster "${id}"`;
  try {
    requireDnsLabel(where, 'the cluster ID (used as <clusterid> in <pod>.<clusterid>.<svc>.<ns>.svc.clusterset.local)', id);
  } catch (e) {
    return [(e as Error).message];
  }
  if (RESERVED_OUTPUT_FOLDERS.includes(id)) {
    return [`${where}: the cluster ID is reserved (the output folders ${RESERVED_OUTPUT_FOLDERS.map((f) => `"${f}/"`).join(' and ')} hold the GitOps entry points). Fix: choose another ID, e.g. "${id}-1"`];
  }
  return [];
}

/** A CoreDNS version and flavour that mean something, whether or not an import needs them yet. */
function requireCoreDnsBuild(where: string, props: ClusterProps): void {
  if (props.coreDnsFlavour !== undefined && !Object.values(CoreDnsFlavour).includes(props.coreDnsFlavour)) {
    throw new Error(`${where}: coreDnsFlavour must be one of ${Object.values(CoreDnsFlavour).map((f) => `"${f}"`).join(', ')}, got ${JSON.stringify(props.coreDnsFlavour)}. Fix: use CoreDnsFlavour.IN_TREE (stock CoreDNS >= 1.12.2) or CoreDnsFlavour.EXTERNAL_PLUGIN`);
  }
  if (props.coreDnsVersion !== undefined) {
    try {
      parseCoreDnsVersion(props.coreDnsVersion);
    } catch {
      throw new Error(`${where}: coreDnsVersion must be a CoreDNS version such as "1.12.2" or "v1.12.2", got ${JSON.stringify(props.coreDnsVersion)}. Fix: set the version the cluster runs (kubectl -n kube-system get deploy coredns -o wide shows its image tag), or omit it`);
    }
  }
}

/** A domain resolvers accept, other than the clusterset zone the cluster also serves. */
function requireClusterDomain(where: string, domain: string): void {
  requireDnsSubdomain(where, 'clusterDomain', domain);
  const long = domain.split('.').find((label) => label.length > 63);
  if (long) {
    throw new Error(`${where}: clusterDomain must be a DNS domain, whose labels are at most 63 characters, got "${domain}" (label "${long}" has ${long.length}). Fix: set the domain the cluster's kubelets use (--cluster-domain), usually "${DEFAULT_CLUSTER_DOMAIN}"`);
  }
  if (domain === CLUSTERSET_ZONE) {
    throw new Error(`${where}: clusterDomain must differ from the clusterset zone "${CLUSTERSET_ZONE}", got "${domain}". Fix: set the domain the cluster's kubelets use (--cluster-domain), usually "${DEFAULT_CLUSTER_DOMAIN}", the default`);
  }
}
