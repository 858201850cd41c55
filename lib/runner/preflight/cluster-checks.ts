/** Preflight checks of what a cluster must already have or agree with: CRDs, StorageClasses, Secrets, its ID, the runner's RBAC. */
import { ManifestObject } from '../../fleet/apply-order';
import { COREDNS_RBAC_NAME } from '../../fleet/coredns-objects';
import { FleetManifest } from '../../fleet/manifest';
import { CLUSTER_ID_PROPERTY } from '../../fleet/names';
import { CRDS, NAMESPACES, resourcePath } from '../../kube/resources';
import { describeRef, refOf } from '../apply/object-ref';
import { crdsOf, secretRefs, storageClassRefs } from './dist-references';
import { CheckResult, fail, ok, warn } from './report';
import { getOrUndefined, listItems, ReadClient } from './read';

const STORAGE_CLASSES = { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', namespaced: false };
const SECRETS = { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };
const CLUSTER_PROPERTIES = { group: 'about.k8s.io', version: 'v1alpha1', kind: 'ClusterProperty', plural: 'clusterproperties', namespaced: false };
const RBAC_KINDS = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];

export async function checkCrds(client: ReadClient, clusterId: string, objects: readonly ManifestObject[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const crd of crdsOf(objects)) {
    const live = await getOrUndefined(client, resourcePath(CRDS, { name: crd.name }));
    const check = `crd`;
    if (!live) {
      results.push(warn(clusterId, check, `${crd.name} is not installed: apply (or GitOps) installs it from dist`));
      continue;
    }
    const stored = ((live.status as { storedVersions?: string[] } | undefined)?.storedVersions ?? []);
    const liveVersions = ((live.spec as { versions?: { name: string; served?: boolean; storage?: boolean }[] } | undefined)?.versions ?? []);
    const dropped = stored.filter((v) => !crd.versions.includes(v));
    if (dropped.length > 0) {
      results.push(fail(clusterId, check, `${crd.name}: the cluster has stored objects as ${dropped.join(', ')} (status.storedVersions ${JSON.stringify(stored)}), which dist's CRD no longer lists (dist: ${crd.versions.join(', ')}, storage ${crd.storage}); the API server refuses that CRD`,
        `keep ${dropped.join(', ')} in the CRD (served: false) until every object is rewritten as ${crd.storage}, then drop it from status.storedVersions: kubectl patch crd ${crd.name} --subresource=status --type=merge -p '{"status":{"storedVersions":["${crd.storage}"]}}'`));
      continue;
    }
    const liveStorage = liveVersions.find((v) => v.storage)?.name;
    if (liveStorage !== crd.storage) {
      results.push(warn(clusterId, check, `${crd.name}: the cluster stores ${liveStorage}, dist stores ${crd.storage}: existing objects move to ${crd.storage} only when rewritten`));
      continue;
    }
    results.push(ok(clusterId, check, `${crd.name}: served ${liveVersions.filter((v) => v.served !== false).map((v) => v.name).join(', ')}, stored ${JSON.stringify(stored)}, as dist`));
  }
  return results;
}

export async function checkStorageClasses(client: ReadClient, clusterId: string, objects: readonly ManifestObject[]): Promise<CheckResult> {
  const refs = storageClassRefs(objects);
  if (refs.length === 0) {
    return ok(clusterId, 'storage-classes', 'no volume claim names a StorageClass');
  }
  const classes = await listItems(client, resourcePath(STORAGE_CLASSES));
  const names = classes.map((c) => c.metadata.name);
  const missing = refs.filter((r) => !names.includes(r.name));
  if (missing.length === 0) {
    return ok(clusterId, 'storage-classes', `${[...new Set(refs.map((r) => r.name))].map((n) => `"${n}"`).join(', ')} exist`);
  }
  const isDefault = (c: (typeof classes)[number]) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';
  const available = classes.map((c) => `"${c.metadata.name}"${isDefault(c) ? ' (default)' : ''}`).join(', ') || 'none';
  return fail(clusterId, 'storage-classes', `StorageClass ${missing.map((m) => `"${m.name}" (${m.usedBy})`).join(', ')} does not exist (the cluster has: ${available})`,
    `create it, or set storageClass on cluster "${clusterId}" (or the claim) to one the cluster has; claims naming a missing class stay Pending`);
}

