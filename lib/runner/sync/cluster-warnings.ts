/**
 * Warnings about one cluster on state changes only: the first problem with a cluster is logged at
 * once; while it stays in trouble, further warnings about it are held back (counted) and one
 * reminder is logged every `reminderMs` with the latest; when it works again an info line says so.
 * A runner whose clusters went away used to log ~20 warnings a second (one per informer and retry).
 */
import { Logger } from '../observe/log';

interface Trouble {
  readonly since: number;
  lastLogged: number;
  lastProblem: number;
  heldBack: number;
  latest: { msg: string; fields: Record<string, unknown> };
}

export interface ClusterWarningsOptions {
  readonly log: Logger;
  /** @default 60_000 */
  readonly reminderMs?: number;
  /** A cluster counts as working again only this long after its last problem. @default 5_000 */
  readonly quietMs?: number;
  readonly now?: () => number;
}

export class ClusterWarnings {
  private readonly troubles = new Map<string, Trouble>();

  public constructor(private readonly o: ClusterWarningsOptions) {}

  /** A problem with a cluster: logged when the cluster was fine, else held back until the reminder. */
  public warn(clusterId: string, msg: string, fields: Record<string, unknown> = {}): void {
    const now = this.now();
    const trouble = this.troubles.get(clusterId);
    if (!trouble) {
      this.troubles.set(clusterId, { since: now, lastLogged: now, lastProblem: now, heldBack: 0, latest: { msg, fields } });
      const reminder = Math.round((this.o.reminderMs ?? 60_000) / 1000);
      this.o.log.warn(msg, { cluster: clusterId, ...fields, note: `further warnings about ${clusterId} are held back until it works again (a reminder every ${reminder}s)` });
      return;
    }
    trouble.lastProblem = now;
    trouble.heldBack++;
    trouble.latest = { msg, fields };
  }

  /** Whether a cluster is in trouble (a warning not yet followed by recovery). */
  public inTrouble(clusterId: string): boolean {
    return this.troubles.has(clusterId);
  }

  /**
   * Periodic: for every cluster in trouble, `works(id)` says whether it is fine now (reachable and
   * quiet for `quietMs`: then an info line ends its trouble); else a reminder when one is due.
   */
  public tick(works: (clusterId: string) => boolean): void {
    const now = this.now();
    for (const [clusterId, t] of this.troubles) {
      if (now - t.lastProblem >= (this.o.quietMs ?? 5_000) && works(clusterId)) {
        this.troubles.delete(clusterId);
        this.o.log.info('cluster works again', { cluster: clusterId, after: seconds(now - t.since), heldBackWarnings: t.heldBack });
      } else if (now - t.lastLogged >= (this.o.reminderMs ?? 60_000)) {
        t.lastLogged = now;
        this.o.log.warn(`still failing: ${t.latest.msg}`, { cluster: clusterId, since: `${seconds(now - t.since)} ago`, heldBackWarnings: t.heldBack, ...t.latest.fields });
        t.heldBack = 0;
      }
    }
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}
