/**
 * The apply benchmark's fleet: MultiClusterStatefulSets with replicas 0 (so the bed runs no pods
 * and stays quiet while apply is measured), each provided by one of two clusters in turn and
 * imported into the other with both DNS methods, spread over `namespaces` namespaces. Sized to a
 * target object count by synthesizing small probe fleets and counting their dist files, so the
 * sizing follows whatever the library emits (CRDs, ClusterProperties, CoreDNS RBAC and ConfigMap).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Fleet } from '../../lib/constructs/fleet';
import { HeadlessImport } from '../../lib/constructs/headless-import';
import { MultiClusterStatefulSet } from '../../lib/constructs/multi-cluster-stateful-set';
import { DnsMethod } from '../../lib/fleet/names';
import { readClusterManifests } from '../../lib/runner/apply/manifests';
import { synthFleet } from '../common/bed';

export interface ApplyFleetShape {
  /** Two cluster IDs: services alternate their provider between them. */
  readonly clusters: readonly [string, string];
  readonly services: number;
  readonly namespaces: number;
  /** Namespace names are `<prefix>-<n>`; the fleet is named `<prefix>`. */
  readonly prefix: string;
}

export const namespaceName = (prefix: string, n: number) => `${prefix}-${n}`;

export function buildApplyFleet(fleet: Fleet, s: ApplyFleetShape): void {
  const clusters = s.clusters.map((id) => fleet.addCluster(id, { coreDnsVersion: '1.14.7' }));
  for (let i = 0; i < s.services; i++) {
    const name = `db-${i}`;
    const namespace = namespaceName(s.prefix, i % s.namespaces);
    new MultiClusterStatefulSet(fleet, name, {
      namespace,
      image: 'mysql:5.6',
      providers: [{ cluster: clusters[i % 2], replicas: 0 }],
      ports: [{ name: 'tcp', port: 3306 }],
    });
    new HeadlessImport(fleet, `${name}-import`, { serviceName: name, namespace, consumers: [clusters[(i + 1) % 2]], dnsMethods: [DnsMethod.AMCS, DnsMethod.CLUSTERSET] });
  }
}

/** Objects of a dist per cluster, counted the way apply reads them. */
export function countObjects(dist: string, clusterIds: readonly string[]): Record<string, number> {
  return Object.fromEntries(clusterIds.map((id) => [id, readClusterManifests(dist, id).length]));
}

function synthCount(dir: string, s: ApplyFleetShape): number {
  synthFleet(dir, s.prefix, (fleet) => buildApplyFleet(fleet, s));
  const n = Object.values(countObjects(dir, s.clusters)).reduce((a, b) => a + b, 0);
  fs.rmSync(dir, { recursive: true, force: true });
  return n;
}

/**
 * Services and namespaces whose dist comes closest to `objects`: the objects per service, per
 * namespace and the fixed ones are measured from three probe fleets. Fewer namespaces than asked
 * when the target is too small for each to hold a service.
 */
export function sizeFleet(workDir: string, o: { clusters: readonly [string, string]; prefix: string; objects: number; namespaces: number }): { services: number; namespaces: number } {
  const probe = (services: number, namespaces: number) => synthCount(path.join(workDir, `probe-${services}-${namespaces}`), { clusters: o.clusters, prefix: o.prefix, services, namespaces });
  const a = probe(2, 1);
  const perService = (probe(4, 1) - a) / 2;
  const perNamespace = probe(4, 2) - (a + 2 * perService);
  const fixed = a - 2 * perService - perNamespace;
  let namespaces = Math.max(1, Math.floor(o.namespaces));
  let services = Math.round((o.objects - fixed - perNamespace * namespaces) / perService);
  if (services < namespaces) {
    namespaces = Math.max(1, Math.floor((o.objects - fixed) / (perNamespace + perService)));
    services = Math.max(namespaces, Math.round((o.objects - fixed - perNamespace * namespaces) / perService));
  }
  return { services, namespaces };
}
