/**
 * List+watch cache of one resource in one cluster, in the style of client-go's reflector:
 * list, then watch from the list's resourceVersion with bookmarks; relist on 410 Gone; back off
 * exponentially on errors and keep serving the last known state meanwhile.
 */
import { KubeClient } from './client';
import { isGone, KubeApiError, messageOf } from './errors';
import { resourcePath, ResourceType } from './resources';
import { KubeObject, objectKey } from './types';

export type InformerEventType = 'add' | 'update' | 'delete';

export type RelistReason = 'initial' | 'gone' | 'error';

export interface InformerOptions {
  readonly resource: ResourceType;
  readonly namespace?: string;
  readonly labelSelector?: string;
  /** Server-side watch timeout; the informer re-watches from the last resourceVersion after it. */
  readonly watchTimeoutSeconds?: number;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Secondary indexes: name -> function giving the index values of an object. */
  readonly indexes?: Readonly<Record<string, (obj: KubeObject) => readonly string[]>>;
}

export interface InformerHandlers<T extends KubeObject> {
  onEvent?(type: InformerEventType, obj: T, old?: T): void;
  /** Called after every successful (re)list, with whether it was the first. */
  onSynced?(first: boolean): void;
  onError?(error: Error): void;
}

/** Watch retries from the same resourceVersion before giving up and relisting. */
const MAX_WATCH_RETRIES = 5;

const jitter = (ms: number) => ms * (0.8 + Math.random() * 0.4);

