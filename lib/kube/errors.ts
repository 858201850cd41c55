/** An error answered by (or on the way to) a Kubernetes API server, carrying what callers branch on. */
export class KubeApiError extends Error {
  public constructor(
    message: string,
    /** HTTP status; 0 when the server could not be reached. */
    public readonly status: number,
    /** `reason` of the Status object, e.g. `NotFound`, `Conflict`, `Expired`, `Forbidden`. */
    public readonly reason: string,
    public readonly clusterId: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof KubeApiError && e.status === 404;
}

export function isGone(e: unknown): boolean {
  return e instanceof KubeApiError && (e.status === 410 || e.reason === 'Expired');
}

export function isConflict(e: unknown): boolean {
  return e instanceof KubeApiError && e.status === 409;
}

/** A create that found the name taken (409 AlreadyExists; a 409 Conflict is something else). */
export function isAlreadyExists(e: unknown): boolean {
  return e instanceof KubeApiError && e.status === 409 && e.reason === 'AlreadyExists';
}

/** The message of any thrown value. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
