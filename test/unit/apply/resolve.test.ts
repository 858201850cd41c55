import { ApplyPhase, ManifestObject } from '../../../lib/fleet/apply-order';
import { ResourceType } from '../../../lib/kube/resources';
import { ManifestFile } from '../../../lib/runner/apply/manifests';
import { LABEL_INVENTORY } from '../../../lib/runner/apply/ownership';
import { resolveDesired, TypeLookup } from '../../../lib/runner/apply/resolve';

const served: ResourceType[] = [
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
];
const lookup: TypeLookup = {
  resolve: (apiVersion, kind) => served.find((t) => (t.group ? `${t.group}/${t.version}` : t.version) === apiVersion && t.kind === kind),
  kindsOf: (apiVersion) => (apiVersion === 'v1' ? served.map((t) => t.kind) : []),
};

const file = (object: ManifestObject, name = 'dist/cluster-1/x.yaml', phase = ApplyPhase.CONFIG): ManifestFile => ({ file: name, object, phase });
const crd: ManifestObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'foos.x.io' },
  spec: { group: 'x.io', scope: 'Namespaced', names: { kind: 'Foo', plural: 'foos' }, versions: [{ name: 'v1', served: true }] },
};

describe('resolveDesired', () => {
  it('maps kinds to resources by discovery and adds our ownership labels', () => {
    const [cm] = resolveDesired([file({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'db' } })], lookup, 'f.c');
    expect(cm.type.plural).toBe('configmaps');
    expect(cm.awaitsCrd).toBe(false);
    expect((cm.object.metadata as unknown as { labels: Record<string, string> }).labels[LABEL_INVENTORY]).toBe('f.c');
  });

  it('takes the resource of a kind the cluster does not serve yet from a CRD in the same dist', () => {
    const crdServed: TypeLookup = { ...lookup, resolve: (v, k) => (k === 'CustomResourceDefinition' ? { group: 'apiextensions.k8s.io', version: 'v1', kind: k, plural: 'customresourcedefinitions', namespaced: false } : lookup.resolve(v, k)) };
    const typed = resolveDesired([file(crd, 'c.yaml', ApplyPhase.CRDS), file({ apiVersion: 'x.io/v1', kind: 'Foo', metadata: { name: 'f', namespace: 'db' } })], crdServed, 'f.c');
    expect(typed[1]).toMatchObject({ awaitsCrd: true, type: { group: 'x.io', plural: 'foos', namespaced: true } });
  });

  it('names the file and the served kinds for a kind nobody serves', () => {
    expect(() => resolveDesired([file({ apiVersion: 'v1', kind: 'Gadget', metadata: { name: 'g' } }, 'dist/cluster-1/03-gadget.g.yaml')], lookup, 'f.c')).toThrow(
      /dist\/cluster-1\/03-gadget\.g\.yaml: kind "Gadget" of apiVersion "v1" is not served by the API server \(served kinds in v1: ConfigMap, Namespace\)/,
    );
  });

  it('says when a whole apiVersion is not served', () => {
    expect(() => resolveDesired([file({ apiVersion: 'x.io/v1', kind: 'Foo', metadata: { name: 'f' } })], lookup, 'f.c')).toThrow(/\(x\.io\/v1 is not served at all\); is its CustomResourceDefinition installed, or in dist\?/);
  });

  it('drops a namespace stamped on a cluster-scoped object, which the server would ignore', () => {
    const [ns] = resolveDesired([file({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'db', namespace: 'stamped' } })], lookup, 'f.c');
    expect(ns.object.metadata.namespace).toBeUndefined();
  });

  it('refuses a namespaced object without a namespace', () => {
    expect(() => resolveDesired([file({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } })], lookup, 'f.c')).toThrow(/ConfigMap a is namespaced \(configmaps\) but sets no metadata.namespace/);
  });
});
