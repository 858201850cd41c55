/**
 * What the runner writes next to a GitOps engine, reproduced with its labels and field manager so
 * a test can show the engine's prune leaves it alone: a derived EndpointSlice, a ServiceImport the
 * runner derived, and the status of the ServiceImport the engine synced from Git.
 */
import { KubeClient } from '../../../testbed/kube';

export const RUNNER_WRITES = {
  slice: 'amcs-mysql-cluster-1',
  derivedImport: 'derived',
  status: { clusters: [{ cluster: 'cluster-1' }] },
} as const;

/** Writes them in `ns` of the consumer; `gitImport` is the ServiceImport synced from Git. */
export async function writeLikeTheRunner(consumer: KubeClient, ns: string, gitImport: string): Promise<void> {
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: RUNNER_WRITES.slice, namespace: ns, labels: { 'kubernetes.io/service-name': 'amcs-mysql', 'endpointslice.kubernetes.io/managed-by': 'cdk8s-mcs' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.10.0.1'], hostname: 'mysql-0' }],
    ports: [{ name: 'tcp', port: 3306, protocol: 'TCP' }],
  };
  await consumer.apply(slice as never, { fieldManager: 'cdk8s-mcs-sync' });
  const derivedImport = { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', metadata: { name: RUNNER_WRITES.derivedImport, namespace: ns, labels: { 'mcs.cdk8s.io/derived-by': 'cdk8s-mcs' } }, spec: { type: 'Headless', ports: [{ name: 'tcp', port: 3306, protocol: 'TCP' }] } };
  await consumer.apply(derivedImport as never, { fieldManager: 'cdk8s-mcs-sync' });
  const statusPath = (await consumer.pathFor('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', ns, gitImport)) + '/status?fieldManager=cdk8s-mcs-sync&force=true';
  await consumer.request('PATCH', statusPath, { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', metadata: { name: gitImport, namespace: ns }, status: RUNNER_WRITES.status }, 'application/apply-patch+yaml');
}

/** Whether the slice and the derived ServiceImport are still there. */
export async function runnerWritesPresent(consumer: KubeClient, ns: string): Promise<{ slice: boolean; derivedImport: boolean }> {
  return {
    slice: !!(await consumer.tryGet('discovery.k8s.io/v1', 'EndpointSlice', RUNNER_WRITES.slice, ns)),
    derivedImport: !!(await consumer.tryGet('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', RUNNER_WRITES.derivedImport, ns)),
  };
}
