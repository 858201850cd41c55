import { KubeObject } from '../../../lib/kube/types';
import { refKey } from '../../../lib/runner/apply/object-ref';
import { crdBlockers, namespaceBlockers } from '../../../lib/runner/apply/prune-rules';

function obj(apiVersion: string, kind: string, name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: 'app', ...extra } };
}

const pruning = new Set([refKey({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'app', name: 'db' }), refKey({ apiVersion: 'v1', kind: 'Service', namespace: 'app', name: 'db' })]);
const owner = { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u' }] };

describe('namespaceBlockers: what forbids deleting a namespace we prune', () => {
  it('lets a namespace go that holds only what we prune, its dependents and what the cluster put there', () => {
    const contents = [
      obj('apps/v1', 'StatefulSet', 'db'),
      obj('v1', 'Service', 'db'),
      obj('v1', 'Endpoints', 'db'),
      obj('v1', 'Pod', 'db-0', owner),
      obj('apps/v1', 'ControllerRevision', 'db-123', owner),
      obj('v1', 'ServiceAccount', 'default'),
      obj('v1', 'ConfigMap', 'kube-root-ca.crt'),
      obj('v1', 'Event', 'db.1234'),
      obj('v1', 'ConfigMap', 'leaving', { deletionTimestamp: '2026-01-01T00:00:00Z' }),
    ];
    expect(namespaceBlockers(contents, pruning)).toEqual([]);
  });

  it('keeps a namespace that holds a PersistentVolumeClaim, even one a StatefulSet we prune created', () => {
    const pvc = obj('v1', 'PersistentVolumeClaim', 'data-db-0', owner);
    expect(namespaceBlockers([pvc], pruning)).toEqual([pvc]);
  });

  it('keeps a namespace that holds anything else, e.g. a Secret created out of band', () => {
    const secret = obj('v1', 'Secret', 'mysecret');
    expect(namespaceBlockers([secret, obj('v1', 'Endpoints', 'other')], pruning).map((o) => o.metadata.name)).toEqual(['mysecret', 'other']);
  });
});

describe('crdBlockers: what forbids deleting a CRD we prune', () => {
  it('is every instance we do not prune ourselves', () => {
    const ours = obj('x.io/v1', 'Foo', 'ours');
    const theirs = obj('x.io/v1', 'Foo', 'theirs');
    const set = new Set([refKey({ apiVersion: 'x.io/v1beta1', kind: 'Foo', namespace: 'app', name: 'ours' })]);
    expect(crdBlockers([ours, theirs], set)).toEqual([theirs]);
  });
});
