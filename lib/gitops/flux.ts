/**
 * Flux: each cluster folder is split into stage folders (`1-crds/`, `2-workloads/`, `3-dns/`),
 * each with a `kustomization.yaml` listing its files, because Flux orders only whole
 * Kustomizations (`dependsOn`). `dist/clusters/<cluster-id>/` holds one Flux Kustomization per
 * stage (prune, wait, and `kubeConfig.secretRef` for a cluster Flux reaches remotely) and a
 * `kustomization.yaml` listing them: point the cluster's Flux at that folder.
 *
 * Flux prunes only what its own inventory lists, so it never deletes the EndpointSlices and
 * ServiceImports the runner creates; status subresources are never part of what it applies.
 */
import { manifestFileName, ManifestObject, sortForApply } from '../fleet/apply-order';
import { ClusterSpec, FleetModel, GitOpsSpec } from '../fleet/model';
import { ClusterManifests, OutputDocument, repoPath, toolObjectLabels, withAnnotations } from './documents';
import { keptOnPrune } from './prune-policy';
import { groupByStage, Stage, stageOf } from './stages';

export const FLUX_PRUNE = 'kustomize.toolkit.fluxcd.io/prune';
/** Folder of the per-cluster Flux entry points: `dist/clusters/<cluster-id>/`. */
export const FLUX_CLUSTERS_FOLDER = 'clusters';
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

const KUSTOMIZE_API = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };

export function fluxDocuments(model: FleetModel, gitops: GitOpsSpec, clusters: readonly ClusterManifests[]): OutputDocument[] {
  return clusters.flatMap((c) => [...c.objects.map((o) => fluxObjectDocument(c.clusterId, o)), ...fluxClusterDocuments(model, gitops, c)]);
}

/** One object of a cluster, in its stage folder, with its prune policy: `dist/<cluster-id>/<stage>/<file>`. */
export function fluxObjectDocument(clusterId: string, obj: ManifestObject): OutputDocument {
  return { path: `${clusterId}/${stageOf(obj).folder}/${manifestFileName(obj)}`, document: withPrunePolicy(obj) };
}

/** `reference-cluster-1-crds` */
export function fluxKustomizationName(model: FleetModel, clusterId: string, stage: Stage): string {
  return `${model.name}-${clusterId}-${stage.name}`;
}

/**
 * A cluster's Flux files beside its objects: a `kustomization.yaml` per stage folder and one for
 * the cluster folder, and the Flux Kustomizations in `clusters/<cluster-id>/`. Only the kind, name,
 * namespace and apply-phase annotation of each object are read.
 */
export function fluxClusterDocuments(model: FleetModel, gitops: GitOpsSpec, cluster: ClusterManifests): OutputDocument[] {
  const groups = groupByStage(sortForApply(cluster.objects));
  const id = cluster.clusterId;
  const spec = model.clusters.find((c) => c.id === id);
  if (!spec) {
    throw new Error(`no cluster "${id}" in the fleet model (clusters: ${model.clusters.map((c) => c.id).join(', ')})`);
  }
  const docs: OutputDocument[] = [];
  for (const { stage, objects } of groups) {
    docs.push({ path: `${id}/${stage.folder}/${KUSTOMIZATION_FILE}`, document: { ...KUSTOMIZE_API, resources: objects.map((o) => manifestFileName(o)) } });
  }
  docs.push({ path: `${id}/${KUSTOMIZATION_FILE}`, document: { ...KUSTOMIZE_API, resources: groups.map((g) => g.stage.folder) } });
  const entry = groups.map((g, i) => ({
    path: `${FLUX_CLUSTERS_FOLDER}/${id}/${g.stage.name}.yaml`,
    document: fluxKustomization(model, gitops, { cluster: spec, stage: g.stage, after: groups[i - 1]?.stage }),
  }));
  const entryFiles = entry.map((e) => e.path.split('/').pop() as string);
  docs.push(...entry, { path: `${FLUX_CLUSTERS_FOLDER}/${id}/${KUSTOMIZATION_FILE}`, document: { ...KUSTOMIZE_API, resources: entryFiles } });
  return docs;
}

function withPrunePolicy(obj: ManifestObject): ManifestObject {
  return keptOnPrune(obj) ? withAnnotations(obj, { [FLUX_PRUNE]: 'disabled' }) : obj;
}

function fluxKustomization(model: FleetModel, gitops: GitOpsSpec, o: { cluster: ClusterSpec; stage: Stage; after?: Stage }): object {
  const spec: Record<string, unknown> = {
    interval: '10m',
    path: `./${repoPath(gitops.path, o.cluster.id, o.stage.folder)}`,
    prune: true,
    retryInterval: '1m',
    sourceRef: { kind: 'GitRepository', name: gitops.fluxSource },
    timeout: '5m',
    wait: true,
  };
  if (o.after) {
    spec.dependsOn = [{ name: fluxKustomizationName(model, o.cluster.id, o.after) }];
  }
  if (o.cluster.fluxKubeConfigSecret) {
    spec.kubeConfig = { secretRef: { name: o.cluster.fluxKubeConfigSecret } };
  }
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { labels: toolObjectLabels(model.name), name: fluxKustomizationName(model, o.cluster.id, o.stage), namespace: gitops.namespace },
    spec: Object.fromEntries(Object.entries(spec).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}
