/**
 * What the runner keeps of each object it watches: only the fields lib/runner/sync reads, like
 * controller-runtime's cache `ByObject` transforms with `TransformStripManagedFields`. A pod as
 * the API sends it is 3-6 KB of JSON, most of it managedFields, container specs and status the
 * sync never looks at; with 10,000 pods that was most of the runner's memory.
 *
 * When sync code starts reading another field, add it here: test/unit/runner/ingest.test.ts plans
 * from full and from ingested objects and requires the same result.
 */
import { Condition, EndpointSlice, KubeObject, Lease, Namespace, ObjectMeta, Pod, Service, ServiceExport, ServiceImport, ServicePort } from '../../kube/types';

type Meta = Pick<ObjectMeta, 'name' | 'namespace' | 'uid' | 'resourceVersion'> & Partial<ObjectMeta>;

/** Identity fields every cached object keeps (the cache keys, write-through and deletes need them). */
function identity(m: ObjectMeta): Meta {
  return { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion };
}

/** Everything but managedFields: for objects written back whole (the leader Lease is updated with PUT). */
export function stripManagedFields<T extends KubeObject>(o: KubeObject): T {
  if (!o.metadata.managedFields) {
    return o as T;
  }
  const { managedFields: _dropped, ...metadata } = o.metadata;
  return { ...o, metadata } as T;
}

/** managedFields without their field sets: manager, operation and subresource of each entry. */
function writers(m: ObjectMeta): Pick<ObjectMeta, 'managedFields'> {
  const entries = m.managedFields as readonly { manager?: string; operation?: string; subresource?: string }[] | undefined;
  return entries ? { managedFields: entries.map((e) => ({ manager: e.manager, operation: e.operation, ...(e.subresource ? { subresource: e.subresource } : {}) })) } : {};
}

export function ingestPod(o: KubeObject): Pod {
  const p = o as Pod;
  const spec = p.spec ?? {};
  const status = p.status ?? {};
  return {
    apiVersion: p.apiVersion,
    kind: p.kind,
    metadata: { ...identity(p.metadata), labels: p.metadata.labels, deletionTimestamp: p.metadata.deletionTimestamp },
    spec: {
      hostname: spec.hostname,
      subdomain: spec.subdomain,
      nodeName: spec.nodeName,
      // Only ports matter (named target ports resolve against them); containers without any are dropped.
      containers: (spec.containers ?? [])
        .filter((c) => (c.ports ?? []).length > 0)
        .map((c) => ({ name: c.name, ports: c.ports!.map((cp) => ({ name: cp.name, containerPort: cp.containerPort, protocol: cp.protocol })) })),
    },
    status: {
      phase: status.phase,
      podIP: status.podIP,
      podIPs: status.podIPs?.map((i) => ({ ip: i.ip })),
      conditions: (status.conditions ?? []).filter((c) => c.type === 'Ready').map((c) => ({ type: c.type, status: c.status })),
    },
  };
}

export function ingestService(o: KubeObject): Service {
  const s = o as Service;
  const spec = s.spec ?? {};
  return {
    apiVersion: s.apiVersion,
    kind: s.kind,
    metadata: { ...identity(s.metadata), labels: s.metadata.labels, deletionTimestamp: s.metadata.deletionTimestamp },
    spec: {
      type: spec.type,
      clusterIP: spec.clusterIP,
      clusterIPs: spec.clusterIPs,
      selector: spec.selector,
      ports: spec.ports?.map(servicePort),
      publishNotReadyAddresses: spec.publishNotReadyAddresses,
      ipFamilies: spec.ipFamilies,
      ipFamilyPolicy: spec.ipFamilyPolicy,
      sessionAffinity: spec.sessionAffinity,
      sessionAffinityConfig: spec.sessionAffinityConfig,
      internalTrafficPolicy: spec.internalTrafficPolicy,
      trafficDistribution: spec.trafficDistribution,
    },
  };
}

function servicePort(p: ServicePort): ServicePort {
  return { name: p.name, port: p.port, protocol: p.protocol, targetPort: p.targetPort, appProtocol: p.appProtocol };
}

export function ingestServiceExport(o: KubeObject): ServiceExport {
  const se = o as ServiceExport;
  return {
    apiVersion: se.apiVersion,
    kind: se.kind,
    // creationTimestamp: the oldest export wins a conflict; generation: observedGeneration of its conditions.
    metadata: { ...identity(se.metadata), creationTimestamp: se.metadata.creationTimestamp, generation: se.metadata.generation },
    spec: { exportedLabels: se.spec?.exportedLabels, exportedAnnotations: se.spec?.exportedAnnotations },
    status: { conditions: conditionsOf(se.status?.conditions) },
  };
}

export function ingestServiceImport(o: KubeObject): ServiceImport {
  const si = o as ServiceImport;
  return {
    apiVersion: si.apiVersion,
    kind: si.kind,
    // labels and annotations: an import the runner owns is compared whole, both included.
    // managedFields: who wrote it (consumer-plan.ts importOwnership), without the field sets.
    metadata: { ...identity(si.metadata), labels: si.metadata.labels, annotations: si.metadata.annotations, ...writers(si.metadata) },
    spec: si.spec,
    status: { clusters: si.status?.clusters, conditions: conditionsOf(si.status?.conditions) },
  };
}

export function ingestNamespace(o: KubeObject): Namespace {
  const ns = o as Namespace;
  return { apiVersion: ns.apiVersion, kind: ns.kind, metadata: { ...identity(ns.metadata), deletionTimestamp: ns.metadata.deletionTimestamp }, status: { phase: ns.status?.phase } };
}

export function ingestEndpointSlice(o: KubeObject): EndpointSlice {
  const s = o as EndpointSlice;
  return { apiVersion: s.apiVersion, kind: s.kind, metadata: { ...identity(s.metadata), labels: s.metadata.labels }, addressType: s.addressType, ports: s.ports, endpoints: s.endpoints };
}

export function ingestLivenessLease(o: KubeObject): Lease {
  const l = o as Lease;
  return { apiVersion: l.apiVersion, kind: l.kind, metadata: { ...identity(l.metadata), labels: l.metadata.labels }, spec: l.spec };
}

function conditionsOf(conditions: readonly Condition[] | undefined): Condition[] | undefined {
  return conditions?.map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message, lastTransitionTime: c.lastTransitionTime, observedGeneration: c.observedGeneration }));
}
