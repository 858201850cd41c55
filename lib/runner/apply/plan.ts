/**
 * The pure heart of `apply` and `diff`: desired objects + live objects + the previous inventory
 * in, one decision per object and a prune list out. No I/O, so every rule is unit-tested.
 */
import { ApplyPhase, applyPhase, ManifestObject } from '../../fleet/apply-order';
import { KubeObject } from '../../kube/types';
import { FieldChange, subsetDifferences } from './compare';
import { appliedFieldsOf, FieldsV1, ownsField, removedOwnedFields } from './managed-fields';
import { ObjectRef, refKey, refOf } from './object-ref';
import { ownershipOf } from './ownership';
import { keptFromPrune, PruneGuard, pruneGuardOf } from './prune-rules';
import { storedForm } from './stored-form';

/** One object of `dist/<cluster>/`, ready to apply (ownership labels added). */
export interface DesiredObject {
  /** The file it came from, for messages. */
  readonly file: string;
  readonly object: ManifestObject;
  readonly phase: ApplyPhase;
}

export type ObjectAction = 'create' | 'update' | 'unchanged';

export interface ObjectPlan {
  readonly ref: ObjectRef;
  readonly desired: DesiredObject;
  readonly action: ObjectAction;
  /** For `update`: every field that differs. */
  readonly changes: readonly FieldChange[];
  /** For `update`: every difference may be server normalisation; the apply's result decides. */
  readonly uncertain: boolean;
  readonly live?: KubeObject;
}

export interface PruneAction {
  readonly ref: ObjectRef;
  readonly live: KubeObject;
  /** A check against live contents that must pass right before the delete. */
  readonly guard?: PruneGuard;
}

export interface KeptObject {
  readonly ref: ObjectRef;
  readonly reason: string;
  /** Kept in the inventory so that a later prune tries again (e.g. a namespace that is not empty yet). */
  readonly retry: boolean;
}

export interface ClusterPlan {
  readonly objects: readonly ObjectPlan[];
  /** In delete order: the reverse of the apply order. */
  readonly prune: readonly PruneAction[];
  readonly kept: readonly KeptObject[];
  /** Inventoried, gone from dist, and already gone (or going) from the cluster. */
  readonly gone: readonly ObjectRef[];
}

export interface PlanInput {
  readonly desired: readonly DesiredObject[];
  /** Live objects by refKey(), for the desired and the previously inventoried refs that exist. */
  readonly live: ReadonlyMap<string, KubeObject>;
  readonly previousInventory: readonly ObjectRef[];
  /** Our LABEL_INVENTORY value: only objects carrying it may be pruned. */
  readonly inventoryId: string;
  readonly fieldManager: string;
}

export function planCluster(input: PlanInput): ClusterPlan {
  const objects = input.desired.map((d) => planObject(d, input.live.get(refKey(refOf(d.object))), input.fieldManager));
  const wanted = new Set(objects.map((o) => refKey(o.ref)));
  const leftovers = input.previousInventory.filter((ref) => !wanted.has(refKey(ref)));
  const prune: PruneAction[] = [];
  const kept: KeptObject[] = [];
  const gone: ObjectRef[] = [];
  for (const ref of leftovers) {
    const live = input.live.get(refKey(ref));
    if (!live || live.metadata.deletionTimestamp) {
      gone.push(ref);
      continue;
    }
    const ownership = ownershipOf(live, input.inventoryId);
    const refusal = ownership.owned ? keptFromPrune(ref) : ownership.reason;
    if (refusal) {
      kept.push({ ref, reason: refusal, retry: false });
    } else {
      prune.push({ ref, live, guard: pruneGuardOf(ref) });
    }
  }
  return { objects, prune: sortForDelete(prune), kept, gone };
}

/** The decision for one object: create when absent, else a subset comparison plus our removed fields. */
export function planObject(desired: DesiredObject, live: KubeObject | undefined, fieldManager: string): ObjectPlan {
  const ref = refOf(desired.object);
  if (!live) {
    return { ref, desired, action: 'create', changes: [], uncertain: false };
  }
  const { stored, ownershipView } = storedForm(desired.object);
  const owned = appliedFieldsOf(live, fieldManager);
  const differences = subsetDifferences(stored, live).filter((c) => !(owned && droppedZeroValue(c, owned, stored)));
  const changes = [...differences, ...(owned ? removedOwnedFields(owned, ownershipView, live) : [])];
  const action: ObjectAction = changes.length === 0 ? 'unchanged' : 'update';
  return { ref, desired, action, changes, uncertain: changes.length > 0 && changes.every((c) => c.uncertain), live };
}

/** `publishNotReadyAddresses: false` reads back absent (omitempty): no change once we own the field. */
function droppedZeroValue(c: FieldChange, owned: FieldsV1, desired: ManifestObject): boolean {
  return c.live === undefined && (c.desired === false || c.desired === 0 || c.desired === '') && ownsField(owned, desired, c.path);
}

function sortForDelete(actions: PruneAction[]): PruneAction[] {
  const phaseOf = (a: PruneAction) => applyPhase(a.live as unknown as ManifestObject);
  return [...actions].sort((a, b) => phaseOf(b) - phaseOf(a) || (refKey(a.ref) < refKey(b.ref) ? -1 : 1));
}
