/**
 * The fleet the conformance run deploys: nothing of its own to export (the suite creates and
 * exports its services), only what an MCS implementation brings to every cluster. That is the
 * runner's least-privilege RBAC (SyncRunner) and CoreDNS answering clusterset.local with the
 * serviceimports RBAC it needs (enableClustersetDns), both exactly as the compiler emits them.
 */
import { Fleet } from '../../lib/constructs/fleet';
import { SyncRunner } from '../../lib/constructs/sync-runner';
import { VERSIONS } from '../../testbed/versions';

/** Synthesizes the conformance fleet for `clusterIds` into `dist` (replaced). */
export function synthConformanceFleet(dist: string, clusterIds: readonly string[]): void {
  const fleet = new Fleet({ name: 'conformance', outdir: dist });
  const clusters = clusterIds.map((id) => fleet.addCluster(id, { coreDnsVersion: VERSIONS.coredns }));
  for (const cluster of clusters) {
    cluster.enableClustersetDns();
  }
  // replicas 0: the bed has no container runtime, so `cdk8s-mcs sync` runs as a process on the host instead.
  new SyncRunner(fleet, 'runner', { hostCluster: clusters[clusters.length - 1], replicas: 0 });
  fleet.synth();
}
