/**
 * An in-memory API server for apply tests: discovery, GET/LIST, server-side apply (with a
 * managedFields entry and server defaults), DELETE, CRDs that become established after some polls.
 * It replaces an applied object instead of merging field ownership: enough for one field manager.
 */
import { ApplyOptions, RequestOptions } from '../../../lib/kube/client';
import { KubeApiError } from '../../../lib/kube/errors';
import { RequestCounter } from '../../../lib/kube/request-counter';
import { ResourceType } from '../../../lib/kube/resources';
import { KubeObject } from '../../../lib/kube/types';
import { deepEqual, isPlainObject } from '../../../lib/runner/apply/field-path';
import { FieldsV1 } from '../../../lib/runner/apply/managed-fields';

const BUILTIN: ResourceType[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true },
  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false },
];

/** Fields the fake "defaults", as a real API server would. */
const DEFAULTS: Record<string, Record<string, unknown>> = {
  Service: { spec: { sessionAffinity: 'None', type: 'ClusterIP' } },
  StatefulSet: { spec: { revisionHistoryLimit: 10, podManagementPolicy: 'OrderedReady' } },
};

interface Target {
  readonly type: ResourceType;
  readonly namespace?: string;
  readonly name?: string;
}

const gvOf = (t: ResourceType) => (t.group ? `${t.group}/${t.version}` : t.version);

export class FakeCluster {
  public readonly counter = new RequestCounter();
  public readonly objects = new Map<string, KubeObject>();
  /** When set, every request fails as if the server could not be reached. */
  public unreachable = false;
  /** GETs of a new CRD before it reports Established=True (Infinity: never). */
  public establishAfterPolls = 1;
  private readonly types = [...BUILTIN];
  private readonly crdPolls = new Map<string, number>();
  private resourceVersion = 100;

  public constructor(public readonly clusterId: string) {}

  public async request(o: RequestOptions): Promise<unknown> {
    this.counter.record(o.verb, o.path, 0);
    this.checkReachable(o.path);
    const parts = o.path.split('?')[0].split('/').filter(Boolean);
    if (parts.length === 1 && parts[0] === 'apis') {
      const groups = [...new Set(this.types.filter((t) => t.group).map(gvOf))];
      return { groups: groups.map((gv) => ({ name: gv.split('/')[0], preferredVersion: { groupVersion: gv } })) };
    }
    const gv = parts[0] === 'api' ? parts[1] : `${parts[1]}/${parts[2]}`;
    if (parts.length === (parts[0] === 'api' ? 2 : 3)) {
      return this.discovery(gv, o.path);
    }
    const t = this.target(o.path);
    if (o.method === 'PUT' && t.name) {
      return this.replace(t, o.body as KubeObject);
    }
    return t.name ? this.getObject(t, o.path) : { items: this.listObjects(t), metadata: {} };
  }

  /** An update (PUT): optimistic concurrency on resourceVersion, managedFields kept when the body has none. */
  private replace(t: Target, body: KubeObject): KubeObject {
    const existing = this.getObject(t, 'PUT');
    if (body.metadata.resourceVersion !== existing.metadata.resourceVersion) {
      throw new KubeApiError(`PUT: 409 Conflict: resourceVersion ${body.metadata.resourceVersion} is not ${existing.metadata.resourceVersion}`, 409, 'Conflict', this.clusterId);
    }
    const stored = { ...body, metadata: { ...body.metadata, managedFields: body.metadata.managedFields ?? existing.metadata.managedFields, resourceVersion: String(++this.resourceVersion) } } as KubeObject;
    this.objects.set(this.key(t), stored);
    return stored;
  }

  public async apply<T extends KubeObject>(path: string, obj: KubeObject, o: ApplyOptions): Promise<T> {
    this.counter.record('apply', path, 0);
    this.checkReachable(path);
    const t = this.target(path);
    const key = this.key(t);
    const existing = this.objects.get(key);
    const content = withDefaults(obj, DEFAULTS[obj.kind]);
    const metadata = { ...content.metadata, uid: existing?.metadata.uid ?? `uid-${this.resourceVersion}`, creationTimestamp: existing?.metadata.creationTimestamp ?? '2026-01-01T00:00:00Z' };
    const candidate = { ...content, metadata: { ...metadata, managedFields: [{ manager: o.fieldManager, operation: 'Apply', fieldsV1: fieldsOf(obj) }] }, status: existing?.status } as KubeObject;
    if (existing && deepEqual({ ...candidate, metadata: { ...candidate.metadata, resourceVersion: existing.metadata.resourceVersion } }, existing)) {
      return existing as T;
    }
    const stored = { ...candidate, metadata: { ...candidate.metadata, resourceVersion: String(o.dryRun ? this.resourceVersion + 1 : ++this.resourceVersion) } } as KubeObject;
    if (!o.dryRun) {
      this.objects.set(key, stored);
      this.learnCrd(stored, existing === undefined);
    }
    return stored as T;
  }

  public async delete(path: string, o: { uid?: string } = {}): Promise<boolean> {
    this.counter.record('delete', path, 0);
    this.checkReachable(path);
    const key = this.key(this.target(path));
    const existing = this.objects.get(key);
    if (!existing || (o.uid && existing.metadata.uid !== o.uid)) {
      return false;
    }
    this.objects.delete(key);
    return true;
  }

