import { Chart, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkCoreDnsSupports, KUBEADM_DEFAULT_COREFILE, multiclusterServerBlock, patchCorefile } from '../corefile';
import { ANNOTATION_APPLY_PHASE, ApplyPhase } from '../fleet/apply-order';
import { CoreDnsConfig, CoreDnsFlavour } from '../fleet/model';
import { COREDNS_CONFIGMAP, COREDNS_CUSTOM_CONFIGMAP, COREDNS_CUSTOM_SERVER_KEY, COREDNS_NAMESPACE, COREDNS_RBAC_NAME, COREFILE_KEY, eksCoreDnsValuesFile } from '../fleet/coredns-objects';
import { Fleet } from './fleet';
import { CLUSTERSET_ZONE, DEFAULT_CLUSTER_DOMAIN, LABEL_APP_MANAGED_BY, MANAGER } from '../fleet/names';

export interface CoreDnsMulticlusterProps {
  /**
   * CoreDNS version running in the cluster. Required by the time the fleet is synthesized
   * (a fleet check reports it missing).
   * @default - unknown
   */
  readonly version?: string;
  /**
   * @default CoreDnsFlavour.IN_TREE
   */
  readonly flavour?: CoreDnsFlavour;
  /**
   * The Corefile to patch.
   * @default - kubeadm's default Corefile for the cluster's clusterDomain
   */
  readonly baseCorefile?: string;
  /**
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
export class CoreDnsMulticluster extends Construct {
  public constructor(scope: Construct, id: string, props: CoreDnsMulticlusterProps) {
    super(scope, id);
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
    const config = props.config ?? CoreDnsConfig.COREFILE;
    if (config !== CoreDnsConfig.CUSTOM_CONFIGMAP) {
      this.node.addValidation({ validate: () => this.corefileProblems(props) });
    }
    if (config === CoreDnsConfig.COREFILE) {
      new k8s.KubeConfigMap(this, 'Resource', {
        metadata: { name: COREDNS_CONFIGMAP, namespace: COREDNS_NAMESPACE, labels, annotations },
        data: Lazy.any({ produce: () => ({ [COREFILE_KEY]: this.patchedCorefile(props) }) }) as any,
      });
    } else if (config === CoreDnsConfig.CUSTOM_CONFIGMAP) {
      new k8s.KubeConfigMap(this, 'Resource', {
        metadata: { name: COREDNS_CUSTOM_CONFIGMAP, namespace: COREDNS_NAMESPACE, labels, annotations },
        data: Lazy.any({ produce: () => ({ [COREDNS_CUSTOM_SERVER_KEY]: this.serverBlock(props) }) }) as any,
      });
    } else {
      this.addEksValues(props);
    }
  }

  private addEksValues(props: CoreDnsMulticlusterProps): void {
    const fleet = Fleet.of(this);
    const clusterId = Chart.of(this).node.id;
    if (props.baseCorefile === undefined) {
      fleet._addWarning({
        path: this.node.path,
        message: `cluster "${clusterId}": the EKS add-on values replace the whole Corefile, and no baseCorefile was given, so kubeadm's default is patched; pass the cluster's current Corefile (kubectl -n kube-system get configmap coredns -o jsonpath='{.data.Corefile}') as baseCorefile`,
      });
    }
    fleet._addExtraFile(this.node.path, eksCoreDnsValuesFile(clusterId), () => `${JSON.stringify({ corefile: this.patchedCorefile(props) }, null, 2)}\n`);
  }

  /** A Corefile the patch cannot work on is reported with the fleet's problems, not thrown while writing the output. */
  private corefileProblems(props: CoreDnsMulticlusterProps): string[] {
    try {
      checkCoreDnsSupports(props.flavour ?? CoreDnsFlavour.IN_TREE, props.version ?? '');
    } catch {
      return []; // the clusterset DNS check reports the version
    }
    try {
      this.patchedCorefile(props);
      return [];
    } catch (e) {
      const domain = props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
      return [
        `cluster "${Chart.of(this).node.id}": the Corefile cannot be patched for ${CLUSTERSET_ZONE}: ${(e as Error).message}. ` +
          `Fix: pass the cluster's current Corefile as baseCorefile (its kubernetes plugin serving "${domain}"), or set clusterDomain to the domain it serves`,
      ];
    }
  }

  private serverBlock(props: CoreDnsMulticlusterProps): string {
    return multiclusterServerBlock({ flavour: props.flavour ?? CoreDnsFlavour.IN_TREE, version: props.version ?? '', clustersetZone: CLUSTERSET_ZONE });
  }

  private patchedCorefile(props: CoreDnsMulticlusterProps): string {
    const result = patchCorefile(props.baseCorefile ?? kubeadmCorefile(props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN), {
      flavour: props.flavour ?? CoreDnsFlavour.IN_TREE,
      version: props.version ?? '',
      clusterDomain: props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
      clustersetZone: CLUSTERSET_ZONE,
    });
    result.warnings.forEach((message) => Fleet.of(this)._addWarning({ path: this.node.path, message: `Corefile: ${message}` }));
    return result.corefile;
  }
}

/** The Corefile kubeadm writes for a cluster domain: its template carries the domain in `kubernetes` and `cache`. */
function kubeadmCorefile(clusterDomain: string): string {
  return KUBEADM_DEFAULT_COREFILE.split(DEFAULT_CLUSTER_DOMAIN).join(clusterDomain);
}
