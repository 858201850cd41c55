/**
 * The model oracle: from the plain description alone, what building and rendering the fleet must do.
 */
import { FleetDesc } from './fleet-description';
import { ConstructionError, firstConstructionError } from './oracle-construction';
import { emittedObjects, ExpectedProblem, fleetProblems } from './oracle-fleet';

export type Verdict =
  | { readonly outcome: 'construction error'; readonly error: ConstructionError }
  | { readonly outcome: 'fleet problems'; readonly problems: readonly ExpectedProblem[] }
  /** `objects`: cluster ID -> sorted `Kind namespace/name` of every object it gets. */
  | { readonly outcome: 'valid'; readonly objects: ReadonlyMap<string, readonly string[]> };

export function judge(fleet: FleetDesc): Verdict {
  const error = firstConstructionError(fleet);
  if (error) {
    return { outcome: 'construction error', error };
  }
  const problems = fleetProblems(fleet);
  if (problems.length > 0) {
    return { outcome: 'fleet problems', problems };
  }
  const objects = new Map([...emittedObjects(fleet)].map(([id, list]) => [id, list.map((o) => o.key).sort()]));
  return { outcome: 'valid', objects };
}
