/** metav1.Condition helpers: set a condition, keeping lastTransitionTime when the status did not change. */
import { Condition } from '../../kube/types';

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** Merges desired conditions into observed ones (by type), preserving transition times where status is unchanged. */
export function mergeConditions(observed: readonly Condition[] | undefined, desired: readonly ConditionInput[], now: string): Condition[] {
  const byType = new Map((observed ?? []).map((c) => [c.type, c]));
  return desired.map((d) => {
    const previous = byType.get(d.type);
    return { ...d, lastTransitionTime: previous && previous.status === d.status ? previous.lastTransitionTime : now };
  });
}

/** Whether two condition lists say the same thing (ignoring transition times and order). */
export function sameConditions(a: readonly Condition[] | undefined, b: readonly ConditionInput[]): boolean {
  const observed = new Map((a ?? []).map((c) => [c.type, c]));
  return (
    b.every((d) => {
      const o = observed.get(d.type);
      return o !== undefined && o.status === d.status && o.reason === d.reason && o.message === d.message && (o.observedGeneration ?? 0) === (d.observedGeneration ?? 0);
    }) && b.every((d) => observed.has(d.type))
  );
}
