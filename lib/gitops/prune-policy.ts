/**
 * Objects a GitOps tool must never delete when they disappear from Git (or when its Application is
 * deleted): deleting them takes far more with them than cdk8s-mcs ever created.
 */
import { ManifestObject } from '../fleet/apply-order';
import { COREDNS_RBAC_NAME } from '../fleet/coredns-objects';

/** Why `obj` is kept when pruning, or undefined when pruning it is safe. */
export function keptOnPrune(obj: ManifestObject): string | undefined {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  if (group === 'apiextensions.k8s.io' && obj.kind === 'CustomResourceDefinition') {
    return 'deleting a CRD deletes every instance, including those the runner and other MCS tools own';
  }
  if (group === '' && obj.kind === 'Namespace') {
    return 'deleting a namespace deletes everything in it, volume claims included';
  }
  if (group === '' && obj.kind === 'ConfigMap' && obj.metadata.namespace === 'kube-system' && obj.metadata.name === 'coredns') {
    return 'the coredns ConfigMap belongs to the cluster: without it CoreDNS cannot restart';
  }
  if (group === 'rbac.authorization.k8s.io' && (obj.kind === 'ClusterRole' || obj.kind === 'ClusterRoleBinding') && obj.metadata.name === COREDNS_RBAC_NAME) {
    return 'the kept coredns Corefile still watches ServiceImports with this grant: a CoreDNS restarted without it never gets ready';
  }
  return undefined;
}
