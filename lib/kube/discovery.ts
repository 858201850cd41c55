/**
 * API discovery: which resource (plural, scope) serves a kind of an apiVersion, read from the API
 * server's per-group-version resource lists, one GET per group-version, cached until refreshed.
 */
import { KubeClient } from './client';
import { isNotFound } from './errors';
import { ResourceType } from './resources';

interface ApiResource {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs?: readonly string[];
}

export type DiscoveryClient = Pick<KubeClient, 'clusterId' | 'request'>;

export class ApiDiscovery {
  /** group-version -> resources; undefined when the server does not serve that group-version. */
  private readonly lists = new Map<string, readonly ApiResource[] | undefined>();

  public constructor(private readonly client: DiscoveryClient) {}

  /** Loads the group-versions not loaded yet. */
  public async load(apiVersions: Iterable<string>): Promise<void> {
    const missing = [...new Set(apiVersions)].filter((gv) => !this.lists.has(gv));
    await Promise.all(missing.map(async (gv) => this.lists.set(gv, await this.fetch(gv))));
  }

  /** Loads these group-versions again, e.g. after CRDs became established. */
  public async refresh(apiVersions: Iterable<string>): Promise<void> {
    for (const gv of apiVersions) {
      this.lists.delete(gv);
    }
    await this.load(apiVersions);
  }

  /** The resource serving `kind` in `apiVersion` (loaded before), or undefined. */
  public resolve(apiVersion: string, kind: string): ResourceType | undefined {
    const found = this.lists.get(apiVersion)?.find((r) => r.kind === kind && !r.name.includes('/'));
    return found ? toResourceType(apiVersion, found) : undefined;
  }

  /** Whether the server serves `apiVersion` at all (loaded before). */
  public serves(apiVersion: string): boolean {
    return this.lists.get(apiVersion) !== undefined;
  }

  /** The kinds served in `apiVersion` (loaded before), for error messages. */
  public kindsOf(apiVersion: string): string[] {
    return (this.lists.get(apiVersion) ?? []).filter((r) => !r.name.includes('/')).map((r) => r.kind);
  }

  /** Every namespaced resource that can be listed, in each group's preferred version (full discovery). */
  public async namespacedListable(): Promise<ResourceType[]> {
    const groups = (await this.client.request({ verb: 'get', method: 'GET', path: '/apis' })) as { groups?: { preferredVersion?: { groupVersion: string } }[] };
    const preferred = ['v1', ...(groups.groups ?? []).map((g) => g.preferredVersion?.groupVersion).filter((gv): gv is string => !!gv)];
    await this.load(preferred);
    return preferred.flatMap((gv) => (this.lists.get(gv) ?? []).filter((r) => r.namespaced && !r.name.includes('/') && (r.verbs ?? []).includes('list')).map((r) => toResourceType(gv, r)));
  }

  private async fetch(apiVersion: string): Promise<readonly ApiResource[] | undefined> {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    try {
      const body = (await this.client.request({ verb: 'get', method: 'GET', path })) as { resources?: ApiResource[] };
      return body.resources ?? [];
    } catch (e) {
      if (isNotFound(e)) {
        return undefined;
      }
      throw e;
    }
  }
}

function toResourceType(apiVersion: string, r: ApiResource): ResourceType {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return { group, version, kind: r.kind, plural: r.name, namespaced: r.namespaced };
}
