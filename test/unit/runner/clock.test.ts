/** The test-only wall-clock skew is read from one environment variable, and refuses anything but whole milliseconds. */
import { CLOCK_SKEW_ENV, systemClock, wallSkewMs } from '../../../lib/runner/sync/clock';

describe('runner clock', () => {
  it('has no skew unless the test-only variable is set', () => {
    expect(Math.abs(wallSkewMs(systemClock({})))).toBeLessThanOrEqual(1);
    expect(Math.abs(wallSkewMs(systemClock({ [CLOCK_SKEW_ENV]: '' })))).toBeLessThanOrEqual(1);
  });

  it('shifts only the wall clock, either way', () => {
    for (const skew of [15_000, -15_000]) {
      const clock = systemClock({ [CLOCK_SKEW_ENV]: String(skew) });
      expect(Math.abs(wallSkewMs(clock) - skew)).toBeLessThanOrEqual(1);
      expect(Math.abs(clock.monotonicMs() - performance.now())).toBeLessThan(50);
    }
  });

  it('names the variable and the bad value', () => {
    expect(() => systemClock({ [CLOCK_SKEW_ENV]: '15s' })).toThrow('CDK8S_MCS_TEST_CLOCK_SKEW_MS must be a whole number of milliseconds, got "15s"; unset it (it exists only for the clock-skew leader test)');
  });
});
