/** Reads for preflight and status: GETs only, never a write (preflight and status must not change a cluster). */
import { KubeClient } from '../../kube/client';
import { isNotFound, KubeApiError } from '../../kube/errors';
import { KubeObject } from '../../kube/types';

export type ReadClient = Pick<KubeClient, 'clusterId' | 'request'>;

/** The object, or undefined when it (or its resource) does not exist. */
export async function getOrUndefined(client: ReadClient, path: string): Promise<KubeObject | undefined> {
  try {
    return (await client.request({ verb: 'get', method: 'GET', path })) as KubeObject;
  } catch (e) {
    if (isNotFound(e)) {
      return undefined;
    }
    throw e;
  }
}

/** Every item of a list (first 500; preflight reads small, cluster-scoped lists). */
export async function listItems(client: ReadClient, path: string, query: Record<string, string> = {}): Promise<KubeObject[]> {
  try {
    const body = (await client.request({ verb: 'list', method: 'GET', path, query: { limit: '500', ...query } })) as { items?: KubeObject[] };
    return body.items ?? [];
  } catch (e) {
    if (isNotFound(e)) {
      return [];
    }
    throw e;
  }
}

export function isForbidden(e: unknown): boolean {
  return e instanceof KubeApiError && e.status === 403;
}
