/**
 * Write fencing for leader election: every write batch first asks whether this replica still
 * leads, and carries the leadership term's AbortSignal, which fires when it stops leading, so a
 * replica that lost (or could not renew) its lease stops writing before another can acquire it.
 */

export class NotLeaderError extends Error {
  public constructor(what: string) {
    super(`not writing ${what}: this replica does not hold the leader lease (lost or not renewed within the renew deadline); the leader writes it`);
    this.name = 'NotLeaderError';
  }
}

export interface WriteFence {
  /** Throws NotLeaderError unless this replica may write now. */
  check(what: string): void;
  /** Aborts the requests in flight when leadership ends; undefined when there is no leader election. */
  readonly signal?: AbortSignal;
}

/** No leader election (`--once`, `--leader-elect=false`): this replica always writes. */
export const ALWAYS_WRITE: WriteFence = { check: () => undefined };

export function isNotLeader(e: unknown): boolean {
  return e instanceof NotLeaderError;
}

/** What the fence asks of the leader elector. */
export interface Leadership {
  isLeader(): boolean;
  readonly termSignal?: AbortSignal;
}

/** The fence of a replica under leader election (`leader` is read at each use: it may be created later). */
export function leaderFence(leader: () => Leadership | undefined): WriteFence {
  return {
    check(what: string): void {
      if (!leader()?.isLeader()) {
        throw new NotLeaderError(what);
      }
    },
    get signal(): AbortSignal | undefined {
      return leader()?.termSignal;
    },
  };
}
