/**
 * `preflight`: every check for every cluster of fleet.json, reading only. One cluster's failure
 * never hides another's; an unreachable cluster gets one FAIL and no further checks.
 */
import { FleetManifest } from '../../fleet/manifest';
import { messageOf } from '../../kube/errors';
import { NAMESPACES, resourcePath } from '../../kube/resources';
import { readClusterManifests } from '../apply/manifests';
import { checkClusterId, checkCrds, checkRunnerRbac, checkSecrets, checkStorageClasses } from './cluster-checks';
import { checkCoreDnsVersion, checkLiveCorefile } from './coredns-checks';
import { isForbidden, ReadClient } from './read';
import { CheckResult, fail, ok } from './report';
import { guardedKey } from '../apply/corefile-guard';

export interface PreflightOptions {
  readonly dist: string;
  readonly fleet: FleetManifest;
  readonly clients: ReadonlyMap<string, ReadClient>;
  /** Called as each cluster finishes (progress). */
  readonly onCluster?: (results: readonly CheckResult[]) => void;
}

export async function runPreflight(o: PreflightOptions): Promise<CheckResult[]> {
  const perCluster = await Promise.all([...o.clients].map(async ([clusterId, client]) => {
    const r = await checkCluster(client, clusterId, o);
    o.onCluster?.(r.results);
    return r;
  }));
  return [...perCluster.flatMap((r) => r.results), ...fleetChecks(perCluster)];
}

interface ClusterOutcome {
  readonly clusterId: string;
  readonly results: CheckResult[];
  readonly identity?: string;
  readonly propertyValue?: string;
}

async function checkCluster(client: ReadClient, clusterId: string, o: PreflightOptions): Promise<ClusterOutcome> {
  let version: string;
  try {
    const v = (await client.request({ verb: 'get', method: 'GET', path: '/version' })) as { gitVersion?: string };
    version = v?.gitVersion ?? 'unknown version';
    await client.request({ verb: 'list', method: 'GET', path: resourcePath(NAMESPACES), query: { limit: '1' } });
  } catch (e) {
    const why = isForbidden(e) ? 'reachable, but forbidden to list namespaces' : 'unreachable';
    return { clusterId, results: [fail(clusterId, 'reachable', `${why}: ${messageOf(e)}`, isForbidden(e) ? 'use an identity that may read the cluster (preflight only reads)' : 'check the kubeconfig context and the network path to the API server')] };
  }
  const results: CheckResult[] = [ok(clusterId, 'reachable', `API server ${version}, authorized to read`)];
  let objects;
  try {
    objects = readClusterManifests(o.dist, clusterId).map((m) => m.object);
  } catch (e) {
    return { clusterId, results: [...results, fail(clusterId, 'dist', messageOf(e), 'synthesize again')] };
  }
  const needsCoreDns = objects.some((x) => guardedKey({ apiVersion: x.apiVersion, kind: x.kind, namespace: x.metadata.namespace, name: x.metadata.name }) !== undefined);
  const guarded = async <T>(check: string, fn: () => Promise<T>): Promise<T | CheckResult> => fn().catch((e) => fail(clusterId, check, `could not check: ${messageOf(e)}`, isForbidden(e) ? 'give the identity read access to it' : undefined));
  const id = await guarded('cluster-id', () => checkClusterId(client, clusterId));
  const list = await Promise.all([
    guarded('coredns-version', () => checkCoreDnsVersion(client, clusterId, o.fleet, needsCoreDns)),
    guarded('corefile', () => checkLiveCorefile(client, clusterId, o.fleet, { dist: o.dist, objects })),
    guarded('crd', () => checkCrds(client, clusterId, objects)),
    guarded('storage-classes', () => checkStorageClasses(client, clusterId, objects)),
    guarded('secrets', () => checkSecrets(client, clusterId, objects)),
    guarded('runner-rbac', () => checkRunnerRbac(client, clusterId, o.fleet, objects)),
  ]);
  results.push('result' in id ? id.result : id, ...list.flat());
  return { clusterId, results, identity: 'result' in id ? id.identity : undefined, propertyValue: 'result' in id ? id.propertyValue : undefined };
}

/** Two fleet clusters that are one cluster (same kube-system UID), or two that claim one ID. */
function fleetChecks(outcomes: readonly ClusterOutcome[]): CheckResult[] {
  const results: CheckResult[] = [];
  for (const [i, a] of outcomes.entries()) {
    for (const b of outcomes.slice(i + 1)) {
      if (a.identity && a.identity === b.identity) {
        results.push(fail(b.clusterId, 'unique-cluster', `"${a.clusterId}" and "${b.clusterId}" are the same cluster (kube-system UID ${a.identity})`, 'point each cluster ID at its own cluster: fix the kubeContext in the fleet or --context-map'));
      }
    }
  }
  return results;
}
