/**
 * Desired (from dist) versus live: a subset comparison of the fields dist sets, so that fields
 * the API server defaults (present live, absent in dist) never count as a change.
 */
import { deepEqual, FieldPath, isPlainObject } from './field-path';
import { isQuantityPath, sameQuantity } from './quantity';

export interface FieldChange {
  readonly path: FieldPath;
  /** What dist sets; undefined when dist no longer sets a field we applied before (it will be removed). */
  readonly desired?: unknown;
  /** What the cluster has; undefined when the field is missing live. */
  readonly live?: unknown;
  /**
   * The difference may vanish on the server: a list holds every item dist sets plus items others
   * added. Only an apply (or a server-side dry run) can tell.
   */
  readonly uncertain?: boolean;
}

/** Every field of `desired` that `live` lacks or holds with another value. */
export function subsetDifferences(desired: unknown, live: unknown, path: FieldPath = []): FieldChange[] {
  if (desired === undefined || sameScalar(desired, live, path) || omittedWhenEmpty(desired, live)) {
    return [];
  }
  if (isPlainObject(desired)) {
    if (live !== undefined && !isPlainObject(live)) {
      return [{ path, desired, live }];
    }
    // A map missing live is reported field by field: `metadata.labels.team`, not `metadata.labels`.
    return Object.keys(desired).flatMap((k) => subsetDifferences(desired[k], isPlainObject(live) ? live[k] : undefined, [...path, k]));
  }
  if (Array.isArray(desired)) {
    return listDifferences(desired, live, path);
  }
  return [{ path, desired, live }];
}

function listDifferences(desired: readonly unknown[], live: unknown, path: FieldPath): FieldChange[] {
  if (!Array.isArray(live)) {
    return [{ path, desired, live }];
  }
  if (desired.length === live.length) {
    return desired.flatMap((item, i) => subsetDifferences(item, live[i], [...path, i]));
  }
  const othersAddedItems = live.length > desired.length && desired.every((item) => live.some((l) => subsetDifferences(item, l).length === 0));
  return [{ path, desired, live, uncertain: othersAddedItems || undefined }];
}

function sameScalar(desired: unknown, live: unknown, path: FieldPath): boolean {
  if (desired === live || (desired === null && live === undefined)) {
    return true;
  }
  const scalar = (v: unknown): v is string | number => typeof v === 'string' || typeof v === 'number';
  return scalar(desired) && scalar(live) && isQuantityPath(path.filter((s): s is string | number => typeof s !== 'object')) && sameQuantity(desired, live);
}

/** `labels: {}` or `args: []` in dist reads back as absent: the API omits empty maps and lists. */
function omittedWhenEmpty(desired: unknown, live: unknown): boolean {
  const empty = (isPlainObject(desired) && Object.keys(desired).length === 0) || (Array.isArray(desired) && desired.length === 0);
  return empty && (live === undefined || live === null || deepEqual(desired, live));
}

/** Metadata the server changes on every write; never a difference in content. */
const VOLATILE_METADATA = ['managedFields', 'resourceVersion', 'generation'];

/**
 * Every difference between two whole objects (both directions), ignoring volatile metadata and
 * status: how a server-side dry run's result differs from the live object.
 */
export function contentDifferences(after: Record<string, unknown>, before: Record<string, unknown>): FieldChange[] {
  const strip = (o: Record<string, unknown>) => {
    const { status, metadata, ...rest } = o;
    const meta = { ...(isPlainObject(metadata) ? metadata : {}) };
    VOLATILE_METADATA.forEach((k) => delete meta[k]);
    return { ...rest, metadata: meta };
  };
  return exactDifferences(strip(after), strip(before), []);
}

function exactDifferences(desired: unknown, live: unknown, path: FieldPath): FieldChange[] {
  if (deepEqual(desired, live)) {
    return [];
  }
  if (isPlainObject(desired) && isPlainObject(live)) {
    const keys = [...new Set([...Object.keys(desired), ...Object.keys(live)])].sort();
    return keys.flatMap((k) => exactDifferences(desired[k], live[k], [...path, k]));
  }
  if (Array.isArray(desired) && Array.isArray(live) && desired.length === live.length) {
    return desired.flatMap((item, i) => exactDifferences(item, live[i], [...path, i]));
  }
  return [{ path, desired, live }];
}
