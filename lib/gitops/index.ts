/**
 * GitOps layouts of the synth output: pure functions of the fleet model and the objects of each
 * cluster. The output step (lib/constructs/output.ts) serializes what they return.
 */
import { manifestFileName, ManifestObject } from '../fleet/apply-order';
import { GitOps, FleetModel } from '../fleet/model';
import { argoCdClusterDocuments, argoCdDocuments, argoCdObjectDocument } from './argocd';
import { ClusterManifests, flatPayload, OutputDocument } from './documents';
import { fluxClusterDocuments, fluxDocuments, fluxObjectDocument } from './flux';

export type { ClusterManifests, OutputDocument } from './documents';
export { ARGOCD_FOLDER, ARGOCD_SYNC_OPTIONS, ARGOCD_SYNC_WAVE, applicationName } from './argocd';
export { FLUX_CLUSTERS_FOLDER, FLUX_PRUNE, fluxKustomizationName, KUSTOMIZATION_FILE } from './flux';
export { STAGES, stageOf } from './stages';
export type { Stage } from './stages';
export { keptOnPrune } from './prune-policy';

/** Top-level folders of the output that GitOps layouts may use, so no cluster ID may take them. */
export const RESERVED_OUTPUT_FOLDERS: readonly string[] = ['argocd', 'clusters'];

/** Every cluster's objects placed (and annotated) for the fleet's GitOps tool, plus that tool's own files. */
export function renderGitOps(model: FleetModel, clusters: readonly ClusterManifests[]): OutputDocument[] {
  const gitops = model.gitops;
  switch (gitops?.tool ?? GitOps.NONE) {
    case GitOps.ARGOCD:
      return argoCdDocuments(model, gitops!, clusters);
    case GitOps.FLUX:
      return fluxDocuments(model, gitops!, clusters);
    case GitOps.NONE:
      return clusters.flatMap((c) => flatPayload(c));
    default:
      throw new Error(`unknown GitOps tool ${JSON.stringify(gitops?.tool)}; expected one of ${Object.values(GitOps).join(', ')}`);
  }
}

/**
 * One object of a cluster as the fleet's GitOps tool wants it (its path and, for Argo CD and Flux,
 * its annotations): `renderGitOps` one object at a time, so a large fleet is written as it renders.
 */
export function placeObject(model: FleetModel, clusterId: string, obj: ManifestObject): OutputDocument {
  switch (model.gitops?.tool ?? GitOps.NONE) {
    case GitOps.ARGOCD:
      return argoCdObjectDocument(clusterId, obj);
    case GitOps.FLUX:
      return fluxObjectDocument(clusterId, obj);
    default:
      return { path: `${clusterId}/${manifestFileName(obj)}`, document: obj };
  }
}

/**
 * The files a cluster gets beside its objects (the Argo CD Application; Flux's kustomization.yaml
 * files and Kustomizations). `objects` may be skeletons: only kind, name, namespace and the
 * apply-phase annotation are read.
 */
export function clusterToolDocuments(model: FleetModel, cluster: ClusterManifests): OutputDocument[] {
  const gitops = model.gitops;
  switch (gitops?.tool ?? GitOps.NONE) {
    case GitOps.ARGOCD:
      return argoCdClusterDocuments(model, gitops!, cluster.clusterId);
    case GitOps.FLUX:
      return fluxClusterDocuments(model, gitops!, cluster);
    default:
      return [];
  }
}
