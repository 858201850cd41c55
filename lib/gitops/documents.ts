/**
 * The documents synth writes, placed: what every GitOps layout is made of. Pure data; the output
 * step serializes each document as YAML (or writes `text` as it is).
 */
import { manifestFileName, ManifestObject } from '../fleet/apply-order';
import { LABEL_APP_MANAGED_BY, LABEL_PART_OF, MANAGER } from '../fleet/names';

/** One cluster's objects, in apply order. */
export interface ClusterManifests {
  /** The cluster ID (its output folder). */
  readonly clusterId: string;
  /** Its objects in apply order. */
  readonly objects: readonly ManifestObject[];
}

/** A file of the output, by path relative to the output folder. */
export interface OutputDocument {
  /** Path relative to the output folder, e.g. `argocd/reference-cluster-1.yaml`. */
  readonly path: string;
  /** A Kubernetes object or a tool's config file, written as YAML. */
  readonly document: object;
}

/** `dist/<cluster-id>/<NN>-<kind>.<ns>.<name>.yaml` for every object: the layout without GitOps. */
export function flatPayload(cluster: ClusterManifests, decorate: (o: ManifestObject) => ManifestObject = (o) => o): OutputDocument[] {
  return cluster.objects.map((o) => ({ path: `${cluster.clusterId}/${manifestFileName(o)}`, document: decorate(o) }));
}

/** A copy of `obj` with these annotations added (keys sorted, as cdk8s writes them). */
export function withAnnotations(obj: ManifestObject, extra: Readonly<Record<string, string>>): ManifestObject {
  if (Object.keys(extra).length === 0) {
    return obj;
  }
  const merged: Record<string, string> = { ...(obj.metadata.annotations ?? {}), ...extra };
  const annotations = Object.fromEntries(Object.keys(merged).sort().map((k) => [k, merged[k]]));
  const metadata = Object.fromEntries(Object.entries({ ...obj.metadata, annotations }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { ...obj, metadata } as ManifestObject;
}

/** Labels of the objects cdk8s-mcs writes for the GitOps tool itself (Applications, Kustomizations). */
export function toolObjectLabels(fleetName: string): Record<string, string> {
  return { [LABEL_APP_MANAGED_BY]: MANAGER, [LABEL_PART_OF]: fleetName };
}

/** `dist`, `./dist/`, `deploy/dist` -> `dist`, `dist`, `deploy/dist`; `.` and `` -> ``. */
export function normalizeRepoPath(p: string): string {
  return p.replace(/^\.\/+/, '').replace(/\/+$/, '').replace(/^\.$/, '');
}

/** `dist` + `cluster-1` -> `dist/cluster-1`; the repository root + `cluster-1` -> `cluster-1`. */
export function repoPath(base: string, ...parts: string[]): string {
  return [normalizeRepoPath(base), ...parts].filter((p) => p !== '').join('/');
}
