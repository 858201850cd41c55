import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KUBEADM_DEFAULT_COREFILE, patchCorefile } from '../corefile';
import { ANNOTATION_APPLY_PHASE, ApplyPhase } from '../fleet/apply-order';
import { CoreDnsFlavour } from '../fleet/model';
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
   * @default - kubeadm's default Corefile
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
}

/** Name of the ClusterRole (and its binding) that lets CoreDNS list/watch ServiceImports. */
export const COREDNS_RBAC_NAME = 'cdk8s-mcs-coredns-serviceimports';

/**
 * Makes a cluster's CoreDNS answer `<pod>.<cluster-id>.<svc>.<ns>.svc.clusterset.local`:
 * the `coredns` ConfigMap with the Corefile patched for the cluster's CoreDNS flavour, and the
 * RBAC that lets CoreDNS list/watch `serviceimports.multicluster.x-k8s.io`.
 *
 * Ordering hazard: CoreDNS with the multicluster option does not become ready, and answers
 * SERVFAIL, until the ServiceImport CRD exists and it may list ServiceImports. The ConfigMap is
 * therefore emitted in the last apply phase, after the CRDs and this RBAC.
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
    new k8s.KubeConfigMap(this, 'Resource', {
      metadata: { name: 'coredns', namespace: 'kube-system', labels, annotations: { [ANNOTATION_APPLY_PHASE]: ApplyPhase[ApplyPhase.DNS] } },
      data: Lazy.any({ produce: () => ({ Corefile: this.patchedCorefile(props) }) }) as any,
    });
  }

  private patchedCorefile(props: CoreDnsMulticlusterProps): string {
    const result = patchCorefile(props.baseCorefile ?? KUBEADM_DEFAULT_COREFILE, {
      flavour: props.flavour ?? CoreDnsFlavour.IN_TREE,
      version: props.version ?? '',
      clusterDomain: props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
      clustersetZone: CLUSTERSET_ZONE,
    });
    result.warnings.forEach((message) => Fleet.of(this)._addWarning({ path: this.node.path, message: `Corefile: ${message}` }));
    return result.corefile;
  }
}
