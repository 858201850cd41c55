/**
 * Reads the live objects for a set of refs with few requests: one LIST per (resource, namespace)
 * (paged), or one GET when that pair holds a single ref. Never one GET per object.
 */
import { KubeClient } from '../../kube/client';
import { isNotFound } from '../../kube/errors';
import { apiVersionOf, resourcePath, ResourceType } from '../../kube/resources';
import { KubeObject } from '../../kube/types';
import { mapLimit } from './concurrency';
import { ObjectRef, refKey, refOf } from './object-ref';

export type ReadClient = Pick<KubeClient, 'clusterId' | 'request'>;

export interface TypedRef {
  readonly ref: ObjectRef;
  readonly type: ResourceType;
}

const PAGE_SIZE = 500;
const READ_CONCURRENCY = 8;

/** Live objects by refKey(); refs that do not exist are absent from the map. */
export async function readLiveObjects(client: ReadClient, refs: readonly TypedRef[]): Promise<Map<string, KubeObject>> {
  const groups = new Map<string, { type: ResourceType; namespace?: string; refs: ObjectRef[] }>();
  for (const { ref, type } of refs) {
    const namespace = type.namespaced ? ref.namespace : undefined;
    const key = resourcePath(type, { namespace });
    const group = groups.get(key) ?? { type, namespace, refs: [] };
    group.refs.push(ref);
    groups.set(key, group);
  }
  const live = new Map<string, KubeObject>();
  await mapLimit([...groups.values()], READ_CONCURRENCY, async (g) => {
    const found = g.refs.length === 1 ? await getOne(client, g.type, g.refs[0]) : await listAll(client, g.type, g.namespace);
    for (const obj of found) {
      live.set(refKey(refOf(obj)), obj);
    }
  });
  return live;
}

async function getOne(client: ReadClient, type: ResourceType, ref: ObjectRef): Promise<KubeObject[]> {
  try {
    const obj = (await client.request({ verb: 'get', method: 'GET', path: resourcePath(type, { namespace: ref.namespace, name: ref.name }) })) as KubeObject;
    return [obj];
  } catch (e) {
    if (isNotFound(e)) {
      return [];
    }
    throw e;
  }
}

/** Every object of a resource in a namespace (or cluster-wide), following `continue` tokens. */
export async function listAll(client: ReadClient, type: ResourceType, namespace?: string): Promise<KubeObject[]> {
  const items: KubeObject[] = [];
  let token: string | undefined;
  do {
    let page: { items?: KubeObject[]; metadata?: { continue?: string } };
    try {
      page = (await client.request({ verb: 'list', method: 'GET', path: resourcePath(type, { namespace }), query: { limit: String(PAGE_SIZE), continue: token } })) as typeof page;
    } catch (e) {
      if (isNotFound(e)) {
        return items; // the resource is not served (yet): nothing of it can exist
      }
      throw e;
    }
    // Items of a list carry no apiVersion/kind for built-in types.
    items.push(...(page.items ?? []).map((o) => ({ ...o, apiVersion: apiVersionOf(type), kind: type.kind })));
    token = page.metadata?.continue || undefined;
  } while (token);
  return items;
}