/** Errors worth retrying the watch for: the server was unreachable, overloaded or restarting. */
function isTransient(e: unknown): boolean {
  return e instanceof KubeApiError && (e.status === 0 || e.status === 429 || e.status >= 500);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

export class Informer<T extends KubeObject> {
  private readonly store = new Map<string, T>();
  private readonly index = new Map<string, Map<string, Set<string>>>();
  private readonly abort = new AbortController();
  private resourceVersion = '';
  private synced = false;
  private loop?: Promise<void>;
  private syncWaiters: (() => void)[] = [];
  /** Epoch ms of the last successful contact with the API server (list, event or bookmark). */
  public lastContact = 0;
  /** The last error, cleared by the next successful list. */
  public lastError?: Error;
  /** Number of (re)lists performed, for tests and metrics. */
  public lists = 0;
  /** Why each list happened: the first one, after a 410 Gone (watch expired), after an error. */
  public readonly relists: Record<RelistReason, number> = { initial: 0, gone: 0, error: 0 };

  public constructor(
    private readonly client: KubeClient,
    private readonly options: InformerOptions,
    private readonly handlers: InformerHandlers<T> = {},
  ) {}

  /** The plural resource name, e.g. `pods`. */
  public get resourceName(): string {
    return this.options.resource.plural;
  }

  public start(): void {
    this.loop ??= this.run();
  }

  public async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  public hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves after the first successful list. */
  public waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  public get(key: string): T | undefined {
    return this.store.get(key);
  }

  public list(): T[] {
    return [...this.store.values()];
  }

  /** Objects whose index `name` yields `value`, e.g. `byIndex('namespace', 'db')`. */
  public byIndex(name: string, value: string): T[] {
    const keys = this.index.get(name)?.get(value);
    return keys ? [...keys].map((k) => this.store.get(k)!).filter((o) => o !== undefined) : [];
  }

  /** How many objects index `name` maps `value` to (without building the list). */
  public indexCount(name: string, value: string): number {
    return this.index.get(name)?.get(value)?.size ?? 0;
  }

  private put(key: string, obj: T): void {
    const old = this.store.get(key);
    if (old) {
      this.unindex(key, old);
    }
    this.store.set(key, obj);
    for (const [name, fn] of Object.entries(this.options.indexes ?? {})) {
      const byValue = this.index.get(name) ?? new Map<string, Set<string>>();
      this.index.set(name, byValue);
      for (const value of fn(obj)) {
        byValue.set(value, (byValue.get(value) ?? new Set()).add(key));
      }
    }
  }

  private drop(key: string): void {
    const old = this.store.get(key);
    if (old) {
      this.unindex(key, old);
      this.store.delete(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of Object.entries(this.options.indexes ?? {})) {
      for (const value of fn(obj)) {
        const keys = this.index.get(name)?.get(value);
        keys?.delete(key);
        if (keys?.size === 0) {
          this.index.get(name)!.delete(value);
        }
      }
    }
  }

  /** Writes our own write's result into the cache at once, so a reconcile that runs before the watch event sees it. */
  public upsertLocal(obj: T): void {
    const key = objectKey(obj);
    const old = this.store.get(key);
    if (!old || newer(obj, old)) {
      this.put(key, obj);
    }
  }

  public removeLocal(key: string): void {
    this.drop(key);
  }

  private async run(): Promise<void> {
    let reason: RelistReason = 'initial';
    let backoff = this.minBackoff;
    while (!this.abort.signal.aborted) {
      try {
        await this.relist();
        this.relists[reason]++;
        backoff = this.minBackoff;
      } catch (e) {
        reason = 'error';
        this.failed(e);
        await sleep(jitter(backoff), this.abort.signal);
        backoff = Math.min(backoff * 2, this.maxBackoff);
        continue;
      }
      reason = await this.watchUntilRelistNeeded();
    }
  }

  private get minBackoff(): number {
    return this.options.minBackoffMs ?? 200;
  }

  private get maxBackoff(): number {
    return this.options.maxBackoffMs ?? 10_000;
  }

  private failed(e: unknown): void {
    if (!this.abort.signal.aborted) {
      this.lastError = e as Error;
      this.handlers.onError?.(e as Error);
    }
  }

  /**
   * Watches from the last resourceVersion, re-opening after server timeouts. Like client-go's
   * reflector, transient failures (unreachable, 429, 5xx) retry the watch from the same
   * resourceVersion with backoff, keeping the cache; a 410 Gone, any other error, or repeated
   * failures end in a relist.
   */
  private async watchUntilRelistNeeded(): Promise<RelistReason> {
    let failures = 0;
    let backoff = this.minBackoff;
    while (!this.abort.signal.aborted) {
      const query = {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds: String(this.options.watchTimeoutSeconds ?? 300),
        labelSelector: this.options.labelSelector,
      };
      try {
        await this.client.watch(this.path(), query, (e) => this.onWatchEvent(e), this.abort.signal);
        failures = 0;
        backoff = this.minBackoff;
      } catch (e) {
        if (isGone(e)) {
          return 'gone';
        }
        this.failed(e);
        await sleep(jitter(backoff), this.abort.signal);
        backoff = Math.min(backoff * 2, this.maxBackoff);
        if (!isTransient(e) || ++failures > MAX_WATCH_RETRIES) {
          return 'error';
        }
      }
    }
    return 'error';
  }

  private path(): string {
    return resourcePath(this.options.resource, { namespace: this.options.namespace });
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.client.list<T>(this.path(), { labelSelector: this.options.labelSelector });
    this.lists++;
    const fresh = new Map(items.map((o) => [objectKey(o), withKind(o, this.options.resource)]));
    for (const [key, old] of this.store) {
      if (!fresh.has(key)) {
        this.drop(key);
        this.handlers.onEvent?.('delete', old);
      }
    }
    for (const [key, obj] of fresh) {
      const old = this.store.get(key);
      this.put(key, obj);
      if (!old) {
        this.handlers.onEvent?.('add', obj);
      } else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
        this.handlers.onEvent?.('update', obj, old);
      }
    }
    this.resourceVersion = resourceVersion;
    this.lastContact = Date.now();
    this.lastError = undefined;
    const first = !this.synced;
    this.synced = true;
    this.syncWaiters.splice(0).forEach((w) => w());
    this.handlers.onSynced?.(first);
  }

  private onWatchEvent(e: { type: string; object: KubeObject }): void {
    this.lastContact = Date.now();
    this.lastError = undefined;
    if (e.type === 'ERROR') {
      const status = e.object as unknown as { code?: number; reason?: string; message?: string };
      throw new KubeApiError(`watch ${this.options.resource.plural}: ${status.message ?? 'error'}`, status.code ?? 500, status.reason ?? '', this.client.clusterId);
    }
    this.resourceVersion = e.object.metadata.resourceVersion ?? this.resourceVersion;
    if (e.type === 'BOOKMARK') {
      return;
    }
    const obj = withKind(e.object as T, this.options.resource);
    const key = objectKey(obj);
    const old = this.store.get(key);
    if (e.type === 'DELETED') {
      this.drop(key);
      this.handlers.onEvent?.('delete', obj, old);
    } else if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) {
      // Already known at this version: the echo of our own write, written through with upsertLocal.
      // Nothing changed, so nothing to handle (a reconcile triggered by it would only find the same state).
      return;
    } else {
      this.put(key, obj);
      this.handlers.onEvent?.(old ? 'update' : 'add', obj, old);
    }
  }

  /** For diagnostics: `pods@cluster-1 synced, last contact 2s ago`. */
  public describe(): string {
    const ago = this.lastContact ? `${Math.round((Date.now() - this.lastContact) / 1000)}s ago` : 'never';
    return `${this.options.resource.plural}@${this.client.clusterId} ${this.synced ? 'synced' : 'not synced'}, last contact ${ago}${this.lastError ? `, error: ${messageOf(this.lastError)}` : ''}`;
  }
}

/** Lists return items without apiVersion/kind; fill them in so cached objects are complete. */
function withKind<T extends KubeObject>(obj: T, rt: ResourceType): T {
  if (obj.kind && obj.apiVersion) {
    return obj;
  }
  return { ...obj, apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version, kind: rt.kind };
}

function newer(a: KubeObject, b: KubeObject): boolean {
  const ra = Number(a.metadata.resourceVersion ?? 0);
  const rb = Number(b.metadata.resourceVersion ?? 0);
  return Number.isNaN(ra) || Number.isNaN(rb) || ra >= rb;
}
