/** `apply` across a fleet: every cluster in parallel, each isolated, so one failing cluster never stops the others. */
import { messageOf } from '../../kube/errors';
import { applyCluster, ApplyClient, ClusterApplyOptions } from './cluster-apply';
import { readClusterManifests } from './manifests';
import { ClusterReport } from './report';

export interface FleetApplyOptions extends Omit<ClusterApplyOptions, 'client' | 'manifests' | 'corefile' | 'rollout'> {
  /** The synth output: `<dist>/<cluster-id>/*.yaml`. */
  readonly dist: string;
  /** One client per cluster to apply, by cluster ID. */
  readonly clients: ReadonlyMap<string, ApplyClient>;
  /** Per cluster: what it declares about CoreDNS (fleet.json) and whether to overwrite live Corefile lines. */
  readonly corefileFor?: (clusterId: string) => ClusterApplyOptions['corefile'];
  /** Per cluster: how to watch CoreDNS after a configuration change (undefined: not watched). */
  readonly rolloutFor?: (clusterId: string, client: ApplyClient) => ClusterApplyOptions['rollout'];
}

/** One report per cluster, in the order of `clients`. */
export async function applyFleet(o: FleetApplyOptions): Promise<ClusterReport[]> {
  return Promise.all([...o.clients].map(async ([clusterId, client]) => {
    const started = Date.now();
    try {
      const manifests = readClusterManifests(o.dist, clusterId);
      return await applyCluster({ ...o, client, manifests, corefile: o.corefileFor?.(clusterId), rollout: o.dryRun ? undefined : o.rolloutFor?.(clusterId, client) });
    } catch (e) {
      return { clusterId, dryRun: o.dryRun ?? false, outcomes: [], error: messageOf(e), durationMs: Date.now() - started, requests: 0, writes: 0 };
    }
  }));
}
