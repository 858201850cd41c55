import { ManifestObject } from '../../../lib/fleet/apply-order';
import { KubeObject } from '../../../lib/kube/types';
import { formatPath } from '../../../lib/runner/apply/field-path';
import { ObjectRef, refKey, refOf } from '../../../lib/runner/apply/object-ref';
import { APPLY_FIELD_MANAGER, LABEL_INVENTORY } from '../../../lib/runner/apply/ownership';
import { DesiredObject, planCluster } from '../../../lib/runner/apply/plan';
import { configMap, desired, INVENTORY, live } from './fixtures';

const statefulSet: ManifestObject = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'mysql', namespace: 'provider-ns' },
  spec: {
    replicas: 2,
    serviceName: 'mysql',
    template: { spec: { containers: [{ name: 'mysql', image: 'mysql:5.6', resources: { requests: { cpu: '250m', memory: '512Mi' } } }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } } }],
  },
};

/** The StatefulSet as the API server returns it: every default filled in. */
const statefulSetLive = live(statefulSet, {
  extra: {
    spec: {
      ...(statefulSet.spec as object),
      podManagementPolicy: 'OrderedReady',
      revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      template: { spec: { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', containers: [{ name: 'mysql', image: 'mysql:5.6', terminationMessagePath: '/dev/termination-log', imagePullPolicy: 'IfNotPresent', resources: { requests: { cpu: '250m', memory: '512Mi' } } }] } },
      volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', resources: { requests: { storage: '50Gi' } } }, status: { phase: 'Pending' } }],
    },
    status: { replicas: 2, readyReplicas: 2 },
  },
});

function plan(o: { desired?: DesiredObject[]; live?: KubeObject[]; inventory?: ObjectRef[] }) {
  const byKey = new Map((o.live ?? []).map((l) => [refKey(refOf(l)), l]));
  return planCluster({ desired: o.desired ?? [], live: byKey, previousInventory: o.inventory ?? [], inventoryId: INVENTORY, fieldManager: APPLY_FIELD_MANAGER });
}

describe('planCluster: one decision per dist object', () => {
  it('creates an object the cluster does not have', () => {
    const p = plan({ desired: [desired(statefulSet)] });
    expect(p.objects.map((o) => o.action)).toEqual(['create']);
  });

  it('leaves an object unchanged when live differs only by server-defaulted fields and status', () => {
    const p = plan({ desired: [desired(statefulSet)], live: [statefulSetLive] });
    expect(p.objects[0]).toMatchObject({ action: 'unchanged', changes: [] });
  });

  it('updates an object whose field dist changed, naming that field', () => {
    const scaled = { ...statefulSet, spec: { ...(statefulSet.spec as object), replicas: 3 } };
    const [o] = plan({ desired: [desired(scaled)], live: [statefulSetLive] }).objects;
    expect(o.action).toBe('update');
    expect(o.uncertain).toBe(false);
    expect(o.changes.map((c) => formatPath(c.path))).toEqual(['spec.replicas']);
    expect(o.changes[0]).toMatchObject({ desired: 3, live: 2 });
  });

  it('updates an object that lacks our ownership labels (first apply over a kubectl-made object)', () => {
    const cm = configMap('settings', { a: '1' });
    const [o] = plan({ desired: [desired(cm)], live: [live(cm, { labels: null })] }).objects;
    expect(o.action).toBe('update');
    expect(o.changes.map((c) => formatPath(c.path))).toEqual(['metadata.labels["mcs.cdk8s.io/applied-by"]', 'metadata.labels["mcs.cdk8s.io/inventory"]']);
  });

  it('updates an object when dist drops a field we applied before', () => {
    const before = configMap('settings', { a: '1', b: '2' });
    const after = configMap('settings', { a: '1' });
    const owned = { 'f:data': { 'f:a': {}, 'f:b': {} } };
    const [o] = plan({ desired: [desired(after)], live: [live(before, { owned })] }).objects;
    expect(o.action).toBe('update');
    expect(o.changes.map((c) => formatPath(c.path))).toEqual(['data.b']);
  });

  it('keeps a zero value we own that the server omitted (publishNotReadyAddresses: false) unchanged', () => {
    const svc: ManifestObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'app' }, spec: { clusterIP: 'None', publishNotReadyAddresses: false } };
    const stored = live({ ...svc, spec: { clusterIP: 'None' } }, { owned: { 'f:spec': { 'f:clusterIP': {}, 'f:publishNotReadyAddresses': {} } } });
    expect(plan({ desired: [desired(svc)], live: [stored] }).objects[0].action).toBe('unchanged');
  });

  it('updates a zero value the server lacks when we never applied it', () => {
    const svc: ManifestObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'app' }, spec: { publishNotReadyAddresses: false } };
    const stored = live({ ...svc, spec: {} }, { owned: { 'f:spec': {} } });
    expect(plan({ desired: [desired(svc)], live: [stored] }).objects[0].action).toBe('update');
  });

  it('compares a Secret\'s stringData with the base64 data the server stores', () => {
    const secret: ManifestObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'app' }, type: 'Opaque', stringData: { ROOT_PASSWORD: 'pw' } };
    const stored = live({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'app' }, type: 'Opaque', data: { ROOT_PASSWORD: Buffer.from('pw').toString('base64') } }, { owned: { 'f:stringData': { 'f:ROOT_PASSWORD': {} }, 'f:type': {} } });
    expect(plan({ desired: [desired(secret)], live: [stored] }).objects[0].action).toBe('unchanged');
    const changed = { ...secret, stringData: { ROOT_PASSWORD: 'new' } };
    expect(plan({ desired: [desired(changed)], live: [stored] }).objects[0].changes.map((c) => formatPath(c.path))).toEqual(['data.ROOT_PASSWORD']);
  });

  it('never compares status, which apply does not write', () => {
    const withStatus = { ...configMap('c', { a: '1' }), status: { phase: 'Whatever' } };
    expect(plan({ desired: [desired(withStatus)], live: [live(configMap('c', { a: '1' }))] }).objects[0].action).toBe('unchanged');
  });
});

