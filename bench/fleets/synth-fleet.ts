/**
 * The synth benchmark's fleet: `clusters` clusters, each providing `servicesPerCluster`
 * MultiClusterStatefulSets shaped like the reference scenario's MySQL (two replicas, a volume
 * claim, a secret env var), each imported with both DNS methods into the next cluster (a ring),
 * and one SyncRunner. Deterministic: the same options give the same fleet.
 */
import { DnsMethod } from '../../lib/fleet/names';
import { Fleet } from '../../lib/constructs/fleet';
import { HeadlessImport } from '../../lib/constructs/headless-import';
import { MultiClusterStatefulSet } from '../../lib/constructs/multi-cluster-stateful-set';
import { SyncRunner } from '../../lib/constructs/sync-runner';

export interface SynthFleetShape {
  readonly clusters: number;
  readonly servicesPerCluster: number;
  /** Namespaces the services are spread over, per cluster. @default 10 */
  readonly namespacesPerCluster?: number;
}

export function clusterName(i: number): string {
  return `c${String(i).padStart(2, '0')}`;
}

export function buildSynthFleet(fleet: Fleet, shape: SynthFleetShape): void {
  const clusters = Array.from({ length: shape.clusters }, (_, i) => fleet.addCluster(clusterName(i), { storageClass: 'standard', coreDnsVersion: '1.12.2' }));
  const namespaces = shape.namespacesPerCluster ?? 10;
  clusters.forEach((provider, i) => {
    const consumer = clusters[(i + 1) % clusters.length];
    for (let s = 0; s < shape.servicesPerCluster; s++) {
      const name = `db-${clusterName(i)}-${s}`;
      const namespace = `team-${s % namespaces}`;
      new MultiClusterStatefulSet(fleet, name, {
        namespace,
        image: 'mysql:5.6',
        providers: [{ cluster: provider, replicas: 2 }],
        ports: [{ name: 'tcp', port: 3306 }],
        secretEnv: [{ name: 'MYSQL_ROOT_PASSWORD', secretName: 'mysecret', key: 'ROOT_PASSWORD' }],
        volumeClaims: [{ name: 'data', mountPath: '/var/lib/mysql', size: '50Gi' }],
      });
      if (consumer !== provider) {
        new HeadlessImport(fleet, `${name}-import`, { serviceName: name, namespace, consumers: [consumer], dnsMethods: [DnsMethod.AMCS, DnsMethod.CLUSTERSET] });
      }
    }
  });
  new SyncRunner(fleet, 'runner', { hostCluster: clusters[0] });
}
