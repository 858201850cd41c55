/** What `apply` did (or, in a dry run, would do) per object and per cluster. */
import { ManifestObject } from '../../fleet/apply-order';
import { FieldChange } from './compare';
import { ObjectRef } from './object-ref';

export type Outcome = 'created' | 'updated' | 'unchanged' | 'pruned' | 'kept' | 'failed';

export interface ObjectOutcome {
  readonly clusterId: string;
  readonly ref: ObjectRef;
  readonly outcome: Outcome;
  /** Nothing was written: `created` means "would be created". */
  readonly dryRun: boolean;
  /** The dist file, for objects from dist. */
  readonly file?: string;
  /** For `updated`: the fields that differ (desired versus live). */
  readonly changes?: readonly FieldChange[];
  /** For `created`: the object as it would be applied, for diffs. */
  readonly desired?: ManifestObject;
  /** For `kept` and `failed`: why. */
  readonly reason?: string;
  /**
   * For `failed`: not applied on purpose, because it would remove lines of the live CoreDNS
   * configuration (`reason` lists them and the fix); `diff` shows it as a change, not an error.
   */
  readonly refused?: boolean;
}

export interface ClusterReport {
  readonly clusterId: string;
  readonly dryRun: boolean;
  readonly outcomes: readonly ObjectOutcome[];
  /** Set when the cluster could not be applied at all (unreachable, forbidden, unknown kind, CRD timeout). */
  readonly error?: string;
  readonly durationMs: number;
  /** API requests made for this run, and how many of them were mutating (dry runs included). */
  readonly requests: number;
  readonly writes: number;
}

export type OutcomeCounts = Record<Outcome, number>;

export function countOutcomes(outcomes: readonly ObjectOutcome[]): OutcomeCounts {
  const counts: OutcomeCounts = { created: 0, updated: 0, unchanged: 0, pruned: 0, kept: 0, failed: 0 };
  for (const o of outcomes) {
    counts[o.outcome]++;
  }
  return counts;
}

/** A cluster failed when it could not be applied at all or any object failed. */
export function clusterFailed(report: ClusterReport): boolean {
  return report.error !== undefined || report.outcomes.some((o) => o.outcome === 'failed');
}

/** Whether anything would change (or did): what `diff` exits 1 for. */
export function hasChanges(report: ClusterReport): boolean {
  return report.outcomes.some((o) => o.outcome === 'created' || o.outcome === 'updated' || o.outcome === 'pruned' || o.refused === true);
}

/** Like clusterFailed, but an object refused for the CoreDNS guard is a difference, not an error (what `diff` needs). */
export function clusterErrored(report: ClusterReport): boolean {
  return report.error !== undefined || report.outcomes.some((o) => o.outcome === 'failed' && !o.refused);
}
