/**
 * `npm run demo` end to end, as a user runs it: its own bed (next to the suite's), the reference
 * scenario resolved from cluster-2, and nothing left running afterwards. Holds the e2e lock (via
 * the support import) so that its two extra clusters do not compete with a timing-sensitive test.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fluxUnavailable } from '../../testbed/flux';
import { processesMentioning } from './support/processes';
import './support/testbed';

const REPO = path.join(__dirname, '..', '..');

/** Runs `npm run demo -- <args>` as a user would (ts-node demo/run.ts), in its own folder and ports. */
function runDemo(args: string[], portBase: string): { status: number | null; out: string; demoDir: string } {
  const demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-demo-'));
  const r = spawnSync(path.join(REPO, 'node_modules', '.bin', 'ts-node'), ['demo/run.ts', ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, DEMO_DIR: demoDir, DEMO_PORT_BASE: portBase, TESTBED_STATE: '' },
    timeout: 280_000,
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`, demoDir };
}

/** The rows of the demo's name tables ("[demo  42s]   mysql-0.amcs-mysql... 10.10.0.1 cluster-1: mysql-0 10.10.0.1 ok"), prefix dropped. */
function nameRows(out: string): string[] {
  return out.split('\n').map((l) => l.replace(/^\[demo\s+\d+s\]\s+/, '')).filter((l) => /^mysql-\d\.\S+ +\S+ +\S+: \S+ +\S+ +(ok|WRONG)$/.test(l));
}

function expectEachAnswersItsPod(rows: string[]): void {
  for (const row of rows) {
    const [, answer, , , podIp, verdict] = row.split(/\s+/);
    expect({ row, answer, verdict }).toEqual({ row, answer: podIp, verdict: 'ok' });
  }
}

describe('npm run demo', () => {
  it('resolves every name of the reference scenario in cluster-2 to its pod in cluster-1, and leaves nothing running', () => {
    const { status, out, demoDir } = runDemo([], '27700');
    expect({ status, out }).toEqual({ status: 0, out: expect.stringContaining('all 4 names resolve to the pod they name') });
    const rows = nameRows(out);
    expect(rows.map((l) => l.split(/\s+/)[0]).sort()).toEqual([
      'mysql-0.amcs-mysql.provider-ns.svc.cluster.local',
      'mysql-0.cluster-1.mysql.provider-ns.svc.clusterset.local',
      'mysql-1.amcs-mysql.provider-ns.svc.cluster.local',
      'mysql-1.cluster-1.mysql.provider-ns.svc.clusterset.local',
    ]);
    expectEachAnswersItsPod(rows);
    expect(processesMentioning(demoDir)).toEqual([]);
    expect(fs.existsSync(path.join(demoDir, 'state.json'))).toBe(false);
    fs.rmSync(demoDir, { recursive: true, force: true });
  }, 300_000);

  // Flux is built with the bed: a bed without it fails here too, unless skipping is asked for (as in flux.test.ts)
  const skipFlux = process.env.CDK8S_MCS_SKIP_FLUX === '1' && fluxUnavailable() !== undefined;
  (skipFlux ? it.skip : it)('--gitops flux: Flux applies the fleet from Git, then mysql-2 resolves after the scale-up commit and the import\'s removal is pruned', () => {
    const { status, out, demoDir } = runDemo(['--gitops', 'flux'], '22000');
    expect({ status, out }).toEqual({ status: 0, out: expect.stringContaining('every step checked out: Git -> Flux -> runner -> CoreDNS') });
    const rows = nameRows(out);
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual([
      'mysql-0.amcs-mysql.provider-ns.svc.cluster.local',
      'mysql-1.amcs-mysql.provider-ns.svc.cluster.local',
      'mysql-0.cluster-1.mysql.provider-ns.svc.clusterset.local',
      'mysql-1.cluster-1.mysql.provider-ns.svc.clusterset.local',
      'mysql-2.amcs-mysql.provider-ns.svc.cluster.local',
      'mysql-2.cluster-1.mysql.provider-ns.svc.clusterset.local',
    ]);
    expectEachAnswersItsPod(rows);
    for (const step of ['Flux pruned Service amcs-mysql from cluster-2', 'the runner deleted the amcs- EndpointSlices it derived', 'answers NXDOMAIN', 'still serves clusterset.local']) {
      expect(out).toContain(step);
    }
    expect(out).toMatch(/done in \d+s; nothing left running/);
    expect(processesMentioning(demoDir)).toEqual([]);
    expect(fs.existsSync(path.join(demoDir, 'state.json'))).toBe(false);
    fs.rmSync(demoDir, { recursive: true, force: true });
  }, 300_000);
});
