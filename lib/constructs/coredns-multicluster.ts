import { Chart, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkCoreDnsSupports, KUBEADM_DEFAULT_COREFILE, multiclusterServerBlock, patchCorefile } from '../corefile';
import { ANNOTATION_APPLY_PHASE, ApplyPhase } from '../fleet/apply-order';
import { COREDNS_CONFIGMAP, COREDNS_CUSTOM_CONFIGMAP, COREDNS_CUSTOM_SERVER_KEY, COREDNS_NAMESPACE, COREDNS_RBAC_NAME, COREFILE_KEY, eksCoreDnsValuesFile } from '../fleet/coredns-objects';
import { CoreDnsConfig, CoreDnsFlavour, Problem } from '../fleet/model';
import { CLUSTERSET_ZONE, DEFAULT_CLUSTER_DOMAIN, LABEL_APP_MANAGED_BY, MANAGER } from '../fleet/names';
import { ExtraFile, FleetContribution, IFleetContributor } from './contribution';
import { enclosingCluster, stampCreation } from './fleet-tree';

export interface CoreDnsMulticlusterProps {
  /**
   * CoreDNS version running in the cluster. Required by the time the fleet is synthesized
   * (a fleet check reports it missing).
   * @default - unknown
   */
  readonly version?: string;
  /**
   * Which CoreDNS build runs in the cluster: stock CoreDNS, or one with the external multicluster plugin.
   * @default CoreDnsFlavour.IN_TREE
   */
  readonly flavour?: CoreDnsFlavour;
  /**
   * The Corefile to patch.
   * @default - kubeadm's default Corefile for the cluster's clusterDomain
   */
  readonly baseCorefile?: string;
  /**
   * The cluster's DNS domain, which the Corefile's kubernetes plugin serves.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * The ServiceAccount CoreDNS runs as, in `kube-system`.
   * @default 'coredns'
   */
  readonly serviceAccountName?: string;
  /**
   * Where the clusterset.local configuration goes: the `coredns` ConfigMap's Corefile, a
   * `coredns-custom` ConfigMap (AKS, k3s), or values for the EKS CoreDNS add-on.
   * @default CoreDnsConfig.COREFILE
   */
  readonly config?: CoreDnsConfig;
}

export { COREDNS_CUSTOM_CONFIGMAP, COREDNS_CUSTOM_SERVER_KEY, COREDNS_RBAC_NAME, eksCoreDnsValuesFile } from '../fleet/coredns-objects';

/**
 * Makes a cluster's CoreDNS answer `<pod>.<cluster-id>.<svc>.<ns>.svc.clusterset.local`:
 * the `coredns` ConfigMap with the Corefile patched for the cluster's CoreDNS flavour, and the
 * RBAC that lets CoreDNS list/watch `serviceimports.multicluster.x-k8s.io`.
 *
 * Ordering hazard: CoreDNS with the multicluster option does not become ready, and answers
 * SERVFAIL, until the ServiceImport CRD exists and it may list ServiceImports. The ConfigMap is
 * therefore emitted in the last apply phase, after the CRDs and this RBAC.
 *
 * Where the main Corefile belongs to the platform, `config` picks its extension point instead:
 * a standalone `clusterset.local:53` server block in `coredns-custom` (AKS, k3s), or
 * `dist/<cluster-id>.eks-coredns-values.json` for the EKS add-on's `configurationValues`.
 */
export class CoreDnsMulticluster extends Construct implements IFleetContributor {
  private readonly props: CoreDnsMulticlusterProps;
  private readonly config: CoreDnsConfig;
  /** The patch of the Corefile, computed once: the props never change, so neither does it. */
  private patch?: { readonly corefile: string; readonly warnings: readonly string[] };

