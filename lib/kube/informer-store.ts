/**
 * The cache behind an Informer: objects by key, secondary indexes, and the runner's own writes
 * written through and reconciled with the watch.
 *
 * resourceVersions are opaque (the API promises equality only, never order), so nothing here
 * compares them as numbers. Order comes from the watch's own event sequence: a write we made and
 * wrote through is "pending" until the watch delivers its resourceVersion; every event for that key
 * delivered before it precedes our write in etcd's order, so it must not overwrite the cache.
 */
import { KubeObject, objectKey } from './types';

export type InformerEventType = 'add' | 'update' | 'delete';

/** Index values of an object, e.g. its label pairs. */
export type IndexFn = (obj: KubeObject) => readonly string[];

/** What a handler should be told about an applied event; undefined when nothing observable changed. */
export interface StoreChange<T> {
  readonly type: InformerEventType;
  readonly obj: T;
  readonly old?: T;
}

/** A local write whose watch echo has not arrived: the version expected, or the uid deleted. */
interface Pending {
  readonly resourceVersion?: string;
  readonly deletedUid?: string;
  /** Monotonic ms; an echo not seen within PENDING_EXPIRY_MS is taken as missed. */
  readonly at: number;
}

/** How many recent resourceVersions per key the watch delivered are remembered (to spot a write result the watch already passed). */
const DELIVERED_HISTORY = 8;
/** A pending echo older than this no longer holds events back (a lost echo must not freeze a key until the next relist). */
export const PENDING_EXPIRY_MS = 30_000;

interface Index {
  readonly fn: IndexFn;
  readonly byValue: Map<string, Set<string>>;
  /** The values each key was indexed under, so unindexing never depends on fn giving the same answer twice. */
  readonly valuesOf: Map<string, readonly string[]>;
}

