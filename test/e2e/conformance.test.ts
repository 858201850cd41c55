/**
 * The official MCS conformance suite against cdk8s-mcs, exactly as `npm run conformance` runs it:
 * a private two-cluster bed next to the suite's, the runner as its own process with its
 * least-privilege kubeconfig, the suite's 16 API tests and 6 DNS tests (nslookup through exec into
 * its pods). All 22 must pass; the 5 tests of its Connectivity group need a data plane the bed does
 * not have and must be reported skipped with that reason. Holds the e2e lock (via the support
 * import) so that its two extra clusters do not compete with a timing-sensitive test.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { processesMentioning } from './support/processes';
import './support/testbed';

const REPO = path.join(__dirname, '..', '..');
const TIMEOUT_MS = 20 * 60_000;

interface ResultsJson {
  counts: { passed: number; failed: number; skipped: number; total: number };
  setupFailures: string[];
  tests: { text: string; labels: string[]; result: 'passed' | 'failed' | 'skipped'; reason?: string }[];
}

/** Runs `npm run conformance`'s script to its end; resolves with its exit code and output. */
function runConformance(env: NodeJS.ProcessEnv, log: string): { child: ChildProcess; done: Promise<{ code: number | null; out: string }> } {
  const child = spawn(path.join(REPO, 'node_modules', '.bin', 'ts-node'), ['--transpile-only', 'scripts/conformance/run.ts'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const collect = (b: Buffer) => {
    out += b.toString();
    fs.appendFileSync(log, b);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return { child, done: new Promise((resolve) => child.once('close', (code) => resolve({ code, out }))) };
}

describe('the MCS conformance suite (npm run conformance)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-conformance-'));
  let running: ChildProcess | undefined;

  afterAll(async () => {
    // A timed-out run is interrupted like Ctrl-C: it stops its runner and bed itself.
    if (running && running.exitCode === null) {
      running.kill('SIGINT');
      await new Promise((r) => running!.once('close', r));
    }
  });

  it('passes all 22 tests the bed can run, reports the 5 Connectivity tests skipped with the reason, and leaves nothing running', async () => {
    const out = path.join(work, 'out');
    const { child, done } = runConformance({ ...process.env, CONFORMANCE_DIR: path.join(work, 'bed'), CONFORMANCE_PORT_BASE: '29300', CONFORMANCE_OUT: out, TESTBED_STATE: '' }, path.join(work, 'run.log'));
    running = child;
    const { code, out: output } = await done;
    const lastLine = output.trimEnd().split('\n').pop();
    if (!fs.existsSync(path.join(out, 'results.json'))) {
      throw new Error(`npm run conformance wrote no results (exit ${code}); its output ends:\n${output.trimEnd().split('\n').slice(-30).join('\n')}`);
    }
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as ResultsJson;

    // Every failure with its message, so a red run says what failed without opening the log.
    expect(results.tests.filter((t) => t.result === 'failed').map((t) => `${t.text}: ${t.reason}`)).toEqual([]);
    expect(results.setupFailures).toEqual([]);
    const ran = results.tests.filter((t) => t.result !== 'skipped');
    expect(ran.map((t) => t.result)).toEqual(Array(22).fill('passed'));
    expect(ran.filter((t) => t.labels.includes('DNS'))).toHaveLength(6);
    const skipped = results.tests.filter((t) => t.result === 'skipped');
    expect(skipped.map((t) => t.text.split(' should ')[0]).sort()).toEqual([
      'Connectivity to a ClusterIP service existing in two clusters but exported from one',
      'Connectivity to a service that is not exported',
      'Connectivity to an exported ClusterIP service',
      'Connectivity to exported services with different port name on each cluster',
      'Connectivity to exported services with same port name but different port numbers on each cluster',
    ]);
    skipped.forEach((t) => expect({ text: t.text, reason: t.reason }).toEqual({ text: t.text, reason: expect.stringMatching(/^needs a data plane/) }));

    const report = YAML.parse(fs.readFileSync(path.join(out, 'report.yaml'), 'utf8')) as { passed: number; total: number };
    expect({ passed: report.passed, total: report.total }).toEqual({ passed: 22, total: 27 });
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
    expect({ code, lastLine }).toEqual({ code: 0, lastLine: 'conformance: 22 passed, 0 failed, 5 skipped of 27' });

    expect(processesMentioning(work)).toEqual([]);
    expect(fs.existsSync(path.join(work, 'bed', 'state.json'))).toBe(false);
    fs.rmSync(work, { recursive: true, force: true });
  }, TIMEOUT_MS);
});
