/** A consumer cluster's state with a client that reaches nothing (tests spy on its writes), and one plan to execute on it. */
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../lib/kube/client';
import { ClusterState } from '../../../lib/runner/sync/cluster-state';
import { ConsumerPlan, planConsumer } from '../../../lib/runner/sync/consumer-plan';
import { resolveExports } from '../../../lib/runner/sync/exports';
import { pod, service, serviceExport } from './fixtures';

export function consumerState(): ClusterState {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }], users: [{ name: 'u' }], contexts: [{ name: 'c', cluster: 'c', user: 'u' }], currentContext: 'c' });
  return new ClusterState(new KubeClient('cluster-2', kc), { runnerNamespace: 'cdk8s-mcs-system', onEvent: () => undefined });
}

/** cluster-2's plan for db/mysql exported by c1 with one pod: the ServiceImport, its status and a slice per DNS method. */
export function mysqlPlan(): ConsumerPlan {
  const resolution = resolveExports([{ clusterId: 'c1', serviceExport: serviceExport('2026-01-01T00:00:00Z'), service: service(), pods: [pod('mysql-0', { ip: '10.0.0.1' })], alive: true }]);
  return planConsumer({ namespace: 'db', service: 'mysql', resolution, consumer: { clusterId: 'cluster-2', namespaceExists: true, hasAmcsService: true, derivedSlices: [] }, preservedSources: new Set() });
}
