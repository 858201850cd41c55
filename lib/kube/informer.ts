/**
 * List+watch cache of one resource in one cluster, in the style of client-go's reflector: list (in
 * pages), then watch from the list's resourceVersion with bookmarks; relist on 410 Gone; back off
 * exponentially on errors and keep serving the last known state meanwhile.
 *
 * Like controller-runtime's cache options, a `transform` runs on ingest, so only the fields the
 * caller reads are ever held (managedFields alone are often half of an object). A handler that
 * throws is reported and the watch goes on: one bad event must not cost every later one.
 */
import { KubeClient } from './client';
import { isGone, KubeApiError, messageOf } from './errors';
import { IndexFn, InformerEventType, InformerStore, StoreChange } from './informer-store';
import { listInPages } from './paginated-list';
import { resourcePath, ResourceType } from './resources';
import { KubeObject, objectKey } from './types';

export type { InformerEventType, IndexFn };

export type RelistReason = 'initial' | 'gone' | 'error';

export interface InformerOptions<T extends KubeObject = KubeObject> {
  readonly resource: ResourceType;
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Server-side watch timeout; the informer re-watches from the last resourceVersion after it. */
  readonly watchTimeoutSeconds?: number;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Secondary indexes: name -> function giving the index values of an object. */
  readonly indexes?: Readonly<Record<string, IndexFn>>;
  /**
   * Applied to every object before it is cached (lists, watch events, local writes): keep only what
   * is read. It must keep metadata.name, namespace, uid and resourceVersion.
   * @default - the object as the API server sent it
   */
  readonly transform?: (obj: KubeObject) => T;
  /** Objects per list page. @default 500 */
  readonly pageSize?: number;
  /**
   * Called synchronously whenever an object was added or updated in the cache (events, relists,
   * local writes), before any handler: for keeping indexes of other informers in step with this one.
   */
  readonly onCacheChange?: (obj: T, old?: T) => void;
}

export interface InformerHandlers<T extends KubeObject> {
  onEvent?(type: InformerEventType, obj: T, old?: T): void;
  /** Called after every successful (re)list, with whether it was the first. */
  onSynced?(first: boolean): void;
  onError?(error: Error): void;
  /** A handler threw; the event is cached all the same and the watch goes on. @default - written to stderr */
  onHandlerError?(error: Error, what: string): void;
}

/** Watch retries from the same resourceVersion before giving up and relisting. */
const MAX_WATCH_RETRIES = 5;

const jitter = (ms: number) => ms * (0.8 + Math.random() * 0.4);

/** Errors worth retrying the watch for: the server was unreachable, overloaded or restarting. */
function isTransient(e: unknown): boolean {
  return e instanceof KubeApiError && (e.status === 0 || e.status === 429 || e.status >= 500);
}

/** Waits `ms` or until aborted; the abort listener goes with the wait (one per backoff retry would pile up during an outage). */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

type WatchEvent = { type: string; object: KubeObject };

export class Informer<T extends KubeObject> {
  private readonly store: InformerStore<T>;
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
  /** Handler calls that threw (each reported through onHandlerError). */
  public handlerErrors = 0;

  public constructor(
    private readonly client: KubeClient,
    private readonly options: InformerOptions<T>,
    private readonly handlers: InformerHandlers<T> = {},
  ) {
    this.store = new InformerStore<T>(options.indexes);
  }

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

  /** Objects whose index `name` yields `value`, e.g. `byIndex('label', 'db/app=mysql')`. */
  public byIndex(name: string, value: string): T[] {
    return this.store.byIndex(name, value);
  }

  /** How many objects index `name` maps `value` to (without building the list). */
  public indexCount(name: string, value: string): number {
    return this.store.indexCount(name, value);
  }

  /** Recomputes index `name` for every cached object (its function reads state that changed). */
  public reindex(name: string): void {
    this.store.reindex(name);
  }

