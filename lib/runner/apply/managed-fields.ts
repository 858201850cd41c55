/**
 * Fields we applied before and dist no longer sets. Server-side apply removes such fields (when
 * nobody else owns them), so a subset comparison alone would miss the change: we read our own
 * field set from `metadata.managedFields` and look for each entry in the desired object.
 */
import { KubeObject } from '../../kube/types';
import { FieldChange } from './compare';
import { deepEqual, FieldPath, isPlainObject, PathSegment } from './field-path';

/** The `fieldsV1` trie: `f:<field>`, `k:<merge key json>`, `v:<value json>`, `i:<index>`, `.`. */
export type FieldsV1 = { readonly [entry: string]: FieldsV1 };

interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: string;
  readonly subresource?: string;
  readonly fieldsV1?: FieldsV1;
}

/** The fields `manager` owns through server-side apply on the main resource, if any. */
export function appliedFieldsOf(live: KubeObject, manager: string): FieldsV1 | undefined {
  const entries = (live.metadata.managedFields ?? []) as readonly ManagedFieldsEntry[];
  return entries.find((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource)?.fieldsV1;
}

interface Cursor {
  readonly desired: unknown;
  readonly live: unknown;
  readonly path: FieldPath;
}

/** Owned fields absent from `desired`, with their live values. */
export function removedOwnedFields(owned: FieldsV1, desired: unknown, live: unknown): FieldChange[] {
  return walk(owned, { desired, live, path: [] });
}

function walk(owned: FieldsV1, at: Cursor): FieldChange[] {
  const out: FieldChange[] = [];
  for (const [entry, children] of Object.entries(owned)) {
    if (entry === '.') {
      continue;
    }
    const next = step(entry, at);
    if (next === undefined) {
      continue; // an entry form we do not know: never guess a removal
    }
    if (next.desired === undefined) {
      out.push({ path: next.path, live: next.live });
    } else {
      out.push(...walk(children, next));
    }
  }
  return out;
}

function step(entry: string, at: Cursor): Cursor | undefined {
  const body = entry.slice(2);
  switch (entry.slice(0, 2)) {
    case 'f:':
      return { desired: field(at.desired, body), live: field(at.live, body), path: [...at.path, body] };
    case 'k:':
      return listItem(at, JSON.parse(body) as Record<string, unknown>);
    case 'v:':
      return setItem(at, JSON.parse(body));
    case 'i:':
      return { desired: index(at.desired, Number(body)), live: index(at.live, Number(body)), path: [...at.path, Number(body)] };
    default:
      return undefined;
  }
}

function listItem(at: Cursor, key: Record<string, unknown>): Cursor {
  const segment: PathSegment = { key };
  return { desired: asList(at.desired).find((item) => keyMatches(item, key, true)), live: asList(at.live).find((item) => keyMatches(item, key, false)), path: [...at.path, segment] };
}

/**
 * Whether a list item has the merge key of a `k:` entry. The server records defaulted key fields
 * too (`protocol: TCP` of a port), so on the desired side a key field dist leaves out matches any value.
 */
function keyMatches(item: unknown, key: Record<string, unknown>, defaultedMayBeMissing: boolean): boolean {
  return isPlainObject(item) && Object.entries(key).every(([k, v]) => deepEqual(item[k], v) || (defaultedMayBeMissing && item[k] === undefined));
}

function setItem(at: Cursor, value: unknown): Cursor {
  const present = (list: unknown) => (asList(list).some((v) => deepEqual(v, value)) ? value : undefined);
  return { desired: present(at.desired), live: present(at.live), path: [...at.path, { key: { value } }] };
}

function field(obj: unknown, name: string): unknown {
  return isPlainObject(obj) ? obj[name] : undefined;
}

function index(list: unknown, i: number): unknown {
  return asList(list)[i];
}

function asList(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * Whether `owned` holds the field at `path` of `desired` (list indices resolved through the items'
 * merge keys or values). A field we own that reads back absent was dropped as a zero value.
 */
export function ownsField(owned: FieldsV1, desired: unknown, path: FieldPath): boolean {
  let node: FieldsV1 | undefined = owned;
  let value = desired;
  for (const seg of path) {
    if (node === undefined) {
      return false;
    }
    if (typeof seg === 'string') {
      node = node[`f:${seg}`];
      value = field(value, seg);
    } else if (typeof seg === 'number') {
      const item = index(value, seg);
      node = itemEntry(node, item, seg);
      value = item;
    } else {
      return false;
    }
  }
  return node !== undefined;
}

function itemEntry(node: FieldsV1, item: unknown, i: number): FieldsV1 | undefined {
  for (const [entry, children] of Object.entries(node)) {
    const body = entry.slice(2);
    const hit =
      (entry.startsWith('k:') && keyMatches(item, JSON.parse(body) as Record<string, unknown>, true)) ||
      (entry.startsWith('v:') && deepEqual(JSON.parse(body), item)) ||
      entry === `i:${i}`;
    if (hit) {
      return children;
    }
  }
  return undefined;
}
