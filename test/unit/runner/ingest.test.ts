/**
 * The informers keep only what the sync reads (lib/runner/sync/ingest.ts). The proof that nothing
 * read was dropped: planning from objects as the API server sends them (managedFields, annotations,
 * container specs, every status field) and from their ingested forms gives the same plans, over
 * scenarios that exercise every field the sync reads.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../lib/kube/client';
import { EndpointSlice, KubeObject, Namespace, Pod, Service, ServiceExport, ServiceImport } from '../../../lib/kube/types';
import { ClusterState } from '../../../lib/runner/sync/cluster-state';
import { ConsumerPlan, ConsumerView, planConsumer } from '../../../lib/runner/sync/consumer-plan';
import { ProviderView, resolveExports } from '../../../lib/runner/sync/exports';
import { ingestEndpointSlice, ingestNamespace, ingestPod, ingestService, ingestServiceExport, ingestServiceImport } from '../../../lib/runner/sync/ingest';
import { canonical } from '../../../lib/runner/sync/slices';

const MANAGED_FIELDS = [{ manager: 'kube-controller-manager', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} } }, time: '2026-01-01T00:00:00Z' }];

/** What the API server adds around the fields the scenario cares about. */
function asServed<T extends KubeObject>(o: T): T {
  return {
    ...o,
    metadata: { creationTimestamp: '2026-01-01T00:00:00Z', generation: 3, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"json"}' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'x', uid: 'o1' }], managedFields: MANAGED_FIELDS, ...o.metadata },
  };
}

function servedPod(name: string, o: { ip?: string[]; ready?: boolean; deleting?: boolean; phase?: string; subdomain?: string; labels?: Record<string, string> }): Pod {
  const ips = o.ip ?? [];
  return asServed({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'db', uid: `u-${name}`, resourceVersion: '7', labels: { app: 'mysql', 'controller-revision-hash': 'abc', 'statefulset.kubernetes.io/pod-name': name, ...o.labels }, ...(o.deleting ? { deletionTimestamp: '2026-01-02T00:00:00Z' } : {}) },
    spec: {
      hostname: name,
      subdomain: o.subdomain ?? 'mysql',
      nodeName: 'node-1',
      containers: [
        { name: 'sidecar', image: 'busybox', env: [{ name: 'A', value: 'b' }] },
        { name: 'db', image: 'mysql:5.6', ports: [{ name: 'mysql', containerPort: 3306, protocol: 'TCP' }, { name: 'admin', containerPort: 33062 }], resources: { requests: { cpu: '250m' } } },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `data-${name}` } }],
    } as unknown as Pod['spec'],
    status: {
      phase: o.phase ?? 'Running',
      hostIP: '192.0.2.1',
      ...(ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
        { type: 'ContainersReady', status: 'True' },
      ],
      containerStatuses: [{ name: 'db', ready: true, restartCount: 0, image: 'mysql:5.6' }],
    } as unknown as Pod['status'],
  });
}

function servedService(name: string, spec: Service['spec'], labels: Record<string, string> = {}): Service {
  return asServed({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'db', uid: `s-${name}`, resourceVersion: '5', labels }, spec, status: { loadBalancer: {} } } as Service);
}