  /** Writes our own write's result into the cache at once, so a reconcile that runs before the watch event sees it. */
  public upsertLocal(obj: KubeObject): void {
    const ingested = this.ingest(obj);
    const old = this.store.get(objectKey(ingested));
    this.store.upsertLocal(ingested);
    if (this.store.get(objectKey(ingested)) === ingested) {
      this.options.onCacheChange?.(ingested, old);
    }
  }

  public removeLocal(key: string): void {
    this.store.removeLocal(key);
  }

  private ingest(obj: KubeObject): T {
    const complete = withKind(obj, this.options.resource);
    return this.options.transform ? this.options.transform(complete) : (complete as T);
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
        reason = isGone(e) ? 'gone' : 'error';
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
        fieldSelector: this.options.fieldSelector,
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
    const listed = await listInPages(this.client, this.path(), {
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
      pageSize: this.options.pageSize,
      transform: (o) => this.ingest(o),
    });
    this.lists++;
    const changes = this.store.replace(listed.items);
    this.resourceVersion = listed.resourceVersion;
    this.lastContact = Date.now();
    this.lastError = undefined;
    changes.forEach((c) => this.emit(c));
    const first = !this.synced;
    this.synced = true;
    this.syncWaiters.splice(0).forEach((w) => w());
    this.isolated('onSynced', () => this.handlers.onSynced?.(first));
  }

  private onWatchEvent(e: WatchEvent): void {
    this.lastContact = Date.now();
    this.lastError = undefined;
    if (e.type === 'ERROR') {
      const status = e.object as unknown as { code?: number; reason?: string; message?: string };
      // Thrown to the watch (not a handler error): it ends this watch, and a 410 makes the informer relist.
      throw new KubeApiError(`watch ${this.options.resource.plural}: ${status.message ?? 'error'}`, status.code ?? 500, status.reason ?? '', this.client.clusterId);
    }
    // Opaque: stored to resume the watch from, never compared for order.
    this.resourceVersion = e.object.metadata.resourceVersion ?? this.resourceVersion;
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED' && e.type !== 'DELETED') {
      return; // BOOKMARK: only its resourceVersion counts
    }
    const change = this.store.applyEvent(e.type, this.ingest(e.object));
    if (change) {
      this.emit(change);
    }
  }

  private emit(change: StoreChange<T>): void {
    const cached = change.type === 'delete' ? undefined : change.obj;
    if (cached) {
      this.isolated('onCacheChange', () => this.options.onCacheChange?.(cached, change.old));
    }
    this.isolated(`${change.type} of ${objectKey(change.obj)}`, () => this.handlers.onEvent?.(change.type, change.obj, change.old));
  }

  /** Runs a handler; if it throws, reports it and carries on (the watch must not end for it). */
  private isolated(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.handlerErrors++;
      const error = e instanceof Error ? e : new Error(String(e));
      const where = `${this.options.resource.plural}@${this.client.clusterId}: handler of ${what}`;
      if (this.handlers.onHandlerError) {
        this.handlers.onHandlerError(error, where);
      } else {
        process.stderr.write(`informer ${where} threw: ${messageOf(error)}\n`);
      }
    }
  }

  /** For diagnostics: `pods@cluster-1 synced, last contact 2s ago`. */
  public describe(): string {
    const ago = this.lastContact ? `${Math.round((Date.now() - this.lastContact) / 1000)}s ago` : 'never';
    return `${this.options.resource.plural}@${this.client.clusterId} ${this.synced ? 'synced' : 'not synced'}, last contact ${ago}${this.lastError ? `, error: ${messageOf(this.lastError)}` : ''}`;
  }
}

/** Lists return items without apiVersion/kind; fill them in so cached objects are complete. */
function withKind(obj: KubeObject, rt: ResourceType): KubeObject {
  if (obj.kind && obj.apiVersion) {
    return obj;
  }
  return { ...obj, apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version, kind: rt.kind };
}
