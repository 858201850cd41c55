/** Child processes of a benchmark: one-shot measurements (JSON on stdout) and long-running ones (the runner). */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { processMemory } from './machine';

export interface OneShot<T> {
  /** The JSON object the child printed as its last stdout line. */
  readonly result: T;
  /** Spawn to exit, including Node's start and module loading. */
  readonly processWallMs: number;
}

/** Runs `node script args...`, resolves with the last stdout line parsed as JSON; rejects with stderr on failure. */
export function runNodeJson<T>(script: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<OneShot<T>> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const processWallMs = performance.now() - started;
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) {
        reject(new Error(`${script} exited with ${signal ?? code}: ${stderr.trim().slice(-2000)}`));
        return;
      }
      try {
        resolve({ result: JSON.parse(last) as T, processWallMs });
      } catch {
        reject(new Error(`${script} printed no JSON result; stdout: ${stdout.slice(-500)}; stderr: ${stderr.slice(-500)}`));
      }
    });
  });
}

/** Samples a process's resident memory every `intervalMs`: `peak()` is the kernel's high-water mark (VmHWM) as last read. */
export function sampleMemory(pid: number, intervalMs = 250): { peak(): number; stop(): number } {
  let peak = 0;
  const take = () => {
    const m = processMemory(pid);
    if (m) {
      peak = Math.max(peak, m.peakRssBytes, m.rssBytes);
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  timer.unref();
  return {
    peak() {
      take();
      return peak;
    },
    stop() {
      take();
      clearInterval(timer);
      return peak;
    },
  };
}

/** Removes a directory tree outside any timed section, then waits for the file system to settle (ext4 with discard deletes slowly in the background). */
export async function removeAndSettle(dir: string, settleMs = 2000): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  await new Promise((r) => setTimeout(r, settleMs));
}