function servedExport(name: string, created: string, spec: ServiceExport['spec'] = {}): ServiceExport {
  return asServed({ apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceExport', metadata: { name, namespace: 'db', uid: `e-${name}`, resourceVersion: '3', creationTimestamp: created, generation: 2 }, spec, status: { conditions: [{ type: 'Valid', status: 'True', reason: 'Valid', message: 'Service is valid for export', lastTransitionTime: 't', observedGeneration: 2 }] } });
}

const statefulPods = [
  servedPod('mysql-0', { ip: ['10.0.0.1'] }),
  servedPod('mysql-1', { ip: ['10.0.0.2', 'fd00::2'], ready: false }),
  servedPod('mysql-2', { ip: ['10.0.0.3'], deleting: true }),
  servedPod('mysql-3', { ip: ['10.0.0.4'], phase: 'Failed' }),
  servedPod('mysql-4', {}),
  servedPod('web-0', { ip: ['10.0.0.9'], subdomain: 'other' }),
];

const headless = servedService('mysql', { clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'mysql' }, ports: [{ name: 'tcp', port: 3306, protocol: 'TCP', targetPort: 'mysql' }, { name: 'x', port: 9, targetPort: 'admin', appProtocol: 'kubernetes.io/h2c' }], type: 'ClusterIP', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster' });
const clusterIp = servedService('mysql', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10', 'fd00::10'], selector: { app: 'mysql' }, ports: [{ name: 'tcp', port: 3306, protocol: 'TCP', targetPort: 3306 }], type: 'ClusterIP', ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'PreferDualStack', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, internalTrafficPolicy: 'Local', trafficDistribution: 'PreferClose', publishNotReadyAddresses: true });
const exportOld = servedExport('mysql', '2026-01-01T00:00:00Z', { exportedLabels: { tier: 'db' }, exportedAnnotations: { owner: 'team-a' } });
const exportNew = servedExport('mysql', '2026-03-01T00:00:00Z', { exportedLabels: { tier: 'cache' } });

interface Scenario {
  readonly name: string;
  readonly providers: { clusterId: string; serviceExport?: ServiceExport; service?: Service; pods: Pod[]; alive: boolean }[];
  readonly consumer: { serviceImport?: ServiceImport; derivedSlices: EndpointSlice[]; clusterSetService?: Service; hasAmcsService: boolean };
  readonly expiredEndpoints?: 'remove' | 'not-ready';
}

/** Runs the sync's planning with every object passed through `ingest` for its kind (identity for "as served"). */
function planWith(s: Scenario, ingest: boolean): { plan: ConsumerPlan; resolution: unknown } {
  const pick = <T>(fn: (o: KubeObject) => T, o: T | undefined): T | undefined => (o && ingest ? fn(o as unknown as KubeObject) : o);
  const views: ProviderView[] = s.providers.map((p) => ({
    clusterId: p.clusterId,
    serviceExport: pick(ingestServiceExport, p.serviceExport),
    service: pick(ingestService, p.service),
    pods: p.pods.map((pod) => pick(ingestPod, pod)!),
    alive: p.alive,
  }));
  const resolution = resolveExports(views, { expiredEndpoints: s.expiredEndpoints });
  const view: ConsumerView = {
    clusterId: 'c2',
    namespaceExists: true,
    hasAmcsService: s.consumer.hasAmcsService,
    serviceImport: pick(ingestServiceImport, s.consumer.serviceImport),
    derivedSlices: s.consumer.derivedSlices.map((sl) => pick(ingestEndpointSlice, sl)!),
    clusterSetService: pick(ingestService, s.consumer.clusterSetService),
  };
  return { plan: planConsumer({ namespace: 'db', service: 'mysql', resolution, consumer: view, preservedSources: new Set() }), resolution };
}

/** Deletes name existing objects (which differ by what ingest dropped); everything else is compared whole. */
function comparable(r: { plan: ConsumerPlan; resolution: unknown }): string {
  const ref = (o?: KubeObject) => (o ? `${o.metadata.name}/${o.metadata.uid}` : undefined);
  const { sliceDeletes, serviceImportDelete, serviceImportRelease, clusterSetServiceDelete, ...rest } = r.plan;
  return canonical({ ...rest, sliceDeletes: sliceDeletes.map(ref), serviceImportDelete: ref(serviceImportDelete), serviceImportRelease: ref(serviceImportRelease), clusterSetServiceDelete: ref(clusterSetServiceDelete), resolution: r.resolution });
}

function firstRound(s: Scenario): ConsumerPlan {
  return planWith(s, false).plan;
}

const headlessScenario: Scenario = { name: 'headless StatefulSet export, named target ports, dual-stack, not-ready, terminating and failed pods', providers: [{ clusterId: 'c1', serviceExport: exportOld, service: headless, pods: statefulPods, alive: true }], consumer: { derivedSlices: [], hasAmcsService: true } };
const clusterSetScenario: Scenario = { name: 'ClusterSetIP export with session affinity, traffic policies, IPv6-first families, publishNotReadyAddresses', providers: [{ clusterId: 'c1', serviceExport: exportOld, service: clusterIp, pods: statefulPods, alive: true }], consumer: { derivedSlices: [], hasAmcsService: false } };

function converged(s: Scenario): Scenario {
  const first = firstRound(s);
  const served = (o: KubeObject) => asServed({ ...o, metadata: { ...o.metadata, uid: `d-${o.metadata.name}`, resourceVersion: '11' } });
  const csService = first.clusterSetServiceApply ? served({ ...first.clusterSetServiceApply, spec: { ...first.clusterSetServiceApply.spec, clusterIP: '10.97.0.1', clusterIPs: ['10.97.0.1'] } }) as Service : undefined;
  // The import as the runner's applies left it: its field manager on the object and on its status.
  const si = first.serviceImportApply
    ? (served({ ...first.serviceImportApply, metadata: { ...first.serviceImportApply.metadata, managedFields: RUNNER_FIELDS }, status: { clusters: first.serviceImportStatus?.clusters, conditions: first.serviceImportStatus?.conditions.map((c) => ({ ...c, lastTransitionTime: 't' })) } }) as ServiceImport)
    : undefined;
  return { ...s, name: `${s.name}, converged`, consumer: { ...s.consumer, clusterSetService: csService, serviceImport: si, derivedSlices: first.sliceWrites.map((sl) => served(sl) as EndpointSlice) } };
}

const RUNNER_FIELDS = [
  { manager: 'cdk8s-mcs-sync', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} }, 'f:spec': {} }, time: '2026-01-01T00:00:00Z' },
  { manager: 'cdk8s-mcs-sync', operation: 'Apply', subresource: 'status', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} }, time: '2026-01-01T00:00:00Z' },
];

