/**
 * A full list in pages (`limit` / `continue`), as client-go's pager does it, so a cluster of
 * 10,000 pods is never one 50 MB response held in memory at once; each page is transformed (only
 * what the caller keeps) before the next is read. A continue token the server no longer honours
 * (410 Expired: the snapshot was compacted) restarts the list, and after repeated expiry the
 * list is made in one request, like the pager's FullListIfExpired.
 */
import { KubeClient } from './client';
import { isGone } from './errors';
import { KubeObject } from './types';

export interface PagedListOptions<T> {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Objects per page. @default 500 (client-go's default page size) */
  readonly pageSize?: number;
  /** Applied to every item as it arrives; only its result is kept. */
  readonly transform: (obj: KubeObject) => T;
}

export interface PagedList<T> {
  readonly items: T[];
  /** The list's resourceVersion (of its snapshot), to watch from. */
  readonly resourceVersion: string;
  readonly pages: number;
  /** How often an expired continue token restarted the list. */
  readonly restarts: number;
}

/** Restarts in pages after an expired continue token before falling back to one unpaginated request. */
const MAX_PAGED_RESTARTS = 2;

export const DEFAULT_PAGE_SIZE = 500;

export async function listInPages<T>(client: KubeClient, path: string, o: PagedListOptions<T>): Promise<PagedList<T>> {
  let pages = 0;
  for (let restarts = 0; ; restarts++) {
    const limit = restarts > MAX_PAGED_RESTARTS ? undefined : String(o.pageSize ?? DEFAULT_PAGE_SIZE);
    const items: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    try {
      do {
        const page = await client.list(path, { labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit, continue: continueToken });
        pages++;
        for (const item of page.items) {
          items.push(o.transform(item));
        }
        continueToken = page.continueToken;
        resourceVersion = page.resourceVersion;
      } while (continueToken);
      return { items, resourceVersion, pages, restarts };
    } catch (e) {
      // Only an expired continue token restarts here; a 410 on the first page, or any other error, is the caller's.
      if (!(continueToken && isGone(e))) {
        throw e;
      }
    }
  }
}
