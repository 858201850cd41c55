/**
 * `npm run demo` end to end, as a user runs it: its own bed (next to the suite's), the reference
 * scenario resolved from cluster-2, and nothing left running afterwards. Holds the e2e lock (via
 * the support import) so that its two extra clusters do not compete with a timing-sensitive test.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { processesMentioning } from './support/processes';
import './support/testbed';

const REPO = path.join(__dirname, '..', '..');

describe('npm run demo', () => {
  it('resolves every name of the reference scenario in cluster-2 to its pod in cluster-1, and leaves nothing running', () => {
    const demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-demo-'));
    const r = spawnSync(path.join(REPO, 'node_modules', '.bin', 'ts-node'), ['demo/run.ts'], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, DEMO_DIR: demoDir, DEMO_PORT_BASE: '27700', TESTBED_STATE: '' },
      timeout: 280_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    expect({ status: r.status, out }).toEqual({ status: 0, out: expect.stringContaining('all 4 names resolve to the pod they name') });
    const rows = out.split('\n').filter((l) => /^mysql-\d\./.test(l));
    expect(rows.map((l) => l.split(/\s+/)[0]).sort()).toEqual([
      'mysql-0.amcs-mysql.provider-ns.svc.cluster.local',
      'mysql-0.cluster-1.mysql.provider-ns.svc.clusterset.local',
      'mysql-1.amcs-mysql.provider-ns.svc.cluster.local',
      'mysql-1.cluster-1.mysql.provider-ns.svc.clusterset.local',
    ]);
    for (const row of rows) {
      const [, answer, , , podIp, verdict] = row.split(/\s+/);
      expect({ row, answer, verdict }).toEqual({ row, answer: podIp, verdict: 'ok' });
    }
    expect(processesMentioning(demoDir)).toEqual([]);
    expect(fs.existsSync(path.join(demoDir, 'state.json'))).toBe(false);
    fs.rmSync(demoDir, { recursive: true, force: true });
  }, 300_000);
});