/** The runner's import, since applied from Git by Argo CD (server-side apply under its own manager). */
function adoptedByArgo(s: Scenario): Scenario {
  const si = s.consumer.serviceImport!;
  const argo = { manager: 'argocd-controller', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} }, time: '2026-01-02T00:00:00Z' };
  return { ...s, name: `${s.name}, then adopted by Argo CD`, consumer: { ...s.consumer, serviceImport: { ...si, metadata: { ...si.metadata, managedFields: [...RUNNER_FIELDS, argo] } } } };
}

const scenarios: Scenario[] = [
  headlessScenario,
  clusterSetScenario,
  converged(headlessScenario),
  converged(clusterSetScenario),
  { name: 'two exports in conflict (oldest wins: labels, annotations, ports, affinity)', providers: [{ clusterId: 'c1', serviceExport: exportNew, service: headless, pods: statefulPods, alive: true }, { clusterId: 'c3', serviceExport: exportOld, service: clusterIp, pods: statefulPods.slice(0, 2), alive: true }], consumer: { derivedSlices: [], hasAmcsService: true } },
  { name: 'an expired provider kept not ready', providers: [{ clusterId: 'c1', serviceExport: exportOld, service: headless, pods: statefulPods, alive: false }], consumer: { derivedSlices: [], hasAmcsService: true }, expiredEndpoints: 'not-ready' },
  { name: 'export gone: everything derived is deleted', providers: [{ clusterId: 'c1', pods: statefulPods, alive: true }], consumer: converged(clusterSetScenario).consumer },
  adoptedByArgo(converged(headlessScenario)),
];

describe('ingest: the sync plans the same from ingested objects as from served ones', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const full = planWith(s, false);
    expect(comparable(planWith(s, true))).toEqual(comparable(full));
  });

  it('the scenarios plan something in every way the sync can (so the comparison is not vacuous)', () => {
    const plans = scenarios.map((s) => firstRound(s));
    expect(plans.some((p) => p.sliceWrites.some((sl) => (sl.endpoints ?? []).some((e) => e.hostname && e.conditions?.terminating)))).toBe(true);
    expect(plans.some((p) => p.sliceWrites.some((sl) => sl.addressType === 'IPv6'))).toBe(true);
    expect(plans.some((p) => p.sliceWrites.some((sl) => (sl.ports ?? []).some((port) => port.port === 33062)))).toBe(true);
    expect(plans.some((p) => p.clusterSetServiceApply?.spec?.sessionAffinityConfig)).toBe(true);
    expect(plans.some((p) => p.serviceImportApply?.metadata.annotations?.owner === 'team-a')).toBe(true);
    expect(plans.some((p) => p.sliceDeletes.length > 0 && p.serviceImportDelete && p.clusterSetServiceDelete)).toBe(true);
    expect(plans.some((p) => p.serviceImportRelease && !p.serviceImportDelete && !p.serviceImportApply)).toBe(true);
    const settled = firstRound(converged(headlessScenario));
    expect([settled.sliceWrites.length, settled.serviceImportApply, settled.serviceImportStatus]).toEqual([0, undefined, undefined]);
  });
});

