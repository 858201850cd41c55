/**
 * Leaving the bed as the apply benchmark found it. Its namespaces and its inventory are its own
 * and are deleted. The other objects of its dist (CRDs, ClusterProperties, the CoreDNS RBAC and
 * ConfigMap in kube-system) may have been there before, from the bed's bootstrap or an earlier
 * test: each is recorded before the first apply, and afterwards deleted when the benchmark created
 * it, or put back as it was (labels, annotations, spec, data) when it existed.
 *
 * Field ownership (managedFields) is put back as recorded too, but is not part of "as found": the
 * API server adds an Update entry for the client that makes the restoring PUT and merges the
 * recorded entries with it, so an object changed by an earlier test's apply and then by the
 * benchmark cannot get its exact managedFields back. Which managers differ is still reported.
 */
import { KubeObject } from '../../lib/kube/types';
import { inventoryName, INVENTORY_NAMESPACE } from '../../lib/runner/apply/inventory';
import { readClusterManifests } from '../../lib/runner/apply/manifests';
import { adminClient } from '../../testbed/harness';
import { KubeClient, waitFor } from '../../testbed/kube';

interface Recorded {
  readonly clusterId: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** The object before the benchmark; undefined when it did not exist. */
  readonly before?: KubeObject;
}

export interface BedSnapshot {
  readonly clusterIds: readonly string[];
  readonly namespaces: readonly string[];
  readonly fleetName: string;
  readonly shared: readonly Recorded[];
}

export interface RestoreResult {
  /** Every shared object is back as it was (or gone again), and the namespaces and inventories are gone. */
  readonly leftAsFound: boolean;
  readonly deleted: number;
  readonly restored: number;
  /** What differs from before (empty when leftAsFound). */
  readonly differences: readonly string[];
  /** Objects put back whose field managers differ from before (not counted in leftAsFound; see the module comment). */
  readonly managersChanged: readonly string[];
}