export class InformerStore<T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly indexes = new Map<string, Index>();
  private readonly pending = new Map<string, Pending>();
  /** Per key: the last resourceVersions the watch delivered, and when (monotonic ms). Kept after a delete for a while, since a write's result can arrive after its object was deleted. */
  private readonly delivered = new Map<string, { versions: string[]; at: number }>();
  private eventsSinceSweep = 0;
  /** History is only kept once something writes through (pods, never written, pay nothing). */
  private writesThrough = false;

  public constructor(indexes: Readonly<Record<string, IndexFn>> = {}, private readonly monotonicMs: () => number = () => performance.now()) {
    for (const [name, fn] of Object.entries(indexes)) {
      this.indexes.set(name, { fn, byValue: new Map(), valuesOf: new Map() });
    }
  }

  public get size(): number {
    return this.objects.size;
  }

  public get(key: string): T | undefined {
    return this.objects.get(key);
  }

  public values(): IterableIterator<T> {
    return this.objects.values();
  }

  public byIndex(name: string, value: string): T[] {
    const keys = this.indexes.get(name)?.byValue.get(value);
    return keys ? [...keys].map((k) => this.objects.get(k)!).filter((o) => o !== undefined) : [];
  }

  public indexCount(name: string, value: string): number {
    return this.indexes.get(name)?.byValue.get(value)?.size ?? 0;
  }

  /** Recomputes one index for every object: for index functions that read state outside the object. */
  public reindex(name: string): void {
    const index = this.indexes.get(name);
    if (!index) {
      throw new Error(`informer has no index "${name}" (indexes: ${[...this.indexes.keys()].join(', ') || 'none'})`);
    }
    index.byValue.clear();
    index.valuesOf.clear();
    for (const [key, obj] of this.objects) {
      this.indexOne(index, key, obj);
    }
  }

  /** Replaces the whole content with a fresh list; returns the changes in list order (deletes first). */
  public replace(items: readonly T[]): StoreChange<T>[] {
    this.pending.clear();
    this.delivered.clear();
    const fresh = new Map(items.map((o) => [objectKey(o), o]));
    const changes: StoreChange<T>[] = [];
    for (const [key, old] of this.objects) {
      if (!fresh.has(key)) {
        this.drop(key);
        changes.push({ type: 'delete', obj: old });
      }
    }
    for (const [key, obj] of fresh) {
      const old = this.objects.get(key);
      this.put(key, obj);
      if (!old) {
        changes.push({ type: 'add', obj });
      } else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
        changes.push({ type: 'update', obj, old });
      }
    }
    return changes;
  }

  /** Applies one watch event (in the watch's order). */
  public applyEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): StoreChange<T> | undefined {
    const key = objectKey(obj);
    const version = obj.metadata.resourceVersion ?? '';
    const held = this.heldBack(key, type, obj);
    if (this.writesThrough && held !== 'older') {
      this.remember(key, version); // the cache now holds this version (or it was our own write's echo)
    }
    if (held !== 'no') {
      return undefined;
    }
    const old = this.objects.get(key);
    if (type === 'DELETED') {
      this.drop(key);
      return { type: 'delete', obj, old };
    }
    if (old && old.metadata.resourceVersion === version) {
      return undefined; // already cached at this version
    }
    this.put(key, obj);
    return { type: old ? 'update' : 'add', obj, old };
  }

  /**
   * Writes the result of our own write into the cache at once, so a reconcile that runs before the
   * watch event sees it; its echo then changes nothing and fires no handler.
   */
  public upsertLocal(obj: T): void {
    this.writesThrough = true;
    const key = objectKey(obj);
    const version = obj.metadata.resourceVersion;
    const current = this.objects.get(key);
    if (version && current?.metadata.resourceVersion === version) {
      return;
    }
    if (version && this.delivered.get(key)?.versions.includes(version)) {
      return; // the watch already passed this version: the cache holds it or something newer
    }
    this.put(key, obj);
    if (version) {
      this.pending.set(key, { resourceVersion: version, at: this.monotonicMs() });
    } else {
      this.pending.delete(key);
    }
  }

  /** Removes what we deleted; events for the same object that precede the delete are then held back. */
  public removeLocal(key: string): void {
    this.writesThrough = true;
    const uid = this.objects.get(key)?.metadata.uid;
    this.drop(key);
    if (uid) {
      this.pending.set(key, { deletedUid: uid, at: this.monotonicMs() });
    } else {
      this.pending.delete(key);
    }
  }

  /**
   * `older` for an event that precedes our pending local write (the cache is newer), `echo` for
   * the watch's copy of our write (it clears the pending write; the cache already has it), `no`
   * for an event to apply.
   */
  private heldBack(key: string, type: string, obj: T): 'older' | 'echo' | 'no' {
    const p = this.pending.get(key);
    if (!p) {
      return 'no';
    }
    if (this.monotonicMs() - p.at > PENDING_EXPIRY_MS) {
      this.pending.delete(key);
      return 'no';
    }
    if (p.resourceVersion !== undefined) {
      if (obj.metadata.resourceVersion === p.resourceVersion) {
        this.pending.delete(key);
        return 'echo';
      }
      return 'older';
    }
    // a local delete: its DELETED echo (or any event of the same object before it) changes nothing
    if (obj.metadata.uid !== p.deletedUid) {
      this.pending.delete(key); // another object under the same name: created after our delete
      return 'no';
    }
    if (type === 'DELETED') {
      this.pending.delete(key);
      return 'echo';
    }
    return 'older';
  }

  private remember(key: string, version: string): void {
    const now = this.monotonicMs();
    const history = this.delivered.get(key) ?? { versions: [], at: now };
    history.versions.push(version);
    if (history.versions.length > DELIVERED_HISTORY) {
      history.versions.shift();
    }
    this.delivered.set(key, { versions: history.versions, at: now });
    if (++this.eventsSinceSweep >= 1_000) {
      this.sweepDeleted(now);
    }
  }

  /** Forgets the history of objects deleted more than PENDING_EXPIRY_MS ago (no write result of theirs can still be on its way). */
  private sweepDeleted(now: number): void {
    this.eventsSinceSweep = 0;
    for (const [key, history] of this.delivered) {
      if (!this.objects.has(key) && now - history.at > PENDING_EXPIRY_MS) {
        this.delivered.delete(key);
      }
    }
  }

  private put(key: string, obj: T): void {
    if (this.objects.has(key)) {
      this.unindex(key);
    }
    this.objects.set(key, obj);
    for (const index of this.indexes.values()) {
      this.indexOne(index, key, obj);
    }
  }

  private drop(key: string): void {
    if (this.objects.delete(key)) {
      this.unindex(key);
    }
  }

  private indexOne(index: Index, key: string, obj: T): void {
    const values = index.fn(obj);
    if (values.length === 0) {
      return;
    }
    index.valuesOf.set(key, values);
    for (const value of values) {
      const keys = index.byValue.get(value);
      if (keys) {
        keys.add(key);
      } else {
        index.byValue.set(value, new Set([key]));
      }
    }
  }

  private unindex(key: string): void {
    for (const index of this.indexes.values()) {
      for (const value of index.valuesOf.get(key) ?? []) {
        const keys = index.byValue.get(value);
        keys?.delete(key);
        if (keys?.size === 0) {
          index.byValue.delete(value);
        }
      }
      index.valuesOf.delete(key);
    }
  }
}