describe('planCluster: prune', () => {
  const stale = configMap('stale', { a: '1' });
  const staleRef = refOf(stale);

  it('prunes an object of our inventory that dist no longer has and that carries our labels', () => {
    const p = plan({ live: [live(stale)], inventory: [staleRef] });
    expect(p.prune.map((a) => a.ref)).toEqual([staleRef]);
    expect(p.kept).toEqual([]);
  });

  it('never prunes an object lacking our ownership label', () => {
    const p = plan({ live: [live(stale, { labels: { other: 'x' } })], inventory: [staleRef] });
    expect(p.prune).toEqual([]);
    expect(p.kept[0]).toMatchObject({ ref: staleRef, retry: false, reason: expect.stringContaining('lacks the label mcs.cdk8s.io/applied-by') });
  });

  it('never prunes an object another inventory owns now', () => {
    const p = plan({ live: [live(stale, { labels: { 'mcs.cdk8s.io/applied-by': APPLY_FIELD_MANAGER, [LABEL_INVENTORY]: 'other-fleet.cluster-1' } })], inventory: [staleRef] });
    expect(p.prune).toEqual([]);
    expect(p.kept[0].reason).toContain('"other-fleet.cluster-1"');
  });

  it('never prunes a PersistentVolumeClaim, even one we applied', () => {
    const pvc: ManifestObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-mysql-0', namespace: 'app' } };
    const p = plan({ live: [live(pvc)], inventory: [refOf(pvc)] });
    expect(p.prune).toEqual([]);
    expect(p.kept[0].reason).toMatch(/never pruned/);
  });

  it('prunes nothing that dist still has', () => {
    const p = plan({ desired: [desired(stale)], live: [live(stale)], inventory: [staleRef] });
    expect(p.prune).toEqual([]);
  });

  it('drops inventory entries that are already gone or terminating without deleting anything', () => {
    const terminating = live(configMap('going', {}));
    const p = plan({ live: [{ ...terminating, metadata: { ...terminating.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }], inventory: [staleRef, refOf(terminating)] });
    expect(p.prune).toEqual([]);
    expect(p.gone).toEqual([staleRef, refOf(terminating)]);
  });

  it('guards namespaces and CRDs with a contents check, and deletes in reverse apply order', () => {
    const ns: ManifestObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } };
    const crd: ManifestObject = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'foos.x.io' } };
    const sts = { ...statefulSet, metadata: { name: 'db', namespace: 'app' } };
    const p = plan({ live: [live(ns), live(crd), live(sts), live(stale)], inventory: [ns, crd, stale, sts].map(refOf) });
    expect(p.prune.map((a) => `${a.ref.kind}:${a.guard ?? '-'}`)).toEqual(['StatefulSet:-', 'ConfigMap:-', 'Namespace:namespace-contents', 'CustomResourceDefinition:crd-instances']);
  });
});
