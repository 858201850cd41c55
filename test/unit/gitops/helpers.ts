import * as YAML from 'yaml';
import { ClusterProps, FleetOutput, FleetProps, GitOps, SyncRunner } from '../../../lib';
import { referenceFleet } from '../support/fleet';

/** The reference fleet (main.ts) rendered for a GitOps tool. */
export function renderReference(gitops: GitOps, extra: Partial<FleetProps> = {}, cluster2Props: ClusterProps = {}): FleetOutput {
  const { fleet, cluster2 } = referenceFleet({ fleetProps: { gitops, gitRepoUrl: 'https://git.example.com/platform/fleet.git', ...extra }, cluster2Props });
  new SyncRunner(fleet, 'runner', { hostCluster: cluster2 });
  return fleet.render();
}

/** Parsed documents of every output file under `prefix`, by path. */
export function docsUnder(output: FleetOutput, prefix: string): Map<string, any> {
  return new Map([...output.files].filter(([f]) => f.startsWith(prefix) && /\.ya?ml$/.test(f)).map(([f, t]) => [f, YAML.parse(t)]));
}
