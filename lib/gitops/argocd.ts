/**
 * Argo CD: one Application per cluster (`dist/argocd/<fleet>-<cluster-id>.yaml`) syncing
 * `dist/<cluster-id>/`, and a sync wave on every object so that Argo CD applies in the same order
 * as `cdk8s-mcs apply` (CRDs, namespaces, RBAC, ..., the CoreDNS change last).
 *
 * Argo CD never fights the runner: the EndpointSlices and the ServiceImports the runner creates
 * carry no Argo CD tracking (and EndpointSlices are in Argo CD's default `resource.exclusions`),
 * and the status the runner writes on exports and imports is ignored in the diff.
 */
import { applyPhase, manifestFileName, ManifestObject } from '../fleet/apply-order';
import { ClusterSpec, FleetModel, GitOpsSpec } from '../fleet/model';
import { SYNC_FIELD_MANAGER } from '../fleet/names';
import { ClusterManifests, flatPayload, OutputDocument, repoPath, toolObjectLabels, withAnnotations } from './documents';
import { keptOnPrune } from './prune-policy';

export const ARGOCD_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const ARGOCD_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
export const ARGOCD_COMPARE_OPTIONS = 'argocd.argoproj.io/compare-options';
/** Folder of the Applications, for an app-of-apps (or `kubectl apply -f`) in the Argo CD cluster. */
export const ARGOCD_FOLDER = 'argocd';

const MCS_GROUP = 'multicluster.x-k8s.io';

export function argoCdDocuments(model: FleetModel, gitops: GitOpsSpec, clusters: readonly ClusterManifests[]): OutputDocument[] {
  const payload = clusters.flatMap((c) => flatPayload(c, withSyncAnnotations));
  return [...payload, ...clusters.flatMap((c) => argoCdClusterDocuments(model, gitops, c.clusterId))];
}

/** One object of a cluster, with its sync wave: `dist/<cluster-id>/<file>`. */
export function argoCdObjectDocument(clusterId: string, obj: ManifestObject): OutputDocument {
  return { path: `${clusterId}/${manifestFileName(obj)}`, document: withSyncAnnotations(obj) };
}

/** The cluster's Application. */
export function argoCdClusterDocuments(model: FleetModel, gitops: GitOpsSpec, clusterId: string): OutputDocument[] {
  return [{ path: `${ARGOCD_FOLDER}/${applicationName(model, clusterId)}.yaml`, document: application(model, gitops, clusterOf(model, clusterId)) }];
}

/** `reference-cluster-1`: unique per fleet and cluster, so several fleets can share one Argo CD. */
export function applicationName(model: FleetModel, clusterId: string): string {
  return `${model.name}-${clusterId}`;
}

function withSyncAnnotations(obj: ManifestObject): ManifestObject {
  const extra: Record<string, string> = { [ARGOCD_SYNC_WAVE]: String(applyPhase(obj)) };
  if (keptOnPrune(obj)) {
    extra[ARGOCD_SYNC_OPTIONS] = 'Prune=false,Delete=false';
    // Once it leaves Git it stays in the cluster on purpose; without this the Application reads
    // OutOfSync for good (seen on the test bed when the import was removed, docs/gitops.md).
    extra[ARGOCD_COMPARE_OPTIONS] = 'IgnoreExtraneous';
  }
  return withAnnotations(obj, extra);
}

function application(model: FleetModel, gitops: GitOpsSpec, cluster: ClusterSpec): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      // Diff by a server-side dry run, as the sync applies (ServerSideApply=true). With Argo CD's
      // client-side diff, a StatefulSet with volumeClaimTemplates never reads Synced: the API
      // server adds apiVersion, kind, volumeMode and status to each claim template, and selfHeal
      // re-syncs it over and over (seen with argocd-application-controller v3.5.8 on the test bed,
      // docs/gitops.md "Argo CD for real").
      annotations: { [ARGOCD_COMPARE_OPTIONS]: 'ServerSideDiff=true' },
      labels: toolObjectLabels(model.name),
      name: applicationName(model, cluster.id),
      namespace: gitops.namespace,
    },
    spec: {
      destination: { name: cluster.argoCdCluster ?? cluster.id },
      ignoreDifferences: [
        // The runner owns the status of exports and imports (and nothing else of objects in Git).
        { group: MCS_GROUP, jsonPointers: ['/status'], kind: 'ServiceExport', managedFieldsManagers: [SYNC_FIELD_MANAGER] },
        { group: MCS_GROUP, jsonPointers: ['/status'], kind: 'ServiceImport', managedFieldsManagers: [SYNC_FIELD_MANAGER] },
      ],
      project: gitops.argoCdProject,
      source: { path: repoPath(gitops.path, cluster.id), repoURL: gitops.repoUrl, targetRevision: gitops.revision },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true', 'PruneLast=true'],
      },
    },
  };
}

function clusterOf(model: FleetModel, id: string): ClusterSpec {
  const found = model.clusters.find((c) => c.id === id);
  if (!found) {
    throw new Error(`no cluster "${id}" in the fleet model (clusters: ${model.clusters.map((c) => c.id).join(', ')})`);
  }
  return found;
}
