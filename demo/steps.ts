/** The steps of `npm run demo`, each a small function over the test bed and the project's own CLI. */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main as cli } from '../lib/cli';
import { freePort, stopChildProcess } from '../testbed/processes';
import { COREDNS_CONFIGMAP, COREDNS_NAMESPACE } from '../lib/fleet/coredns-objects';
import { readClusterManifests } from '../lib/runner/apply/manifests';
import { localCorefileFor } from '../testbed/coredns-configmap';
import { FleetManifest } from '../lib/fleet/manifest';
import { adminClient, BedState, clusterOf, readState, REPO_ROOT, requireState, waitFor } from '../testbed/harness';
import { FleetMdName } from './fleet-md-names';
import { expectedIps, resolve, ResolvedName } from './names';

export type Say = (line: string) => void;

/** `npx ts-node main.ts` with CDK8S_OUTDIR: exactly what `npm run synth` runs. */
export function synthesize(outdir: string): void {
  const tsNode = path.join(REPO_ROOT, 'node_modules', '.bin', 'ts-node');
  execFileSync(tsNode, ['main.ts'], { cwd: REPO_ROOT, env: { ...process.env, CDK8S_OUTDIR: outdir }, stdio: ['ignore', 'inherit', 'inherit'] });
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
  try {
    // ts-node compiles the CLI first in a checkout: a minute and more on a busy 2-core machine
    await waitFor('the runner\'s /readyz', async () => {
      if (exited) {
        throw new Error(`cdk8s-mcs sync ${exited}; its log: ${o.logFile}`);
      }
      return fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    }, { timeoutMs: 180_000, intervalMs: 250, fatal: () => exited !== undefined });
  } catch (e) {
    await stopChildProcess(child); // the caller never gets it to stop
    throw e;
  }
  return child;
}

/** Stops the runner (SIGTERM, then SIGKILL). */
export const stopProcess = stopChildProcess;

/** The clusters whose dist folder changes kube-system/coredns. */
export function clustersChangingCoreDns(dist: string, clusterIds: readonly string[]): string[] {
  return clusterIds.filter((id) => readClusterManifests(dist, id).some((m) => m.object.kind === 'ConfigMap' && m.object.metadata.name === COREDNS_CONFIGMAP && m.object.metadata.namespace === COREDNS_NAMESPACE));
}

/**
 * `--coredns-ready-url` for apply: the bed's CoreDNS ready endpoint of every cluster whose dist
 * folder changes kube-system/coredns, so apply waits for the CoreDNS that runs the change (and
 * rolls it back if that never gets ready). Undefined when no cluster changes it.
 */
export function coreDnsReadyUrls(dist: string, bed: BedState): string | undefined {
  const changed = new Set(clustersChangingCoreDns(dist, bed.clusters.map((c) => c.id)));
  const urls = bed.clusters.filter((c) => changed.has(c.id)).map((c) => `${c.id}=http://127.0.0.1:${c.ports.corednsReady}/ready`);
  return urls.length > 0 ? urls.join(',') : undefined;
}

/**
 * Waits until the bed's CoreDNS of each cluster runs its live kube-system/coredns Corefile (the
 * follower restarts it within about a second of a change); returns the clusters that have one.
 */
export async function coreDnsRunningConfigMap(clusterIds: readonly string[]): Promise<string[]> {
  const running: string[] = [];
  for (const id of clusterIds) {
    const kube = adminClient(id);
    try {
      const corefile = (await kube.tryGet('v1', 'ConfigMap', COREDNS_CONFIGMAP, COREDNS_NAMESPACE))?.data?.Corefile as string | undefined;
      if (corefile === undefined) {
        continue;
      }
      const c = clusterOf(requireState(), id);
      await waitFor(`${id}: CoreDNS running the applied kube-system/coredns`, () => fs.readFileSync(c.coredns.corefile, 'utf8') === localCorefileFor(c, corefile), { timeoutMs: 30_000, intervalMs: 250 });
      running.push(id);
    } finally {
      kube.close();
    }
  }
  return running;
}

/** Every name asked of its consumer's CoreDNS once its pods run; waits up to a minute for all to answer their pod IPs. */
export async function resolveAll(fleet: FleetManifest, names: readonly FleetMdName[], say: Say): Promise<ResolvedName[]> {
  const clients = new Map(fleet.clusters.map((c) => [c.id, adminClient(c.id)]));
  const address = (consumer: string) => clusterOf(readState()!, consumer).coredns.address;
  const resolveEach = async () => Promise.all((await expectedIps(names, clients)).map((n) => resolve(address(n.consumer), n)));
  try {
    await waitFor('every pod fleet.md names running with an IP', async () => (await expectedIps(names, clients)).every((n) => n.ips.length > 0), { timeoutMs: 180_000, intervalMs: 500 }).catch((e) => say(`  ${(e as Error).message}`));
    return await waitFor('every name answering its pod IP', async () => {
      const rows = await resolveEach();
      return rows.every((r) => r.ok) ? rows : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 }).catch(resolveEach);
  } finally {
    clients.forEach((c) => c.close());
  }
}
