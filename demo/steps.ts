/** The steps of `npm run demo`, each a small function over the test bed and the project's own CLI. */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main as cli } from '../lib/cli';
import { freePort, stopChildProcess } from '../testbed/processes';
import { adminClient, REPO_ROOT, waitFor } from '../testbed/harness';

export type Say = (line: string) => void;

/** `npx ts-node main.ts` with CDK8S_OUTDIR: exactly what `npm run synth` runs. */
export function synthesize(outdir: string): void {
  const tsNode = path.join(REPO_ROOT, 'node_modules', '.bin', 'ts-node');
  execFileSync(tsNode, ['main.ts'], { cwd: REPO_ROOT, env: { ...process.env, CDK8S_OUTDIR: outdir }, stdio: ['ignore', 'inherit', 'inherit'] });
}

/**
 * What the reference scenario expects to exist outside Git: the `standard` StorageClass (here
 * provisioned by kwok's fake volume controller) and the MySQL root password Secret.
 */
export async function prepareOutOfBand(provider: string, namespace: string): Promise<void> {
  const kube = adminClient(provider);
  try {
    await kube.apply({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard' }, provisioner: 'kwok.x-k8s.io/volume', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' }, { fieldManager: 'demo' });
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, { fieldManager: 'demo' });
    await kube.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mysecret', namespace }, stringData: { ROOT_PASSWORD: 'demo-only' } }, { fieldManager: 'demo' });
  } finally {
    kube.close();
  }
}

/**
 * Runs a `cdk8s-mcs` command in this process; its whole output goes to `logFile`, and the lines
 * `show` accepts are printed too. Throws on a non-zero exit.
 */
export async function cdk8sMcs(args: string[], o: { say: Say; logFile: string; show?: (line: string) => boolean }): Promise<void> {
  const show = o.show ?? (() => true);
  let pending = '';
  const write = (text: string) => {
    fs.appendFileSync(o.logFile, text);
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    lines.filter(show).forEach((l) => o.say(`  ${l}`));
  };
  const code = await cli(args, { stdout: write, stderr: write });
  if (pending && show(pending)) {
    o.say(`  ${pending}`);
  }
  if (code !== 0) {
    throw new Error(`cdk8s-mcs ${args[0]} exited with ${code} (log: ${o.logFile})`);
  }
}

/**
 * Starts `cdk8s-mcs sync` as its own process (as in production), logging to `logFile`; waits for
 * /readyz. `identity` names it in the leader Lease (default `demo`).
 */
export async function startRunner(o: { dist: string; kubeconfig: string; logFile: string; identity?: string }): Promise<ChildProcess> {
  const port = await freePort();
  const out = fs.openSync(o.logFile, 'a');
  const args = [path.join(REPO_ROOT, 'bin', 'cdk8s-mcs'), 'sync', '--dist', o.dist, '--kubeconfig', o.kubeconfig, '--metrics-port', String(port), '--identity', o.identity ?? 'demo'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });
  await waitFor('the runner\'s /readyz', async () => {
    if (exited) {
      throw new Error(`cdk8s-mcs sync ${exited}; its log: ${o.logFile}`);
    }
    return fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
  }, { timeoutMs: 60_000, intervalMs: 250, fatal: () => exited !== undefined });
  return child;
}

/** Stops the runner (SIGTERM, then SIGKILL). */
export const stopProcess = stopChildProcess;
