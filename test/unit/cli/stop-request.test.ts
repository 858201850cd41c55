import { npmParentWatch, startedByNpm, untilStopRequested } from '../../../lib/cli/stop-request';

describe('when a long-running command stops', () => {
  it('on SIGTERM and on SIGINT, and its listeners are gone afterwards', async () => {
    const before = process.listenerCount('SIGTERM');
    const term = untilStopRequested({ env: {} });
    process.emit('SIGTERM', 'SIGTERM');
    await expect(term).resolves.toBe('SIGTERM');
    const int = untilStopRequested({ env: {} });
    process.emit('SIGINT', 'SIGINT');
    await expect(int).resolves.toBe('SIGINT');
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it('counts as started through npm when npm set npm_command (npx: exec, npm run: run-script)', () => {
    expect(startedByNpm({ npm_command: 'exec' })).toBe(true);
    expect(startedByNpm({ npm_command: 'run-script', npm_lifecycle_event: 'sync' })).toBe(true);
    expect(startedByNpm({ PATH: '/usr/bin' })).toBe(false);
  });

  it('notices that the shell npm started it through is gone: the process was re-parented', () => {
    let parent = 4242;
    const gone = npmParentWatch(() => parent);
    expect(gone()).toBeUndefined();
    parent = 1;
    expect(gone()).toMatch(/the process that started it \(pid 4242, through npm\) exited without passing a signal on/);
  });
});
