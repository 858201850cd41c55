/** Small builders for apply tests: dist objects, live objects as the API server returns them, refs. */
import { applyPhase, ManifestObject } from '../../../lib/fleet/apply-order';
import { KubeObject } from '../../../lib/kube/types';
import { FieldsV1 } from '../../../lib/runner/apply/managed-fields';
import { APPLY_FIELD_MANAGER, LABEL_APPLIED_BY, LABEL_INVENTORY, withOwnershipLabels } from '../../../lib/runner/apply/ownership';
import { DesiredObject } from '../../../lib/runner/apply/plan';

export const INVENTORY = 'reference.cluster-1';

export function configMap(name: string, data: Record<string, string>, namespace = 'app'): ManifestObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

export function desired(obj: ManifestObject, file = `dist/cluster-1/${obj.kind.toLowerCase()}.${obj.metadata.name}.yaml`): DesiredObject {
  return { file, object: withOwnershipLabels(obj, INVENTORY), phase: applyPhase(obj) };
}

/** What the server returns after our apply: our object plus server fields, owned by our field manager. */
export function live(obj: ManifestObject, o: { extra?: Record<string, unknown>; owned?: FieldsV1; labels?: Record<string, string> | null; uid?: string } = {}): KubeObject {
  const labels = o.labels === null ? undefined : o.labels ?? { ...(obj.metadata as { labels?: Record<string, string> }).labels, [LABEL_APPLIED_BY]: APPLY_FIELD_MANAGER, [LABEL_INVENTORY]: INVENTORY };
  const managedFields = o.owned ? [{ manager: APPLY_FIELD_MANAGER, operation: 'Apply', fieldsV1: o.owned }] : undefined;
  return {
    ...obj,
    ...(o.extra ?? {}),
    metadata: { ...obj.metadata, labels, uid: o.uid ?? `uid-${obj.metadata.name}`, resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z', managedFields },
  } as KubeObject;
}
