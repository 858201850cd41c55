/**
 * Leaves shared bed objects as a test found them: the cluster-scoped and kube-system objects a
 * test's dist applies (CRDs, ClusterRoles, ClusterProperties, the CoreDNS ConfigMap) are read
 * before, and afterwards put back (their labels, annotations and content) or deleted when they
 * did not exist.
 */
import * as tb from './testbed';

export interface Snapshot {
  readonly clusterId: string;
  readonly objects: { readonly ref: tb.KubeObject; readonly before?: tb.KubeObject }[];
}

/** Objects of `objects` outside the test's own namespaces: cluster-scoped ones and those in kube-system. */
export function sharedObjects(objects: readonly tb.KubeObject[], ownNamespaces: readonly string[]): tb.KubeObject[] {
  return objects.filter((o) => o.kind !== 'Namespace' && !ownNamespaces.includes(o.metadata.namespace ?? ''));
}

export async function snapshot(clusterId: string, objects: readonly tb.KubeObject[]): Promise<Snapshot> {
  const k = tb.client(clusterId);
  const read = await Promise.all(objects.map(async (ref) => ({ ref, before: await k.tryGet(ref.apiVersion, ref.kind, ref.metadata.name, ref.metadata.namespace) })));
  return { clusterId, objects: read };
}

export async function restore(s: Snapshot): Promise<void> {
  const k = tb.client(s.clusterId);
  for (const { ref, before } of [...s.objects].reverse()) {
    const { apiVersion, kind } = ref;
    const { name, namespace } = ref.metadata;
    if (!before) {
      await k.delete(apiVersion, kind, name, namespace).catch(() => undefined);
      continue;
    }
    const now = await k.tryGet(apiVersion, kind, name, namespace);
    const { managedFields, resourceVersion, ...meta } = before.metadata;
    const body = { ...before, status: undefined, metadata: { ...meta, resourceVersion: now?.metadata.resourceVersion } };
    if (now) await k.request('PUT', await k.pathFor(apiVersion, kind, namespace, name), body);
    else await k.create({ ...body, metadata: { ...meta } });
  }
}
