/**
 * A test file's own bed, beside the one jest's globalSetup started: its clusters in a temp dir
 * (TESTBED_DIR) on its own ports (TESTBED_PORT_BASE; the same ports would clash), a watchdog that
 * stops them if jest dies, and `stop()` that puts the environment back. The GitOps engine tests use
 * it: an engine's CRDs and prune must not touch the shared bed.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { down, REPO_ROOT, statePath, up } from '../../../testbed/harness';

export interface PrivateBed {
  /** a temp dir for the file's state (the bed is in `<work>/bed`); removed by stop() */
  readonly work: string;
  stop(): Promise<void>;
}

export async function startPrivateBed(o: { prefix: string; portBase: number; clusters: readonly string[]; log: (line: string) => void }): Promise<PrivateBed> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), o.prefix));
  const names = ['TESTBED_DIR', 'TESTBED_STATE', 'TESTBED_PORT_BASE'] as const;
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  process.env.TESTBED_DIR = path.join(work, 'bed');
  process.env.TESTBED_STATE = '';
  process.env.TESTBED_PORT_BASE = String(o.portBase);
  const wd = spawn(process.execPath, [path.join(REPO_ROOT, 'testbed', 'watchdog.js'), String(process.pid), statePath()], { detached: true, stdio: 'ignore' });
  wd.unref();
  await up({ clusters: [...o.clusters], owner: 'jest', ownerPid: process.pid, watchdogPid: wd.pid, noBuild: true, log: o.log });
  return {
    work,
    async stop() {
      await down({ log: o.log }).catch(() => undefined);
      for (const n of names) {
        if (saved[n] === undefined) delete process.env[n];
        else process.env[n] = saved[n];
      }
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}
