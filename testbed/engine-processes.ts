/**
 * The processes of a GitOps engine on the bed (Flux's controllers, Argo CD's Redis, repo server
 * and application controller): each started detached in its own process group with its log in
 * `dir`, guarded so it dies with its owner (Ctrl-C, a crashed test worker), and waited for in
 * order until it answers; `stop()` sends SIGTERM to every group, then SIGKILL after 10 s.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { waitFor } from './kube';
import { pidAlive } from './processes';

export interface EngineProcessSpec {
  name: string;
  binary: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** what ready means, for the wait's message */
  readyWhat: string;
  ready: () => Promise<boolean> | boolean;
}

export interface EngineProcess {
  name: string;
  pid: number;
  /** '' for a guard */
  log: string;
}

export interface EngineProcesses {
  readonly processes: EngineProcess[];
  stop(): Promise<void>;
}

/** True when `url` answers 200 within 2 s. */
export function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* gone */
  }
}

/** Starts each spec in order, waiting until it is ready before the next; stops them all if one fails. */
export async function startEngineProcesses(specs: readonly EngineProcessSpec[], o: { dir: string; ownerPid?: number; log: (line: string) => void }): Promise<EngineProcesses> {
  const processes: EngineProcess[] = [];
  const stop = async () => {
    for (const x of [...processes].reverse()) signalGroup(x.pid, 'SIGTERM');
    const deadline = Date.now() + 10000;
    while (processes.some((x) => pidAlive(x.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    for (const x of processes) signalGroup(x.pid, 'SIGKILL');
  };
  const owner = o.ownerPid ?? process.pid;
  try {
    for (const spec of specs) {
      const logFile = path.join(o.dir, `${spec.name}.log`);
      const fd = fs.openSync(logFile, 'a');
      const child = spawn(spec.binary, spec.args, { detached: true, cwd: o.dir, stdio: ['ignore', fd, fd], env: spec.env });
      fs.closeSync(fd);
      child.unref();
      if (!child.pid) throw new Error(`could not start ${spec.binary}`);
      const proc = { name: spec.name, pid: child.pid, log: logFile };
      processes.push(proc);
      const guard = spawn('sh', ['-c', `while kill -0 ${owner} 2>/dev/null; do sleep 2; done; kill -9 -${proc.pid} 2>/dev/null`], { detached: true, stdio: 'ignore' });
      guard.unref();
      if (guard.pid) processes.push({ name: `guard of ${spec.name}`, pid: guard.pid, log: '' });
      o.log(`${spec.name} started (pid ${proc.pid}, log ${logFile})`);
      await waitFor(`${spec.name} ready (${spec.readyWhat})`, async () => {
        if (!pidAlive(proc.pid)) throw new Error(`${spec.name} exited; log ${logFile}:\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`);
        return spec.ready();
      }, { timeoutMs: 90000, intervalMs: 500, fatal: () => true });
      o.log(`${spec.name} ready`);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { processes, stop };
}
