import * as YAML from 'yaml';
import { ClusterProps, DnsMethod, Fleet, FleetOutput, FleetProps, HeadlessImport, MultiClusterStatefulSet } from '../../../lib';

/** A two-cluster fleet like main.ts, with hooks to vary it per test. */
export function referenceFleet(o: { importPorts?: { name: string; port: number }[]; coreDnsVersion?: string; methods?: DnsMethod[]; fleetProps?: FleetProps; cluster1Props?: ClusterProps; cluster2Props?: ClusterProps } = {}) {
  const fleet = new Fleet({ name: 'reference', outdir: '/nonexistent', ...o.fleetProps });
  const cluster1 = fleet.addCluster('cluster-1', { storageClass: 'standard', coreDnsVersion: '1.12.2', ...o.cluster1Props });
  const cluster2 = fleet.addCluster('cluster-2', { storageClass: 'standard', coreDnsVersion: o.coreDnsVersion ?? '1.12.2', ...o.cluster2Props });
  const mysql = new MultiClusterStatefulSet(fleet, 'mysql', {
    namespace: 'provider-ns',
    image: 'mysql:5.6',
    providers: [{ cluster: cluster1, replicas: 2 }],
    ports: [{ name: 'tcp', port: 3306 }],
    secretEnv: [{ name: 'MYSQL_ROOT_PASSWORD', secretName: 'mysecret', key: 'ROOT_PASSWORD' }],
    volumeClaims: [{ name: 'data', mountPath: '/var/lib/mysql', size: '50Gi' }],
    terminationGracePeriodSeconds: 10,
  });
  const imp = new HeadlessImport(fleet, 'mysql-import', {
    serviceName: 'mysql',
    namespace: 'provider-ns',
    consumers: [cluster2],
    dnsMethods: o.methods,
    ports: o.importPorts,
  });
  return { fleet, cluster1, cluster2, mysql, imp };
}

/** The parsed objects of one cluster's output, in file order. */
export function objectsOf(output: FleetOutput, clusterId: string): any[] {
  return [...output.files.entries()]
    .filter(([file]) => file.startsWith(`${clusterId}/`))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, text]) => YAML.parse(text));
}

export function find(objects: any[], kind: string, name: string): any {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) {
    throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return found;
}

/** The message `render()` throws, or fails the test if it does not throw. */
export function renderError(fleet: Fleet): string {
  try {
    fleet.render();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected render() to fail');
}
