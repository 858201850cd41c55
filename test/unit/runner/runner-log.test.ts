import { Logger } from '../../../lib/runner/observe/log';
import { ClusterWarnings } from '../../../lib/runner/sync/cluster-warnings';
import { describeWrites, tallyWrite, WriteLog, WriteTally } from '../../../lib/runner/sync/write-log';

function recorder(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (msg: string, fields: Record<string, unknown> = {}) => lines.push(`${level} ${msg} ${JSON.stringify(fields)}`);
  return { lines, log: { debug: rec('DEBUG'), info: rec('INFO'), warn: rec('WARN'), error: rec('ERROR') } };
}

function tally(...writes: [string, string, string][]): WriteTally {
  const t: WriteTally = new Map();
  writes.forEach(([c, r, v]) => tallyWrite(t, c, r, v));
  return t;
}

describe('the runner\'s info line per reconcile that wrote something', () => {
  it('says what was written where, per cluster', () => {
    const t = tally(['us', 'endpointslices', 'apply'], ['us', 'endpointslices', 'apply'], ['us', 'serviceimports', 'apply'], ['ap', 'endpointslices', 'delete']);
    expect(describeWrites(t)).toBe('ap: endpointslices delete; us: endpointslices apply x2, serviceimports apply');
    const { log, lines } = recorder();
    new WriteLog({ log, now: () => 0 }).report('cache/redis', t);
    expect(lines).toEqual(['INFO wrote cache/redis: ap: endpointslices delete; us: endpointslices apply x2, serviceimports apply {}']);
  });

  it('says nothing for a reconcile that wrote nothing', () => {
    const { log, lines } = recorder();
    new WriteLog({ log }).report('cache/redis', new Map());
    expect(lines).toEqual([]);
  });

  it('logs at most maxLines a window and sums up the rest when the window ends', () => {
    let now = 0;
    const { log, lines } = recorder();
    const writeLog = new WriteLog({ log, maxLines: 2, windowMs: 10_000, now: () => now });
    for (let i = 0; i < 5; i++) {
      writeLog.report(`ns/svc-${i}`, tally(['us', 'endpointslices', 'apply']));
    }
    expect(lines).toHaveLength(2);
    now = 10_000;
    writeLog.flush();
    expect(lines[2]).toMatch(/^INFO wrote 3 more objects in 3 more reconciles of 3 services in the last 10s/);
    writeLog.report('ns/svc-9', tally(['us', 'endpointslices', 'apply']));
    expect(lines[3]).toMatch(/^INFO wrote ns\/svc-9/);
  });
});

describe('warnings about an unreachable cluster', () => {
  it('are logged once when the cluster goes, held back while it stays gone, with one reminder a minute', () => {
    let now = 0;
    const { log, lines } = recorder();
    const warnings = new ClusterWarnings({ log, reminderMs: 60_000, now: () => now });
    for (; now < 100_000; now += 50) {
      warnings.warn('eu', 'watch failed; retrying with backoff', { error: `list ${now % 7}: ECONNREFUSED` });
      warnings.tick(() => false);
    }
    expect(lines.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(['WARN watch failed;', 'WARN still failing:']);
    expect(lines[0]).toContain('further warnings about eu are held back until it works again');
    expect(lines[1]).toMatch(/"since":"60s ago","heldBackWarnings":1200/);
  });

  it('say so when the cluster works again, and warn at once the next time it fails', () => {
    let now = 0;
    const { log, lines } = recorder();
    const warnings = new ClusterWarnings({ log, quietMs: 5_000, now: () => now });
    warnings.warn('eu', 'watch failed', {});
    now = 3_000;
    warnings.tick(() => true);
    expect(warnings.inTrouble('eu')).toBe(true);
    now = 8_000;
    warnings.tick(() => true);
    expect(lines[1]).toBe('INFO cluster works again {"cluster":"eu","after":"8s","heldBackWarnings":0}');
    warnings.warn('eu', 'watch failed', {});
    expect(lines).toHaveLength(3);
  });

  it('are kept per cluster: one cluster\'s trouble does not hold back another\'s first warning', () => {
    const { log, lines } = recorder();
    const warnings = new ClusterWarnings({ log, now: () => 0 });
    warnings.warn('eu', 'watch failed', {});
    warnings.warn('us', 'liveness lease', {});
    warnings.warn('eu', 'watch failed', {});
    expect(lines.map((l) => JSON.parse(l.slice(l.indexOf('{'))).cluster)).toEqual(['eu', 'us']);
  });
});
