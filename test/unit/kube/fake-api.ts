/**
 * A scripted stand-in for KubeClient's list and watch, enough to drive an Informer through pages,
 * watch events, 410s and handler failures without an API server.
 */
import { KubeApiError } from '../../../lib/kube/errors';
import { KubeClient } from '../../../lib/kube/client';
import { KubeObject } from '../../../lib/kube/types';

type Query = Record<string, string | undefined>;
type WatchEvent = { type: string; object: KubeObject };

export interface ListCall {
  readonly query: Query;
}

export class FakeApi {
  public readonly listCalls: ListCall[] = [];
  public readonly watchCalls: Query[] = [];
  /** Answers a list request (one page). */
  public onList: (query: Query) => { items: KubeObject[]; resourceVersion: string; continueToken?: string } = () => ({ items: [], resourceVersion: 'list-rv' });
  private current?: { onEvent: (e: WatchEvent) => void; end: (err?: Error) => void };
  private watchWaiters: (() => void)[] = [];

  public readonly client = {
    clusterId: 'cluster-x',
    list: async (_path: string, query: Query) => {
      this.listCalls.push({ query });
      return this.onList(query);
    },
    watch: (_path: string, query: Query, onEvent: (e: WatchEvent) => void, signal: AbortSignal) => {
      this.watchCalls.push(query);
      return new Promise<void>((resolve, reject) => {
        const end = (err?: Error) => {
          this.current = undefined;
          if (err) {
            reject(err);
          } else {
            resolve();
          }
        };
        this.current = { onEvent, end };
        signal.addEventListener('abort', () => end(), { once: true });
        this.watchWaiters.splice(0).forEach((w) => w());
      });
    },
  } as unknown as KubeClient;

  /** Resolves once a watch is open. */
  public async watching(): Promise<void> {
    if (!this.current) {
      await new Promise<void>((resolve) => this.watchWaiters.push(resolve));
    }
  }

  /** Delivers one event as the real client does: a throwing callback ends the watch with that error. */
  public send(type: string, object: KubeObject): void {
    const w = this.current;
    if (!w) {
      throw new Error('no watch is open');
    }
    try {
      w.onEvent({ type, object });
    } catch (e) {
      w.end(e as Error);
    }
  }

  /** Ends the open watch with a 410 Gone, as an expired resourceVersion does. */
  public expire(): void {
    this.current?.end(new KubeApiError('too old resource version', 410, 'Expired', 'cluster-x'));
  }

  public get isWatching(): boolean {
    return this.current !== undefined;
  }
}

export function obj(name: string, resourceVersion: string, extra: Partial<KubeObject> & { labels?: Record<string, string>; uid?: string } = {}): KubeObject {
  const { labels, uid, ...rest } = extra;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'db', resourceVersion, uid: uid ?? `uid-${name}`, ...(labels ? { labels } : {}) }, ...rest };
}

/** Lets pending promise callbacks run. */
export const flush = () => new Promise((r) => setImmediate(r));
