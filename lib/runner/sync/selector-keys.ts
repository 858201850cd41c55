/**
 * Which pod labels are worth indexing: only pairs whose key some Service in the pod's namespace
 * selects on. Pods carry labels no selector reads (pod-template-hash, controller-revision-hash,
 * statefulset.kubernetes.io/pod-name, unique per pod), and indexing every pair cost an index entry
 * per label per pod. The set only grows (a deleted Service's keys stay), so it is bounded by the
 * distinct selector keys ever seen, and a pod's index entries change only when a new key appears,
 * which reindexes the pods once.
 */
import { KubeObject, Service } from '../../kube/types';

/** `namespace/key=value` of a label pair: the index that finds a selector's pods without scanning the namespace. */
export const labelPairKey = (namespace: string, key: string, value: string) => `${namespace}/${key}=${value}`;

export class SelectorKeys {
  /** `namespace/key` of every selector key seen. */
  private readonly keys = new Set<string>();

  /** Records a Service's selector keys; true if any was new (the pods' label index must then be rebuilt). */
  public observe(service: Service): boolean {
    const namespace = service.metadata.namespace ?? '';
    let grew = false;
    for (const key of Object.keys(service.spec?.selector ?? {})) {
      const k = `${namespace}/${key}`;
      if (!this.keys.has(k)) {
        this.keys.add(k);
        grew = true;
      }
    }
    return grew;
  }

  /** The pod's label pairs some Service of its namespace may select on, as labelPairKey strings. */
  public pairsOf(pod: KubeObject): string[] {
    const namespace = pod.metadata.namespace ?? '';
    const pairs: string[] = [];
    for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) {
      if (this.keys.has(`${namespace}/${k}`)) {
        pairs.push(labelPairKey(namespace, k, v));
      }
    }
    return pairs;
  }

  public get size(): number {
    return this.keys.size;
  }
}
