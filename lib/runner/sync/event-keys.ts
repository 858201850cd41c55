/** Which service keys (`namespace/name`) an observed change may affect: events only decide what to look at. */
import { LABEL_IMPORT_OF } from '../../fleet/names';
import { objectKey, Pod } from '../../kube/types';
import { ClusterEvent, ClusterState, sliceServiceKey } from './cluster-state';
import { selectorMatches } from './endpoints';

/** Every service key any cluster knows about: exports, imports, derived slices. */
export function allServiceKeys(clusters: Iterable<ClusterState>): string[] {
  const keys = new Set<string>();
  for (const c of clusters) {
    c.serviceExports.list().forEach((o) => keys.add(objectKey(o)));
    c.serviceImports.list().forEach((o) => keys.add(objectKey(o)));
    c.slices.list().forEach((o) => keys.add(sliceServiceKey(o)));
  }
  return [...keys].sort();
}

export function keysForEvent(e: ClusterEvent, clusters: ReadonlyMap<string, ClusterState>): string[] {
  const obj = e.obj;
  switch (e.kind) {
    case 'pod':
      return keysForPod(clusters.get(e.clusterId)!, obj as Pod, e.old as Pod | undefined);
    case 'service': {
      // a provider's exported Service, or a consumer's amcs-<svc> Service
      const importOf = obj.metadata.labels?.[LABEL_IMPORT_OF];
      return [objectKey(obj), ...(importOf ? [`${obj.metadata.namespace}/${importOf}`] : [])];
    }
    case 'serviceExport':
    case 'serviceImport':
      return [objectKey(obj)];
    case 'slice':
      return [sliceServiceKey(obj)];
    case 'namespace':
      return allServiceKeys(clusters.values()).filter((k) => k.startsWith(`${obj.metadata.name}/`));
    default:
      return [];
  }
}

/**
 * The exported services whose selector matches the pod, before or after the change. Candidates
 * come from the Services' selector index (only Services sharing a label pair with the pod), so a
 * pod event costs the same in a namespace of 1,000 exports as in one of 1.
 */
function keysForPod(c: ClusterState, pod: Pod, old?: Pod): string[] {
  const namespace = pod.metadata.namespace ?? '';
  const keys = new Set<string>();
  for (const labels of [pod.metadata.labels, old?.metadata.labels]) {
    for (const service of c.servicesSelectingAny(namespace, labels)) {
      const key = objectKey(service);
      if (c.serviceExports.get(key) && selectorMatches(service.spec?.selector, labels)) {
        keys.add(key);
      }
    }
  }
  return [...keys];
}