  public constructor(scope: Construct, id: string, props: CoreDnsMulticlusterProps) {
    super(scope, id);
    stampCreation(this);
    this.props = props;
    this.config = props.config ?? CoreDnsConfig.COREFILE;
    const serviceAccountName = props.serviceAccountName ?? 'coredns';
    const labels = { [LABEL_APP_MANAGED_BY]: MANAGER };
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: COREDNS_RBAC_NAME, labels },
      rules: [{ apiGroups: ['multicluster.x-k8s.io'], resources: ['serviceimports'], verbs: ['list', 'watch'] }],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: COREDNS_RBAC_NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: COREDNS_RBAC_NAME },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccountName, namespace: 'kube-system' }],
    });
    const annotations = { [ANNOTATION_APPLY_PHASE]: ApplyPhase[ApplyPhase.DNS] };
    if (this.config !== CoreDnsConfig.CUSTOM_CONFIGMAP) {
      this.node.addValidation({ validate: () => this.corefileProblems() });
    }
    if (this.config === CoreDnsConfig.COREFILE) {
      new k8s.KubeConfigMap(this, 'Resource', {
        metadata: { name: COREDNS_CONFIGMAP, namespace: COREDNS_NAMESPACE, labels, annotations },
        data: Lazy.any({ produce: () => ({ [COREFILE_KEY]: this.patched().corefile }) }) as any,
      });
    } else if (this.config === CoreDnsConfig.CUSTOM_CONFIGMAP) {
      new k8s.KubeConfigMap(this, 'Resource', {
        metadata: { name: COREDNS_CUSTOM_CONFIGMAP, namespace: COREDNS_NAMESPACE, labels, annotations },
        data: Lazy.any({ produce: () => ({ [COREDNS_CUSTOM_SERVER_KEY]: this.serverBlock() }) }) as any,
      });
    }
  }

  /**
   * What the patch warns about (e.g. a `cache` that also caches clusterset.local answers), the
   * EKS add-on's values file and, without a baseCorefile, the warning that it replaces the whole
   * Corefile. Computed when the fleet is rendered; nothing is added anywhere as a side effect.
   */
  public fleetContribution(): FleetContribution {
    if (this.config === CoreDnsConfig.CUSTOM_CONFIGMAP || !this.patchable()) {
      return {}; // a Corefile the patch cannot work on is reported by this construct's validation
    }
    const warnings: Problem[] = this.patched().warnings.map((message) => ({ path: this.node.path, message: `Corefile: ${message}` }));
    if (this.config !== CoreDnsConfig.EKS_ADDON) {
      return { warnings };
    }
    const clusterId = this.clusterId();
    const file: ExtraFile = { path: eksCoreDnsValuesFile(clusterId), produce: () => `${JSON.stringify({ corefile: this.patched().corefile }, null, 2)}\n` };
    if (this.props.baseCorefile === undefined) {
      warnings.unshift({
        path: this.node.path,
        message: `cluster "${clusterId}": the EKS add-on values replace the whole Corefile, and no baseCorefile was given, so kubeadm's default is patched; pass the cluster's current Corefile (kubectl -n kube-system get configmap coredns -o jsonpath='{.data.Corefile}') as baseCorefile`,
      });
    }
    return { warnings, files: [file] };
  }

  private clusterId(): string {
    return enclosingCluster(this)?.clusterId ?? Chart.of(this).node.id;
  }

  /** Whether the CoreDNS build can serve clusterset.local at all (the clusterset DNS check reports it otherwise). */
  private supported(): boolean {
    try {
      checkCoreDnsSupports(this.props.flavour ?? CoreDnsFlavour.IN_TREE, this.props.version ?? '');
      return true;
    } catch {
      return false;
    }
  }

  private patchable(): boolean {
    if (!this.supported()) {
      return false;
    }
    try {
      this.patched();
      return true;
    } catch {
      return false;
    }
  }

  /** A Corefile the patch cannot work on is reported with the fleet's problems, not thrown while writing the output. */
  private corefileProblems(): string[] {
    if (!this.supported()) {
      return []; // the clusterset DNS check reports the version
    }
    try {
      this.patched();
      return [];
    } catch (e) {
      const domain = this.props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
      return [
        `cluster "${this.clusterId()}": the Corefile cannot be patched for ${CLUSTERSET_ZONE}: ${(e as Error).message}. ` +
          `Fix: pass the cluster's current Corefile as baseCorefile (its kubernetes plugin serving "${domain}"), or set clusterDomain to the domain it serves`,
      ];
    }
  }

  private serverBlock(): string {
    return multiclusterServerBlock({ flavour: this.props.flavour ?? CoreDnsFlavour.IN_TREE, version: this.props.version ?? '', clustersetZone: CLUSTERSET_ZONE });
  }

  private patched(): { readonly corefile: string; readonly warnings: readonly string[] } {
    if (!this.patch) {
      const props = this.props;
      this.patch = patchCorefile(props.baseCorefile ?? kubeadmCorefile(props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN), {
        flavour: props.flavour ?? CoreDnsFlavour.IN_TREE,
        version: props.version ?? '',
        clusterDomain: props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
        clustersetZone: CLUSTERSET_ZONE,
      });
    }
    return this.patch;
  }
}

/** The Corefile kubeadm writes for a cluster domain: its template carries the domain in `kubernetes` and `cache`. */
function kubeadmCorefile(clusterDomain: string): string {
  return KUBEADM_DEFAULT_COREFILE.split(DEFAULT_CLUSTER_DOMAIN).join(clusterDomain);
}
