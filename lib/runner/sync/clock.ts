/**
 * The runner's two clocks. Durations a replica judges on its own (is the lease I observed still
 * valid? did I renew within my deadline?) use the monotonic clock, which no NTP step or skew
 * between machines can move. The wall clock is only for timestamps written into the API for
 * humans and for state that must survive a restart (liveness Leases).
 *
 * For the clock-skew leader test only, CDK8S_MCS_TEST_CLOCK_SKEW_MS shifts this process's wall
 * clock by that many milliseconds (read here and nowhere else); production never sets it.
 */

/** Test-only: milliseconds added to this process's wall clock. */
export const CLOCK_SKEW_ENV = 'CDK8S_MCS_TEST_CLOCK_SKEW_MS';

export interface Clock {
  /** Epoch ms of this process's wall clock (skewed in the clock-skew test). */
  wallMs(): number;
  /** Ms that never go back and are not affected by wall-clock changes; comparable only within this process. */
  monotonicMs(): number;
}

/** The system's clocks, with the wall clock skewed by CDK8S_MCS_TEST_CLOCK_SKEW_MS if set. */
export function systemClock(env: Readonly<Record<string, string | undefined>> = process.env): Clock {
  const raw = env[CLOCK_SKEW_ENV];
  const skewMs = raw === undefined || raw === '' ? 0 : Number(raw);
  if (!Number.isSafeInteger(skewMs)) {
    throw new Error(`${CLOCK_SKEW_ENV} must be a whole number of milliseconds, got "${raw}"; unset it (it exists only for the clock-skew leader test)`);
  }
  return { wallMs: () => Date.now() + skewMs, monotonicMs: () => performance.now() };
}

/** How far this clock's wall time is ahead of the process's Date.now() (0 outside the skew test). */
export function wallSkewMs(clock: Clock): number {
  return Math.round(clock.wallMs() - Date.now());
}
