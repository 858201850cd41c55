import { clusterById, FleetModel, Problem } from '../model';

/** Every volume claim template resolves to a storage class: its own, or its cluster's default. */
export function checkStorageClasses(model: FleetModel): Problem[] {
  return model.volumeClaims
    .filter((claim) => claim.storageClass === undefined && clusterById(model, claim.clusterId)?.storageClass === undefined)
    .map((claim) => ({
      path: claim.path,
      message:
        `volume claim template "${claim.claimName}" of "${claim.workload}" in cluster "${claim.clusterId}" has no storage class ` +
        `and the cluster sets no default. Fix: set storageClass on the cluster (addCluster("${claim.clusterId}", { storageClass: ... })) or on the volume claim`,
    }));
}
