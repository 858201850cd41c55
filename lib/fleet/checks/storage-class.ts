import { clusterById, FleetModel, Problem, VolumeClaimSpec } from '../model';

/**
 * Every volume claim template names a storage class (its own, or its cluster's default, which the
 * compiler fills in). Run on the rendered StatefulSets, after the other checks, so that what a
 * JSON patch does to `storageClassName` is what is checked.
 */
export function checkStorageClasses(model: FleetModel, claims: readonly VolumeClaimSpec[]): Problem[] {
  return claims
    .filter((claim) => claim.storageClass === undefined)
    .map((claim) => {
      const clusterDefault = clusterById(model, claim.clusterId)?.storageClass;
      const what = `volume claim template "${claim.claimName}" of "${claim.workload}" in cluster "${claim.clusterId}" has no storage class`;
      return {
        path: claim.path,
        message: clusterDefault === undefined
          ? `${what} and the cluster sets no default. Fix: set storageClass on the cluster (addCluster("${claim.clusterId}", { storageClass: ... })) or on the volume claim`
          : `${what} in the rendered StatefulSet, although the cluster's default is "${clusterDefault}": a JSON patch removed storageClassName. Fix: set it in the patch, or drop the patch`,
      };
    });
}
