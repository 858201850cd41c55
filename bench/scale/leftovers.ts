/**
 * What applying a benchmark's dist creates outside its own namespace (the runner's namespace and
 * RBAC, ClusterProperties, the kube-system/coredns ConfigMap, the apply inventory): recorded
 * before the apply, so the benchmark can delete exactly what did not exist before and leave the
 * bed as it found it. Objects that existed are left as the apply made them (later applies of
 * other fleets set them again). CRDs are never touched: the bed installs them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { KubeClient } from '../../lib/kube/client';
import { inventoryName, INVENTORY_NAMESPACE } from '../../lib/runner/apply/inventory';
import { deleteNamespace } from '../common/bed';

export interface CreatedObject {
  readonly clusterId: string;
  readonly kind: string;
  readonly path: string;
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** The API path of an object; plurals by the English rule, which holds for every kind a fleet emits outside CRDs (ClusterProperty -> clusterproperties). */
export function objectPath(o: Manifest): string {
  const base = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
  const plural = `${o.kind.toLowerCase().replace(/y$/, 'ie')}s`;
  return `${base}${o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : ''}/${plural}/${o.metadata.name}`;
}

function manifestsOf(dir: string): Manifest[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJSON() as Manifest)).filter((o) => o?.kind);
}

/** The objects of `dist/<cluster>` (and the apply inventory) that do not exist yet: what the apply will create. */
export async function objectsToBeCreated(dist: string, fleetName: string, clients: ReadonlyMap<string, KubeClient>): Promise<CreatedObject[]> {
  const out: CreatedObject[] = [];
  for (const [clusterId, client] of clients) {
    const objects = manifestsOf(path.join(dist, clusterId)).filter((o) => o.kind !== 'CustomResourceDefinition');
    const namespaces = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
    const candidates = [...objects, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: inventoryName(fleetName), namespace: INVENTORY_NAMESPACE } }];
    const newNamespaces = new Set<string>();
    for (const ns of namespaces) {
      if (!(await client.get(`/api/v1/namespaces/${ns}`).then(() => true, () => false))) {
        newNamespaces.add(ns);
      }
    }
    for (const o of candidates) {
      if (o.metadata.namespace !== undefined && newNamespaces.has(o.metadata.namespace)) {
        continue; // goes with its namespace
      }
      if (!(await client.get(objectPath(o)).then(() => true, () => false))) {
        out.push({ clusterId, kind: o.kind, path: objectPath(o) });
      }
    }
  }
  return out;
}

/** Deletes them again (namespaces last, waiting until they are gone). */
export async function deleteCreated(objects: readonly CreatedObject[], clients: ReadonlyMap<string, KubeClient>, namespaceTimeoutMs: number): Promise<void> {
  await Promise.all(objects.filter((o) => o.kind !== 'Namespace').map((o) => clients.get(o.clusterId)!.delete(o.path).catch(() => false)));
  await Promise.all(objects.filter((o) => o.kind === 'Namespace').map((o) => deleteNamespace(clients.get(o.clusterId)!, o.path.split('/').pop()!, namespaceTimeoutMs)));
}
