/**
 * Where a cluster's CoreDNS configuration lives: the names the compiler emits and `apply`,
 * `corefile pull`, `preflight` and the rollout check read. Pure constants.
 */

/** Namespace of CoreDNS and its configuration. */
export const COREDNS_NAMESPACE = 'kube-system';
/** The ConfigMap holding the main Corefile (kubeadm, kind, the EKS add-on). */
export const COREDNS_CONFIGMAP = 'coredns';
/** Key of the main Corefile in that ConfigMap. */
export const COREFILE_KEY = 'Corefile';
/** The ConfigMap AKS and k3s import extra server blocks from (keys ending in `.server`). */
export const COREDNS_CUSTOM_CONFIGMAP = 'coredns-custom';
/** The `coredns-custom` key holding the clusterset.local server block. */
export const COREDNS_CUSTOM_SERVER_KEY = 'clusterset.server';
/** Name of the ClusterRole (and its binding) that lets CoreDNS list/watch ServiceImports. */
export const COREDNS_RBAC_NAME = 'cdk8s-mcs-coredns-serviceimports';
/** The label kubeadm, kind, EKS, AKS and k3s put on CoreDNS pods (and its Deployment). */
export const COREDNS_POD_SELECTOR = 'k8s-app=kube-dns';
/** The Deployment running CoreDNS on kubeadm, kind, EKS, AKS and k3s. */
export const COREDNS_DEPLOYMENT = 'coredns';

/** `cluster-1.eks-coredns-values.json`: the EKS add-on `configurationValues`, next to fleet.json. */
export function eksCoreDnsValuesFile(clusterId: string): string {
  return `${clusterId}.eks-coredns-values.json`;
}
