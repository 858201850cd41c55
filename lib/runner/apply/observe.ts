/**
 * Everything `apply` and `diff` read before deciding anything: discovery, the stored inventory,
 * the live objects; then the pure plan.
 */
import { ApiDiscovery } from '../../kube/discovery';
import { KubeClient } from '../../kube/client';
import { ResourceType } from '../../kube/resources';
import { Inventory } from './inventory';
import { InventoryStore, readInventory } from './inventory-store';
import { readLiveObjects, TypedRef } from './live-state';
import { ManifestFile } from './manifests';
import { ObjectRef, refKey, refOf } from './object-ref';
import { APPLY_FIELD_MANAGER, inventoryId } from './ownership';
import { ClusterPlan, KeptObject, planCluster } from './plan';
import { resolveDesired, TypedObject } from './resolve';

export type ObserveClient = Pick<KubeClient, 'clusterId' | 'request' | 'apply'>;

export interface ObservedCluster {
  readonly discovery: ApiDiscovery;
  readonly store: InventoryStore;
  readonly inventory: Inventory;
  readonly desired: readonly TypedObject[];
  readonly plan: ClusterPlan;
  /** The resource of every desired and inventoried ref that could be resolved, by refKey(). */
  readonly types: ReadonlyMap<string, ResourceType>;
  /** Inventoried refs whose apiVersion the cluster no longer serves: kept in the inventory, reported. */
  readonly unresolved: readonly KeptObject[];
}

export async function observeCluster(client: ObserveClient, fleetName: string, manifests: readonly ManifestFile[]): Promise<ObservedCluster> {
  const discovery = new ApiDiscovery(client);
  const store: InventoryStore = { fleet: fleetName, clusterId: client.clusterId, label: inventoryId(fleetName, client.clusterId) };
  const [inventory] = await Promise.all([readInventory(client, store), discovery.load(manifests.map((m) => m.object.apiVersion))]);
  await discovery.load(inventory.objects.map((r) => r.apiVersion));
  const desired = resolveDesired(manifests, discovery, store.label);
  const types = new Map<string, ResourceType>(desired.map((d) => [refKey(refOf(d.object)), d.type]));
  const wanted = new Set(types.keys());
  const leftovers: TypedRef[] = [];
  const unresolved: KeptObject[] = [];
  for (const ref of inventory.objects.filter((r) => !wanted.has(refKey(r)))) {
    const type = discovery.resolve(ref.apiVersion, ref.kind);
    if (type) {
      leftovers.push({ ref, type });
      types.set(refKey(ref), type);
    } else {
      unresolved.push({ ref, reason: `the cluster no longer serves ${ref.kind} in ${ref.apiVersion}; kept in the inventory`, retry: true });
    }
  }
  const reads: TypedRef[] = [...desired.filter((d) => !d.awaitsCrd).map((d) => ({ ref: refOf(d.object), type: d.type })), ...leftovers];
  const live = await readLiveObjects(client, reads);
  const plan = planCluster({ desired, live, previousInventory: leftovers.map((l) => l.ref), inventoryId: store.label, fieldManager: APPLY_FIELD_MANAGER });
  return { discovery, store, inventory, desired, plan, types, unresolved };
}

/** The refs of the desired objects, as the inventory records them. */
export function desiredRefs(observed: ObservedCluster): ObjectRef[] {
  return observed.desired.map((d) => refOf(d.object));
}