const label = (r: Recorded) => `${r.clusterId} ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

async function tryGet(k: KubeClient, r: { apiVersion: string; kind: string; name: string; namespace?: string }): Promise<KubeObject | undefined> {
  try {
    return await k.tryGet<KubeObject>(r.apiVersion, r.kind, r.name, r.namespace);
  } catch (e) {
    if (/no resource for kind/.test((e as Error).message)) {
      return undefined; // its CRD is not installed: the object cannot exist
    }
    throw e;
  }
}

async function namespaceGone(k: KubeClient, name: string, timeoutMs: number): Promise<void> {
  await waitFor(`namespace ${name} gone`, async () => ((await k.tryGet('v1', 'Namespace', name)) ? undefined : true), { timeoutMs, intervalMs: 500 });
}

/** Deletes the benchmark's namespaces and inventory (an interrupted earlier run's) and waits until they are gone. */
export async function removeOwn(clusterIds: readonly string[], namespaces: readonly string[], fleetName: string, timeoutMs = 300_000): Promise<number> {
  let removed = 0;
  await Promise.all(clusterIds.map(async (id) => {
    const k = adminClient(id);
    try {
      for (const ns of namespaces) {
        removed += (await k.delete('v1', 'Namespace', ns)) ? 1 : 0;
      }
      removed += (await k.delete('v1', 'ConfigMap', inventoryName(fleetName), INVENTORY_NAMESPACE)) ? 1 : 0;
      for (const ns of namespaces) {
        await namespaceGone(k, ns, timeoutMs);
      }
    } finally {
      k.close();
    }
  }));
  return removed;
}

/** Records every object of the dist outside the benchmark's own namespaces, as it is now. */
export async function snapshotShared(dist: string, clusterIds: readonly string[], namespaces: readonly string[], fleetName: string): Promise<BedSnapshot> {
  const own = new Set(namespaces);
  const shared: Recorded[] = [];
  for (const clusterId of clusterIds) {
    const k = adminClient(clusterId);
    try {
      for (const m of readClusterManifests(dist, clusterId)) {
        const { apiVersion, kind, metadata } = m.object;
        const name = metadata.name;
        const namespace = metadata.namespace;
        if ((kind === 'Namespace' && own.has(name)) || (namespace !== undefined && own.has(namespace))) {
          continue;
        }
        shared.push({ clusterId, apiVersion, kind, name, namespace, before: await tryGet(k, { apiVersion, kind, name, namespace }) });
      }
    } finally {
      k.close();
    }
  }
  return { clusterIds, namespaces, fleetName, shared };
}

/** What must match for an object to count as "as it was": everything but the server's bookkeeping and status. */
function comparable(o: KubeObject | undefined): string {
  if (!o) {
    return 'absent';
  }
  const { metadata, status: _status, ...rest } = o as KubeObject & { status?: unknown };
  return JSON.stringify(sortKeys({ ...rest, metadata: { name: metadata.name, namespace: metadata.namespace, labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {}, uid: metadata.uid } }));
}

/** The field managers of an object, `manager/operation/subresource`, sorted. */
function managersOf(o: KubeObject | undefined): string[] {
  return ((o?.metadata.managedFields ?? []) as { manager?: string; operation?: string; subresource?: string }[]).map((f) => `${f.manager}/${f.operation}/${f.subresource ?? ''}`).sort();
}

/** Which parts differ (`metadata.labels`, `spec`...), to say what was not put back. */
function differingParts(a: KubeObject | undefined, b: KubeObject | undefined): string[] {
  const pa = JSON.parse(comparable(a)) as Record<string, unknown>;
  const pb = JSON.parse(comparable(b)) as Record<string, unknown>;
  const parts = (o: Record<string, unknown>) => Object.entries(o).flatMap(([k, v]) => (k === 'metadata' ? Object.entries(v as Record<string, unknown>).map(([mk, mv]) => [`metadata.${mk}`, mv] as const) : [[k, v] as const]));
  const ma = new Map(parts(pa).map(([k, v]) => [k, JSON.stringify(v)]));
  const mb = new Map(parts(pb).map(([k, v]) => [k, JSON.stringify(v)]));
  return [...new Set([...ma.keys(), ...mb.keys()])].filter((k) => ma.get(k) !== mb.get(k)).map((k) => `${k}: ${mb.get(k) ?? 'absent'} -> ${ma.get(k) ?? 'absent'}`.slice(0, 300));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) {
    return v.map(sortKeys);
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/** Deletes the namespaces and inventory, then deletes or puts back every shared object; reports whether the bed is as found. */
export async function restoreBed(s: BedSnapshot): Promise<RestoreResult> {
  await removeOwn(s.clusterIds, s.namespaces, s.fleetName);
  let deleted = 0;
  let restored = 0;
  const differences: string[] = [];
  const managersChanged: string[] = [];
  // Bindings before roles, custom objects before anything their CRD would take along: reverse dist order.
  for (const r of [...s.shared].reverse()) {
    const k = adminClient(r.clusterId);
    try {
      const now = await tryGet(k, r);
      if (!r.before) {
        if (now) {
          deleted += (await k.delete(r.apiVersion, r.kind, r.name, r.namespace)) ? 1 : 0;
        }
      } else if (!now) {
        differences.push(`${label(r)}: existed before the benchmark and is gone`);
      } else if (comparable(now) !== comparable(r.before)) {
        // A PUT of the recorded object; its managedFields replace the live ones, so the apply's ownership goes too.
        const body = { ...r.before, metadata: { ...r.before.metadata, resourceVersion: now.metadata.resourceVersion } };
        await k.request('PUT', await k.pathFor(r.apiVersion, r.kind, r.namespace, r.name), body);
        restored++;
      }
    } finally {
      k.close();
    }
  }
  for (const r of s.shared) {
    const k = adminClient(r.clusterId);
    try {
      const now = await waitFor(`${label(r)} settled`, async () => {
        const x = await tryGet(k, r);
        // deleted objects with finalizers take a moment
        return !r.before && x ? undefined : { x };
      }, { timeoutMs: 60_000, intervalMs: 250 }).catch(async () => ({ x: await tryGet(k, r) }));
      if (comparable(now.x) !== comparable(r.before)) {
        differences.push(`${label(r)}: ${r.before ? `differs from before the benchmark (${differingParts(now.x, r.before).join(', ')})` : 'was created by the benchmark and is still there'}`);
      } else if (r.before && JSON.stringify(managersOf(now.x)) !== JSON.stringify(managersOf(r.before))) {
        managersChanged.push(`${label(r)}: ${managersOf(r.before).join(' ')} -> ${managersOf(now.x).join(' ')}`);
      }
    } finally {
      k.close();
    }
  }
  for (const id of s.clusterIds) {
    const k = adminClient(id);
    try {
      for (const ns of s.namespaces) {
        if (await k.tryGet('v1', 'Namespace', ns)) {
          differences.push(`${id} Namespace ${ns}: still there`);
        }
      }
      if (await k.tryGet('v1', 'ConfigMap', inventoryName(s.fleetName), INVENTORY_NAMESPACE)) {
        differences.push(`${id} inventory ConfigMap: still there`);
      }
    } finally {
      k.close();
    }
  }
  return { leftAsFound: differences.length === 0, deleted, restored, differences, managersChanged };
}
