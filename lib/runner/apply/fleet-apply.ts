/** `apply` across a fleet: every cluster in parallel, each isolated, so one failing cluster never stops the others. */
import { messageOf } from '../../kube/errors';
import { applyCluster, ApplyClient, ClusterApplyOptions } from './cluster-apply';
import { readClusterManifests } from './manifests';
import { ClusterReport } from './report';

export interface FleetApplyOptions extends Omit<ClusterApplyOptions, 'client' | 'manifests'> {
  /** The synth output: `<dist>/<cluster-id>/*.yaml`. */
  readonly dist: string;
  /** One client per cluster to apply, by cluster ID. */
  readonly clients: ReadonlyMap<string, ApplyClient>;
}

/** One report per cluster, in the order of `clients`. */
export async function applyFleet(o: FleetApplyOptions): Promise<ClusterReport[]> {
  return Promise.all([...o.clients].map(async ([clusterId, client]) => {
    const started = Date.now();
    try {
      const manifests = readClusterManifests(o.dist, clusterId);
      return await applyCluster({ ...o, client, manifests });
    } catch (e) {
      return { clusterId, dryRun: o.dryRun ?? false, outcomes: [], error: messageOf(e), durationMs: Date.now() - started, requests: 0, writes: 0 };
    }
  }));
}
