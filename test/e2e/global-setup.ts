/**
 * jest globalSetup (e2e project): builds the test bed if needed (progress on stderr), cleans up a
 * stale bed left by a crashed run, starts the bed once for the whole `npm test` run and tells the
 * test workers where it is (TESTBED_STATE, TESTBED_KUBECONFIG, COREDNS_<ID>).
 *
 * TESTBED_REUSE=1 reuses a bed started by hand (`npm run testbed -- up`) and leaves it running.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ensureBuilt } from '../../testbed/build';
import { contractLines, down, ownerIsOtherLiveJest, readState, REPO_ROOT, statePath, status, up } from '../../testbed/harness';

const log = (l: string) => process.stderr.write(`[testbed] ${l}\n`);

function exportEnv() {
  const s = readState();
  if (!s) return;
  process.env.TESTBED_STATE = statePath();
  process.env.TESTBED_KUBECONFIG = s.kubeconfig;
  for (const line of contractLines(s).slice(1)) {
    const [k, v] = line.split('=');
    process.env[k] = v;
  }
}

export default async function globalSetup(): Promise<void> {
  process.stderr.write('\n');
  const existing = readState();
  if (existing && process.env.TESTBED_REUSE === '1') {
    const st = await status();
    if (st.running) {
      log(`TESTBED_REUSE=1: reusing the running bed (${existing.clusters.map((c) => c.id).join(', ')}); it stays up after the tests`);
      process.env.TESTBED_REUSED = '1';
      exportEnv();
      return;
    }
  }
  if (existing && ownerIsOtherLiveJest(existing.owner)) {
    // Another jest run in this work tree owns the bed right now: never pull it from under it.
    log(`another test run (jest pid ${existing.owner.pid}) is using the bed in ${path.dirname(statePath())}; waiting for it to finish (or set TESTBED_DIR and TESTBED_PORT_BASE for a second bed)`);
    const deadline = Date.now() + 60 * 60 * 1000;
    for (;;) {
      const cur = readState();
      if (!cur || !ownerIsOtherLiveJest(cur.owner)) break;
      if (Date.now() > deadline) throw new Error(`the bed is still owned by jest pid ${cur.owner.pid} after an hour`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  const stale = readState();
  if (stale) {
    log(`stopping a bed left by an earlier run (owner ${stale.owner.kind} pid ${stale.owner.pid})`);
    await down({ log });
  }

  const t0 = Date.now();
  const build = await ensureBuilt();
  const buildSeconds = (Date.now() - t0) / 1000;
  log(`build: ${buildSeconds.toFixed(1)}s${Object.keys(build.timings).length ? ' (built: ' + Object.entries(build.timings).map(([k, v]) => `${k} ${v.toFixed(0)}s`).join(', ') + ')' : ' (cached)'}`);

  // The watchdog stops the bed if this jest process dies without running globalTeardown (Ctrl-C, crash).
  const wd = spawn(process.execPath, [path.join(REPO_ROOT, 'testbed', 'watchdog.js'), String(process.pid), statePath()], { detached: true, stdio: 'ignore' });
  wd.unref();

  const s = await up({ owner: 'jest', ownerPid: process.pid, watchdogPid: wd.pid, noBuild: true });
  log(`up: ${(s.upSeconds ?? 0).toFixed(1)}s; ${contractLines(s).join(' ')}`);
  exportEnv();
  process.env.TESTBED_SETUP_DONE_AT = String(Date.now());
}
