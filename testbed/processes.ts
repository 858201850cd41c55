/**
 * The bed's processes: liveness by pid (guarding against pid reuse), detached spawning (each
 * component leads its own process group), stopping a process group, log tails; and, for the demo
 * and the benchmarks, a free local port and stopping a child process.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { ComponentState } from './state';

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const st = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return st !== 'Z' && st !== 'X';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** Alive and still running the recorded binary (guards against pid reuse after a crash/reboot). */
export function componentAlive(c: ComponentState): boolean {
  if (!c.pid || !pidAlive(c.pid)) return false;
  try {
    const argv0 = fs.readFileSync(`/proc/${c.pid}/cmdline`, 'utf8').split('\0')[0];
    return argv0 === c.binary || path.basename(argv0) === path.basename(c.binary);
  } catch {
    return true;
  }
}

function signalGroup(pid: number, sig: NodeJS.Signals) {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  }
}

/** Stops a process group: SIGTERM (or the given signal), then SIGKILL after graceMs. */
export async function killProcess(pid: number, signal: NodeJS.Signals = 'SIGTERM', graceMs = 8000): Promise<void> {
  signalGroup(pid, signal);
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) {
      signalGroup(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
      if (Date.now() > deadline + 5000) throw new Error(`pid ${pid} survived SIGKILL`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function spawnDetached(c: ComponentState, cwd: string): number {
  if (!fs.existsSync(c.binary)) throw new Error(`binary ${c.binary} is missing (run \`npm run testbed -- build\`)`);
  fs.mkdirSync(path.dirname(c.log), { recursive: true });
  const fd = fs.openSync(c.log, 'a');
  fs.writeSync(fd, `\n===== ${new Date().toISOString()} ${c.binary} ${c.args.join(' ')}\n`);
  try {
    const child = spawn(c.binary, c.args, { cwd, env: c.env, detached: true, stdio: ['ignore', fd, fd] });
    child.on('error', () => undefined);
    child.unref();
    if (!child.pid) throw new Error(`could not start ${c.binary}`);
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

export function logTail(file: string, lines = 25): string {
  try {
    const all = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Stops a child process: SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
export function stopChildProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
