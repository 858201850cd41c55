/**
 * Maps each dist object to the API resource that serves it (plural, scope), from discovery, or
 * from a CustomResourceDefinition in the same dist when the cluster does not serve it yet.
 */
import { ManifestObject } from '../../fleet/apply-order';
import { apiVersionOf, ResourceType } from '../../kube/resources';
import { ManifestFile } from './manifests';
import { describeRef, refOf } from './object-ref';
import { withOwnershipLabels } from './ownership';
import { DesiredObject } from './plan';

export interface TypedObject extends DesiredObject {
  readonly type: ResourceType;
  /** Served by a CRD of this dist that the cluster does not serve yet: resolved again after the CRD phase. */
  readonly awaitsCrd: boolean;
}

export interface TypeLookup {
  resolve(apiVersion: string, kind: string): ResourceType | undefined;
  kindsOf(apiVersion: string): string[];
}

/** Types every object, adds our ownership labels, drops `metadata.namespace` from cluster-scoped ones; throws listing every unknown kind. */
export function resolveDesired(manifests: readonly ManifestFile[], lookup: TypeLookup, inventory: string): TypedObject[] {
  const fromCrds = crdProvidedTypes(manifests.map((m) => m.object));
  const problems: string[] = [];
  const typed: TypedObject[] = [];
  for (const m of manifests) {
    const served = lookup.resolve(m.object.apiVersion, m.object.kind);
    const type = served ?? fromCrds.find((t) => apiVersionOf(t) === m.object.apiVersion && t.kind === m.object.kind);
    if (!type) {
      problems.push(unknownKindProblem(m, lookup));
      continue;
    }
    if (type.namespaced && !m.object.metadata.namespace) {
      problems.push(`${m.file}: ${describeRef(refOf(m.object))} is namespaced (${type.plural}) but sets no metadata.namespace`);
      continue;
    }
    const object = withOwnershipLabels(type.namespaced ? m.object : clusterScoped(m.object), inventory);
    typed.push({ file: m.file, object, phase: m.phase, type, awaitsCrd: served === undefined });
  }
  if (problems.length > 0) {
    throw new Error(`${problems.length} object${problems.length === 1 ? '' : 's'} cannot be mapped to an API resource:\n  ${problems.join('\n  ')}`);
  }
  return typed;
}

/** The resource a CRD object defines, in each served version. */
export function crdProvidedTypes(objects: readonly ManifestObject[]): ResourceType[] {
  return objects.filter((o) => o.kind === 'CustomResourceDefinition' && o.apiVersion.startsWith('apiextensions.k8s.io/')).flatMap((crd) => {
    const spec = crd.spec as { group?: string; scope?: string; names?: { kind?: string; plural?: string }; versions?: { name: string; served?: boolean }[] } | undefined;
    if (!spec?.group || !spec.names?.kind || !spec.names.plural) {
      return [];
    }
    const { group, names } = spec as { group: string; names: { kind: string; plural: string } };
    return (spec.versions ?? []).filter((v) => v.served !== false).map((v) => ({ group, version: v.name, kind: names.kind, plural: names.plural, namespaced: spec.scope !== 'Cluster' }));
  });
}

function unknownKindProblem(m: ManifestFile, lookup: TypeLookup): string {
  const kinds = lookup.kindsOf(m.object.apiVersion);
  const served = kinds.length > 0 ? `served kinds in ${m.object.apiVersion}: ${kinds.slice(0, 12).join(', ')}${kinds.length > 12 ? ', ...' : ''}` : `${m.object.apiVersion} is not served at all`;
  return `${m.file}: kind "${m.object.kind}" of apiVersion "${m.object.apiVersion}" is not served by the API server (${served}); is its CustomResourceDefinition installed, or in dist?`;
}

function clusterScoped(obj: ManifestObject): ManifestObject {
  if (obj.metadata.namespace === undefined) {
    return obj;
  }
  // The API server ignores a namespace on cluster-scoped objects; keeping it would make every comparison differ.
  const { namespace, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