export async function checkSecrets(client: ReadClient, clusterId: string, objects: readonly ManifestObject[]): Promise<CheckResult> {
  const refs = secretRefs(objects);
  if (refs.length === 0) {
    return ok(clusterId, 'secrets', 'no workload reads a Secret that dist does not contain');
  }
  const problems: { text: string; fix: string }[] = [];
  for (const r of refs) {
    const live = await getOrUndefined(client, resourcePath(SECRETS, { namespace: r.namespace, name: r.name }));
    const keys = Object.keys({ ...((live?.data as object) ?? {}), ...((live?.stringData as object) ?? {}) });
    const literals = r.keys.map((k) => `--from-literal=${k}=...`).join(' ');
    if (!live) {
      problems.push({ text: `Secret ${r.namespace}/${r.name} (${r.usedBy}) does not exist`, fix: `kubectl -n ${r.namespace} create secret generic ${r.name} ${literals || '--from-file=...'}` });
    } else if (r.keys.some((k) => !keys.includes(k))) {
      const absent = r.keys.filter((k) => !keys.includes(k));
      problems.push({ text: `Secret ${r.namespace}/${r.name} has no key ${absent.join(', ')} (${r.usedBy}; keys: ${keys.join(', ') || 'none'})`, fix: `add ${absent.join(', ')} to Secret ${r.namespace}/${r.name}` });
    }
  }
  if (problems.length === 0) {
    return ok(clusterId, 'secrets', `${refs.map((r) => `${r.namespace}/${r.name}`).join(', ')} exist with the keys read`);
  }
  return fail(clusterId, 'secrets', problems.map((p) => p.text).join('; '), `${problems.map((p) => p.fix).join('; ')} (pods reading it do not start until then)`);
}

/** The ClusterProperty holding the cluster ID must say what the fleet says; also returns the kube-system UID, the cluster's identity. */
export async function checkClusterId(client: ReadClient, clusterId: string): Promise<{ result: CheckResult; identity?: string; propertyValue?: string }> {
  const kubeSystem = await getOrUndefined(client, resourcePath(NAMESPACES, { name: 'kube-system' }));
  const property = await getOrUndefined(client, resourcePath(CLUSTER_PROPERTIES, { name: CLUSTER_ID_PROPERTY }));
  const value = (property?.spec as { value?: string } | undefined)?.value;
  const identity = kubeSystem?.metadata.uid;
  if (value !== undefined && value !== clusterId) {
    return { identity, propertyValue: value, result: fail(clusterId, 'cluster-id', `ClusterProperty ${CLUSTER_ID_PROPERTY} says "${value}", the fleet calls this cluster "${clusterId}"`, `a cluster ID must not change while it is in a ClusterSet (KEP-2149): name the cluster "${value}" in the fleet, or check that the kubeconfig context points at the right cluster`) };
  }
  return { identity, propertyValue: value, result: ok(clusterId, 'cluster-id', value ? `ClusterProperty ${CLUSTER_ID_PROPERTY} is "${value}"` : `no ClusterProperty ${CLUSTER_ID_PROPERTY} yet: apply creates it with "${clusterId}"`) };
}

export async function checkRunnerRbac(client: ReadClient, clusterId: string, fleet: FleetManifest, objects: readonly ManifestObject[]): Promise<CheckResult> {
  if (!fleet.runner) {
    return ok(clusterId, 'runner-rbac', 'the fleet deploys no SyncRunner');
  }
  const rbac = objects.filter((o) => RBAC_KINDS.includes(o.kind) && o.metadata.name !== COREDNS_RBAC_NAME && (o.metadata.namespace === undefined || o.metadata.namespace === fleet.runner!.namespace));
  const missing: string[] = [];
  for (const o of rbac) {
    const plural = `${o.kind.toLowerCase()}s`;
    const group = o.kind === 'ServiceAccount' ? '' : 'rbac.authorization.k8s.io';
    const type = { group, version: 'v1', kind: o.kind, plural, namespaced: o.metadata.namespace !== undefined };
    if (!(await getOrUndefined(client, resourcePath(type, { namespace: o.metadata.namespace, name: o.metadata.name })))) {
      missing.push(describeRef(refOf(o)));
    }
  }
  if (rbac.length === 0) {
    return warn(clusterId, 'runner-rbac', `dist/${clusterId} holds no RBAC for the runner`, 'synthesize again: SyncRunner emits it into every cluster');
  }
  return missing.length === 0
    ? ok(clusterId, 'runner-rbac', `${rbac.length} objects of the runner's identity and RBAC are present`)
    : warn(clusterId, 'runner-rbac', `not applied yet: ${missing.join(', ')}; the runner cannot watch or write this cluster until they are`, `apply dist/${clusterId} (or let GitOps sync it), then mint the runner's kubeconfig with cdk8s-mcs kubeconfig`);
}
