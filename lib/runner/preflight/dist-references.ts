/**
 * What a cluster's dist folder depends on that it does not create itself: StorageClasses named
 * by volume claims, Secrets named by workloads, and the CRDs and runner RBAC it brings. Pure.
 */
import { ManifestObject } from '../../fleet/apply-order';
import { describeRef, refOf } from '../apply/object-ref';

export interface StorageClassRef {
  readonly name: string;
  /** `StatefulSet ns/db (claim data)`. */
  readonly usedBy: string;
}

export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
  /** Keys read from it (env valueFrom); empty when the whole Secret is used. */
  readonly keys: readonly string[];
  readonly usedBy: string;
}

interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  volumes?: { secret?: { secretName?: string; optional?: boolean } }[];
  imagePullSecrets?: { name?: string }[];
}

interface ContainerLike {
  name?: string;
  env?: { name?: string; valueFrom?: { secretKeyRef?: { name?: string; key?: string; optional?: boolean } } }[];
  envFrom?: { secretRef?: { name?: string; optional?: boolean } }[];
}

/** StorageClasses named by claim templates and claims of the folder. */
export function storageClassRefs(objects: readonly ManifestObject[]): StorageClassRef[] {
  const refs: StorageClassRef[] = [];
  for (const o of objects) {
    const spec = o.spec as { storageClassName?: string; volumeClaimTemplates?: { metadata?: { name?: string }; spec?: { storageClassName?: string } }[] } | undefined;
    if (o.kind === 'PersistentVolumeClaim' && spec?.storageClassName) {
      refs.push({ name: spec.storageClassName, usedBy: describeRef(refOf(o)) });
    }
    for (const t of spec?.volumeClaimTemplates ?? []) {
      if (t.spec?.storageClassName) {
        refs.push({ name: t.spec.storageClassName, usedBy: `${describeRef(refOf(o))} (claim ${t.metadata?.name ?? '?'})` });
      }
    }
  }
  return refs;
}

/** Secrets the folder's workloads read and the folder does not contain; optional references left out. */
export function secretRefs(objects: readonly ManifestObject[]): SecretRef[] {
  const inDist = new Set(objects.filter((o) => o.kind === 'Secret').map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
  const byKey = new Map<string, SecretRef>();
  const add = (namespace: string, name: string | undefined, key: string | undefined, usedBy: string) => {
    if (!name || inDist.has(`${namespace}/${name}`)) {
      return;
    }
    const id = `${namespace}/${name}`;
    const prev = byKey.get(id);
    const keys = [...(prev?.keys ?? []), ...(key ? [key] : [])];
    byKey.set(id, { namespace, name, keys: [...new Set(keys)], usedBy: prev && !prev.usedBy.includes(usedBy) ? `${prev.usedBy}, ${usedBy}` : usedBy });
  };
  for (const o of objects) {
    const pod = podSpecOf(o);
    const namespace = o.metadata.namespace ?? 'default';
    const who = describeRef(refOf(o));
    for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
      (c.env ?? []).filter((e) => e.valueFrom?.secretKeyRef && !e.valueFrom.secretKeyRef.optional).forEach((e) => add(namespace, e.valueFrom!.secretKeyRef!.name, e.valueFrom!.secretKeyRef!.key, `${who} (env ${e.name})`));
      (c.envFrom ?? []).filter((e) => e.secretRef && !e.secretRef.optional).forEach((e) => add(namespace, e.secretRef!.name, undefined, `${who} (envFrom)`));
    }
    (pod?.volumes ?? []).filter((v) => v.secret && !v.secret.optional).forEach((v) => add(namespace, v.secret!.secretName, undefined, `${who} (volume)`));
    (pod?.imagePullSecrets ?? []).forEach((s) => add(namespace, s.name, undefined, `${who} (imagePullSecrets)`));
  }
  return [...byKey.values()];
}

function podSpecOf(o: ManifestObject): PodSpecLike | undefined {
  const spec = o.spec as { template?: { spec?: PodSpecLike }; jobTemplate?: { spec?: { template?: { spec?: PodSpecLike } } } } & PodSpecLike | undefined;
  if (o.kind === 'Pod') {
    return spec;
  }
  return spec?.template?.spec ?? spec?.jobTemplate?.spec?.template?.spec;
}

/** The CustomResourceDefinitions of the folder: name, served versions, the storage version. */
export function crdsOf(objects: readonly ManifestObject[]): { name: string; versions: string[]; storage?: string }[] {
  return objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => {
    const versions = ((o.spec as { versions?: { name: string; served?: boolean; storage?: boolean }[] } | undefined)?.versions ?? []);
    return { name: o.metadata.name, versions: versions.map((v) => v.name), storage: versions.find((v) => v.storage)?.name };
  });
}