  public close(): void {}

  /** Puts an object in place as if someone else had created it. */
  public seed(obj: KubeObject): void {
    const type = this.types.find((t) => gvOf(t) === obj.apiVersion && t.kind === obj.kind)!;
    this.objects.set(this.key({ type, namespace: obj.metadata.namespace, name: obj.metadata.name }), { ...obj, metadata: { uid: `seed-${obj.metadata.name}`, resourceVersion: '1', ...obj.metadata } });
  }

  public find(kind: string, name: string, namespace?: string): KubeObject | undefined {
    return [...this.objects.values()].find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
  }

  private discovery(gv: string, path: string): unknown {
    const resources = this.types.filter((t) => gvOf(t) === gv).map((t) => ({ name: t.plural, kind: t.kind, namespaced: t.namespaced, verbs: ['get', 'list', 'patch', 'delete'] }));
    if (resources.length === 0) {
      throw new KubeApiError(`${path}: 404 NotFound`, 404, 'NotFound', this.clusterId);
    }
    return { resources };
  }

  private getObject(t: Target, path: string): KubeObject {
    const obj = this.objects.get(this.key(t));
    if (!obj) {
      throw new KubeApiError(`${path}: 404 NotFound`, 404, 'NotFound', this.clusterId);
    }
    if (obj.kind === 'CustomResourceDefinition') {
      return this.pollCrd(obj);
    }
    return obj;
  }

  private listObjects(t: Target): KubeObject[] {
    const prefix = `${gvOf(t.type)}/${t.type.plural}/${t.namespace ?? ''}/`;
    return [...this.objects.entries()].filter(([k]) => (t.namespace ? k.startsWith(prefix) : k.startsWith(`${gvOf(t.type)}/${t.type.plural}/`))).map(([, o]) => {
      const { apiVersion, kind, ...item } = o;
      return item as KubeObject;
    });
  }

  private pollCrd(crd: KubeObject): KubeObject {
    const polls = (this.crdPolls.get(crd.metadata.name) ?? 0) + 1;
    this.crdPolls.set(crd.metadata.name, polls);
    const established = polls >= this.establishAfterPolls;
    const updated = { ...crd, status: { conditions: [{ type: 'Established', status: established ? 'True' : 'False', reason: established ? 'InitialNamesAccepted' : 'Installing' }] } };
    this.objects.set(this.key({ type: BUILTIN[6], name: crd.metadata.name }), updated);
    return updated;
  }

  private learnCrd(obj: KubeObject, created: boolean): void {
    if (obj.kind !== 'CustomResourceDefinition' || !created) {
      return;
    }
    const spec = obj.spec as { group: string; scope: string; names: { kind: string; plural: string }; versions: { name: string }[] };
    for (const v of spec.versions) {
      this.types.push({ group: spec.group, version: v.name, kind: spec.names.kind, plural: spec.names.plural, namespaced: spec.scope !== 'Cluster' });
    }
  }

  private target(path: string): Target {
    const parts = path.split('?')[0].split('/').filter(Boolean);
    const gv = parts[0] === 'api' ? parts[1] : `${parts[1]}/${parts[2]}`;
    let rest = parts.slice(parts[0] === 'api' ? 2 : 3);
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = this.types.find((t) => gvOf(t) === gv && t.plural === rest[0]);
    if (!type) {
      throw new KubeApiError(`${path}: 404 NotFound: the server could not find the requested resource`, 404, 'NotFound', this.clusterId);
    }
    return { type, namespace, name: rest[1] };
  }

  private key(t: Target): string {
    return `${gvOf(t.type)}/${t.type.plural}/${t.namespace ?? ''}/${t.name ?? ''}`;
  }

  private checkReachable(path: string): void {
    if (this.unreachable) {
      throw new KubeApiError(`cluster "${this.clusterId}": ${path}: cannot reach 127.0.0.1:1: connect ECONNREFUSED`, 0, 'Unreachable', this.clusterId);
    }
  }
}

function withDefaults(obj: KubeObject, defaults: Record<string, unknown> | undefined): KubeObject {
  return defaults ? (merge(defaults, obj) as KubeObject) : obj;
}

function merge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) {
    return over === undefined ? base : over;
  }
  const keys = new Set([...Object.keys(base), ...Object.keys(over)]);
  return Object.fromEntries([...keys].map((k) => [k, merge(base[k], over[k])]));
}

/** A simplified fieldsV1: maps as `f:` entries, lists of named items as `k:{"name":...}`, other lists atomic. */
function fieldsOf(value: unknown): FieldsV1 {
  if (!isPlainObject(value)) {
    return {};
  }
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'apiVersion' && k !== 'kind').map(([k, v]) => [`f:${k}`, Array.isArray(v) ? listFields(v) : fieldsOf(v)]));
}

function listFields(list: readonly unknown[]): FieldsV1 {
  if (!list.every((i) => isPlainObject(i) && typeof i.name === 'string')) {
    return {};
  }
  return Object.fromEntries(list.map((i) => [`k:${JSON.stringify({ name: (i as { name: string }).name })}`, { '.': {}, ...fieldsOf(i) }]));
}
