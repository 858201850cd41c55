/** Reads and writes a fleet's inventory ConfigMap in one cluster. */
import { KubeClient } from '../../kube/client';
import { isNotFound } from '../../kube/errors';
import { CONFIG_MAPS, resourcePath } from '../../kube/resources';
import { KubeObject } from '../../kube/types';
import { Inventory, INVENTORY_NAMESPACE, inventoryConfigMap, inventoryName, parseInventory, sameRefs } from './inventory';
import { ObjectRef } from './object-ref';
import { APPLY_FIELD_MANAGER } from './ownership';

export type InventoryClient = Pick<KubeClient, 'clusterId' | 'request' | 'apply'>;

export interface InventoryStore {
  readonly fleet: string;
  readonly clusterId: string;
  /** LABEL_INVENTORY value. */
  readonly label: string;
}

/** The stored inventory; empty when there is none yet. Refuses one written for another cluster. */
export async function readInventory(client: InventoryClient, store: InventoryStore): Promise<Inventory> {
  let cm: KubeObject;
  try {
    cm = (await client.request({ verb: 'get', method: 'GET', path: inventoryPath(store.fleet) })) as KubeObject;
  } catch (e) {
    if (isNotFound(e)) {
      return { fleet: store.fleet, clusterId: store.clusterId, objects: [] };
    }
    throw e;
  }
  const inv = parseInventory(cm);
  if (inv.clusterId !== store.clusterId) {
    throw new Error(
      `ConfigMap ${INVENTORY_NAMESPACE}/${inventoryName(store.fleet)} records fleet cluster "${inv.clusterId}", but this connection is for cluster "${store.clusterId}": ` +
        'the kubeconfig context points at another cluster (check fleet.json kubeContext or --context-map)',
    );
  }
  return inv;
}

/** Writes the inventory when its objects differ from `current`; returns whether it wrote. */
export async function writeInventoryIfChanged(client: InventoryClient, store: InventoryStore, current: readonly ObjectRef[], next: readonly ObjectRef[]): Promise<boolean> {
  if (sameRefs(current, next)) {
    return false;
  }
  const cm = inventoryConfigMap({ fleet: store.fleet, clusterId: store.clusterId, objects: next }, store.label);
  await client.apply(inventoryPath(store.fleet), cm, { fieldManager: APPLY_FIELD_MANAGER, force: true });
  return true;
}

function inventoryPath(fleet: string): string {
  return resourcePath(CONFIG_MAPS, { namespace: INVENTORY_NAMESPACE, name: inventoryName(fleet) });
}
