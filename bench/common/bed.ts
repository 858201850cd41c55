/**
 * A benchmark's fleet on the test bed, set up the way a user runs it: synthesized with the
 * library, applied with `applyFleet` (what `cdk8s-mcs apply` runs), the consumers' CoreDNS running
 * the Corefile the compiler emitted (adapted to a local process: the bed's port and API server,
 * and without `forward`, `loop`, `cache`...; see testbed/adapt-corefile.ts), and the runner
 * authenticated as its own least-privilege ServiceAccount (`cdk8s-mcs kubeconfig`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Fleet } from '../../lib/constructs/fleet';
import { main as cli } from '../../lib/cli';
import { KubeClient } from '../../lib/kube/client';
import { clientForContext, loadKubeConfig } from '../../lib/kube/connect';
import { applyFleet } from '../../lib/runner/apply/fleet-apply';
import { ClusterReport, clusterFailed } from '../../lib/runner/apply/report';
import { clusterOf, requireState, restartCoreDns } from '../../testbed/harness';

/** The bed's cluster IDs, in bed order. */
export function bedClusterIds(): string[] {
  return requireState().clusters.map((c) => c.id);
}

export function coreDnsAddress(clusterId: string): string {
  return clusterOf(requireState(), clusterId).coredns.address;
}

/** lib/kube clients with the bed's admin identity, one per cluster. */
export function adminClients(clusterIds: readonly string[]): Map<string, KubeClient> {
  const kc = loadKubeConfig(requireState().kubeconfig);
  return new Map(clusterIds.map((id) => [id, clientForContext(kc, id, id)]));
}

/** Renders a fleet built by `build` into `dir` (replaced). */
export function synthFleet(dir: string, name: string, build: (fleet: Fleet) => void): string {
  const fleet = new Fleet({ name, outdir: dir });
  build(fleet);
  fleet.synth();
  return dir;
}

/** `cdk8s-mcs apply` of a dist with the admin identity; throws when a cluster failed. */
export async function applyDist(dist: string, clusterIds: readonly string[]): Promise<ClusterReport[]> {
  const clients = adminClients(clusterIds);
  try {
    const fleetName = (JSON.parse(fs.readFileSync(path.join(dist, 'fleet.json'), 'utf8')) as { name: string }).name;
    const reports = await applyFleet({ dist, clients, fleetName });
    const failed = reports.filter(clusterFailed);
    if (failed.length > 0) {
      throw new Error(`apply failed: ${failed.map((r) => `${r.clusterId}: ${r.error ?? r.outcomes.find((o) => o.outcome === 'failed')?.reason}`).join('; ')}`);
    }
    return reports;
  } finally {
    clients.forEach((c) => c.close());
  }
}

/** The runner's kubeconfig (its ServiceAccount's tokens in every cluster), as `cdk8s-mcs kubeconfig` writes it. */
export async function runnerKubeconfig(dist: string, out: string): Promise<string> {
  const output: string[] = [];
  const code = await cli(['kubeconfig', '--dist', dist, '--kubeconfig', requireState().kubeconfig, '--out', out, '--duration', '6h'], { stdout: (t) => output.push(t), stderr: (t) => output.push(t) });
  if (code !== 0) {
    throw new Error(`cdk8s-mcs kubeconfig failed: ${output.join('')}`);
  }
  return out;
}

/** The bed's own Corefile again (benchmarks leave the bed as they found it). */
export async function restoreDefaultCoreDns(clusterId: string): Promise<void> {
  await restartCoreDns(clusterId);
}

/** Deletes a namespace and waits until it is gone (bounded). */
export async function deleteNamespace(client: KubeClient, name: string, timeoutMs = 300_000): Promise<void> {
  await client.delete(`/api/v1/namespaces/${name}`).catch(() => false);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const gone = await client.get(`/api/v1/namespaces/${name}`).then(() => false, () => true);
    if (gone) {
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