describe('ingest: what is kept', () => {
  it('drops managedFields, annotations, owner references and every pod field the sync does not read', () => {
    const p = ingestPod(statefulPods[1]);
    expect(p.metadata).toEqual({ name: 'mysql-1', namespace: 'db', uid: 'u-mysql-1', resourceVersion: '7', labels: statefulPods[1].metadata.labels, deletionTimestamp: undefined });
    expect(JSON.parse(JSON.stringify(p.spec))).toEqual({ hostname: 'mysql-1', subdomain: 'mysql', nodeName: 'node-1', containers: [{ name: 'db', ports: [{ name: 'mysql', containerPort: 3306, protocol: 'TCP' }, { name: 'admin', containerPort: 33062 }] }] });
    expect(JSON.parse(JSON.stringify(p.status))).toEqual({ phase: 'Running', podIP: '10.0.0.2', podIPs: [{ ip: '10.0.0.2' }, { ip: 'fd00::2' }], conditions: [{ type: 'Ready', status: 'False' }] });
    expect(JSON.stringify(p).length).toBeLessThan(JSON.stringify(statefulPods[1]).length / 2);
  });

  it('keeps who wrote a ServiceImport (manager, operation, subresource) but not the fields each wrote', () => {
    const si = adoptedByArgo(converged(headlessScenario)).consumer.serviceImport!;
    expect(ingestServiceImport(si).metadata.managedFields).toEqual([
      { manager: 'cdk8s-mcs-sync', operation: 'Apply' },
      { manager: 'cdk8s-mcs-sync', operation: 'Apply', subresource: 'status' },
      { manager: 'argocd-controller', operation: 'Apply' },
    ]);
  });

  it('keeps a namespace\'s deletion state, which decides whether anything may be created in it', () => {
    const terminating = asServed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'db', uid: 'n', resourceVersion: '1', deletionTimestamp: 't', labels: { a: 'b' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } } as Namespace);
    expect(JSON.parse(JSON.stringify(ingestNamespace(terminating)))).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'db', uid: 'n', resourceVersion: '1', deletionTimestamp: 't' }, status: { phase: 'Terminating' } });
  });
});

describe('pods\' label index: only the pairs some Service selects on', () => {
  function clusterState(): ClusterState {
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }], users: [{ name: 'u' }], contexts: [{ name: 'c', cluster: 'c', user: 'u' }], currentContext: 'c' });
    return new ClusterState(new KubeClient('cluster-1', kc), { runnerNamespace: 'cdk8s-mcs-system', onEvent: () => undefined });
  }

  it('does not index labels no selector reads (revision hashes, per-pod names)', () => {
    const c = clusterState();
    c.services.upsertLocal(headless);
    statefulPods.forEach((p) => c.pods.upsertLocal(p));
    expect(c.pods.indexCount('label', 'db/app=mysql')).toBe(statefulPods.length);
    expect(c.pods.indexCount('label', 'db/controller-revision-hash=abc')).toBe(0);
    expect(c.pods.indexCount('label', 'db/statefulset.kubernetes.io/pod-name=mysql-0')).toBe(0);
  });

  it('indexes a label key once a Service selects on it, for pods cached before that Service', () => {
    const c = clusterState();
    statefulPods.forEach((p) => c.pods.upsertLocal(p));
    expect(c.pods.indexCount('label', 'db/app=mysql')).toBe(0);
    const perPod = servedService('mysql-0-only', { clusterIP: 'None', selector: { 'statefulset.kubernetes.io/pod-name': 'mysql-0' } });
    c.services.upsertLocal(perPod);
    expect(c.candidatePods(ingestService(perPod)).map((p) => p.metadata.name)).toEqual(['mysql-0']);
    c.services.upsertLocal(headless);
    expect(c.candidatePods(ingestService(headless)).map((p) => p.metadata.name).sort()).toEqual(statefulPods.map((p) => p.metadata.name).sort());
  });

  it('does not index pairs whose key only another namespace selects on', () => {
    const c = clusterState();
    c.services.upsertLocal({ ...headless, metadata: { ...headless.metadata, namespace: 'other' } });
    statefulPods.forEach((p) => c.pods.upsertLocal(p));
    expect(c.pods.indexCount('label', 'db/app=mysql')).toBe(0);
  });
});
