/**
 * For one service and one consumer cluster: the ServiceImport, its status, and the derived
 * EndpointSlices the consumer must have, as the minimal set of writes and deletes. Pure.
 */
import { clustersetIpServiceName, derivedSliceName, DnsMethod, LABEL_DERIVED_BY, LABEL_IMPORT_OF, LABEL_SOURCE_CLUSTER, LABEL_DNS_METHOD, MANAGER, SYNC_FIELD_MANAGER } from '../../fleet/names';
import { EndpointSlice, Service, ServiceImport, ServiceImportSpec } from '../../kube/types';
import { clusterSetIps, desiredClusterSetService, isDerivedService, sameClusterSetService } from './clusterset-service';
import { ConditionInput, sameConditions } from './conditions';
import { ExportResolution } from './exports';
import { canonical, planSlices, SliceTarget } from './slices';

/** What a consumer cluster currently has for one service. */
export interface ConsumerView {
  readonly clusterId: string;
  readonly namespaceExists: boolean;
  readonly serviceImport?: ServiceImport;
  /** Whether a selector-less `amcs-<svc>` Service labelled for this import exists. */
  readonly hasAmcsService: boolean;
  /** Every EndpointSlice the runner derived for this service in this consumer. */
  readonly derivedSlices: readonly EndpointSlice[];
  /** The Service named `clusterset-<svc>` in the namespace, whoever made it. */
  readonly clusterSetService?: Service;
}

export interface ServiceImportStatus {
  readonly clusters: readonly { readonly cluster: string }[];
  readonly conditions: readonly ConditionInput[];
}

export interface ConsumerPlan {
  readonly clusterId: string;
  readonly namespace: string;
  readonly service: string;
  /** A ServiceImport spec to apply (only for imports the runner owns). */
  readonly serviceImportApply?: ServiceImport;
  readonly serviceImportDelete?: ServiceImport;
  /**
   * An import the runner derived that someone else has since declared (GitOps applied it over
   * ours): the runner drops its own labels from it and from then on writes only its status.
   */
  readonly serviceImportRelease?: ServiceImport;
  /** The ClusterSetIP Service to apply first: the import's `ips` are its cluster IPs. */
  readonly clusterSetServiceApply?: Service;
  readonly clusterSetServiceDelete?: Service;
  /** Status to apply on the ServiceImport (ours or the one GitOps synced). */
  readonly serviceImportStatus?: ServiceImportStatus;
  readonly sliceWrites: readonly EndpointSlice[];
  readonly sliceDeletes: readonly EndpointSlice[];
}

export interface PlanInput {
  readonly namespace: string;
  readonly service: string;
  readonly resolution: ExportResolution;
  readonly consumer: ConsumerView;
  /** Sources whose state is unknown right now (never synced, within TTL): their slices stay as they are. */
  readonly preservedSources: ReadonlySet<string>;
  /** The runner's own field manager, to tell its writes from others' (default `cdk8s-mcs-sync`). */
  readonly fieldManager?: string;
}

/** The ClusterSetIP side of a consumer's plan. */
interface ClusterSetPart {
  readonly apply?: Service;
  readonly delete?: Service;
  /** The Service's name when the runner owns it: the MCS slices carry it as `kubernetes.io/service-name`. */
  readonly serviceName?: string;
  /** Why no ClusterSetIP can be allocated. */
  readonly problem?: string;
}

/**
 * Who owns a ServiceImport:
 * - `runner`: the runner derived it (its `derived-by` label) and nobody else has written it since;
 *   the runner keeps its spec up to date and deletes it when the export goes away.
 * - `adopted`: the runner derived it, but another field manager (Argo CD's or Flux's apply, a
 *   `kubectl apply`) has since written the object itself, so it is declared elsewhere now. The
 *   runner hands it over: it drops its labels and never changes or deletes it again.
 * - `declared`: someone else created it (GitOps); the runner writes only its status.
 * Writes to the status subresource do not count: the runner's status writes are no claim on the
 * object, and nobody else's are either.
 */
export function importOwnership(si: ServiceImport, fieldManager: string = SYNC_FIELD_MANAGER): 'runner' | 'adopted' | 'declared' {
  if (si.metadata.labels?.[LABEL_DERIVED_BY] !== MANAGER) {
    return 'declared';
  }
  return writtenByOthers(si, fieldManager) ? 'adopted' : 'runner';
}

/** Whether a field manager other than `fieldManager` is recorded as writing the object itself (not a subresource). */
function writtenByOthers(si: ServiceImport, fieldManager: string): boolean {
  return ((si.metadata.managedFields ?? []) as readonly { manager?: string; subresource?: string }[]).some((e) => !e.subresource && e.manager !== fieldManager);
}

export function planConsumer(input: PlanInput): ConsumerPlan {
  const { consumer, resolution } = input;
  const empty = { clusterId: consumer.clusterId, namespace: input.namespace, service: input.service, sliceWrites: [], sliceDeletes: [] };
  if (!consumer.namespaceExists) {
    return empty; // KEP-1645: imports exist only where the namespace does; nothing else can be left there
  }
  const exported = resolution.importType !== undefined;
  const liveSources = [...resolution.sources.map((s) => s.clusterId), ...preservedPresent(input)].sort();
  const clusterSet = planClusterSet(input, liveSources.length > 0);
  const slices = planAllSlices(input, exported, clusterSet.serviceName);
  const serviceWrites = { ...(clusterSet.apply ? { clusterSetServiceApply: clusterSet.apply } : {}), ...(clusterSet.delete ? { clusterSetServiceDelete: clusterSet.delete } : {}) };
  const si = consumer.serviceImport;
  const owner = si ? importOwnership(si, input.fieldManager) : undefined;
  const release = owner === 'adopted' ? { serviceImportRelease: si } : {};
  if (!exported && liveSources.length === 0) {
    return {
      ...empty,
      ...slices,
      ...serviceWrites,
      ...release,
      ...(owner === 'runner' ? { serviceImportDelete: si } : {}),
      ...(si && owner !== 'runner' ? statusIfChanged(si, []) : {}),
    };
  }
  const desiredImport = exported ? derivedImport(input) : undefined;
  const applyImport = desiredImport && (!si || (owner === 'runner' && !sameImport(si, desiredImport))) ? desiredImport : undefined;
  return { ...empty, ...slices, ...serviceWrites, ...release, ...(applyImport ? { serviceImportApply: applyImport } : {}), ...statusIfChanged(si ?? desiredImport, liveSources, clusterSet.problem) };
}

/**
 * A ClusterSetIP import needs the runner's `clusterset-<svc>` Service; a Headless one, or none,
 * needs none. While a source whose state is unknown still serves (`anySource` without an import
 * type), the Service stays as it is, like that source's slices.
 */
function planClusterSet(input: PlanInput, anySource: boolean): ClusterSetPart {
  const { consumer, resolution } = input;
  const existing = consumer.clusterSetService;
  if (resolution.importType === undefined && anySource) {
    return isDerivedService(existing) ? { serviceName: existing!.metadata.name } : {};
  }
  if (resolution.importType !== 'ClusterSetIP' || !resolution.properties) {
    return isDerivedService(existing) ? { delete: existing } : {};
  }
  if (existing && !isDerivedService(existing)) {
    return { problem: `Service ${input.namespace}/${existing.metadata.name} exists and was not created by ${MANAGER}: rename or delete it so the ClusterSetIP can be allocated` };
  }
  const desired = desiredClusterSetService({ namespace: input.namespace, service: input.service, ports: resolution.ports, properties: resolution.properties });
  const apply = !existing || !sameClusterSetService(existing, desired) ? desired : undefined;
  return { ...(apply ? { apply } : {}), serviceName: clustersetIpServiceName(input.service) };
}

function planAllSlices(input: PlanInput, exported: boolean, clusterSetServiceName: string | undefined): Pick<ConsumerPlan, 'sliceWrites' | 'sliceDeletes'> {
  const { consumer, resolution } = input;
  const methods = [DnsMethod.CLUSTERSET, ...(input.consumer.hasAmcsService ? [DnsMethod.AMCS] : [])];
  const writes: EndpointSlice[] = [];
  const deletes: EndpointSlice[] = [];
  const handled = new Set<EndpointSlice>();
  for (const source of exported ? resolution.sources : []) {
    for (const method of methods) {
      const coreService = method === DnsMethod.CLUSTERSET ? clusterSetServiceName : undefined;
      const target: SliceTarget = { namespace: input.namespace, service: input.service, sourceClusterId: source.clusterId, method, ...(coreService ? { coreServiceName: coreService } : {}) };
      // Only slices named as we name them count; anything else carrying our labels is removed below.
      const prefix = derivedSliceName({ ...target, addressType: '', index: 0 }).replace(/-0$/, '');
      const existing = consumer.derivedSlices.filter((s) => sliceSource(s) === source.clusterId && sliceMethod(s) === method && s.metadata.name.startsWith(prefix));
      existing.forEach((s) => handled.add(s));
      const plan = planSlices(target, source.endpoints, existing);
      writes.push(...plan.writes);
      deletes.push(...plan.deletes);
    }
  }
  // Everything else we derived earlier goes, except what an unknown-but-not-expired source still serves.
  for (const s of consumer.derivedSlices) {
    if (!handled.has(s) && !input.preservedSources.has(sliceSource(s) ?? '')) {
      deletes.push(s);
    }
  }
  return { sliceWrites: writes, sliceDeletes: deletes };
}

function preservedPresent(input: PlanInput): string[] {
  const present = new Set(input.consumer.derivedSlices.map(sliceSource).filter((s): s is string => s !== undefined));
  return [...input.preservedSources].filter((s) => present.has(s));
}

function sliceSource(s: EndpointSlice): string | undefined {
  return s.metadata.labels?.[LABEL_SOURCE_CLUSTER];
}

function sliceMethod(s: EndpointSlice): string | undefined {
  return s.metadata.labels?.[LABEL_DNS_METHOD];
}

function derivedImport(input: PlanInput): ServiceImport {
  const { resolution } = input;
  const p = resolution.properties!;
  const type = resolution.importType!;
  const clusterSet = type === 'ClusterSetIP' && isDerivedService(input.consumer.clusterSetService) ? clusterSetIps(input.consumer.clusterSetService) : { ips: [] };
  const spec: ServiceImportSpec = {
    type,
    ports: resolution.ports.map((port) => ({ ...port })),
    ...(clusterSet.ips.length > 0 ? { ips: clusterSet.ips } : {}),
    ipFamilies: clusterSet.ipFamilies ?? [...p.ipFamilies],
    sessionAffinity: p.sessionAffinity,
    ...(p.sessionAffinityConfig ? { sessionAffinityConfig: p.sessionAffinityConfig } : {}),
    ...(p.internalTrafficPolicy ? { internalTrafficPolicy: p.internalTrafficPolicy } : {}),
    ...(p.trafficDistribution ? { trafficDistribution: p.trafficDistribution } : {}),
  };
  return {
    apiVersion: 'multicluster.x-k8s.io/v1alpha1',
    kind: 'ServiceImport',
    metadata: {
      name: input.service,
      namespace: input.namespace,
      // KEP-1645: the winning export's exportedLabels/exportedAnnotations; ours last, so they cannot be taken over.
      labels: { ...p.labels, [LABEL_DERIVED_BY]: MANAGER, [LABEL_IMPORT_OF]: input.service },
      ...(Object.keys(p.annotations).length > 0 ? { annotations: { ...p.annotations } } : {}),
    },
    spec,
  };
}

/** Everything the runner sets on an import it owns (all of its labels and annotations are the runner's). */
function sameImport(actual: ServiceImport, desired: ServiceImport): boolean {
  const norm = (si: ServiceImport) => {
    const spec = si.spec ?? {};
    return {
      labels: si.metadata.labels ?? {},
      annotations: si.metadata.annotations ?? {},
      type: spec.type,
      ports: (spec.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', appProtocol: p.appProtocol ?? '' })),
      ips: spec.ips ?? [],
      ipFamilies: spec.ipFamilies ?? [],
      sessionAffinity: spec.sessionAffinity ?? 'None',
      sessionAffinityConfig: spec.sessionAffinityConfig ?? null,
      internalTrafficPolicy: spec.internalTrafficPolicy ?? null,
      trafficDistribution: spec.trafficDistribution ?? null,
    };
  };
  return canonical(norm(actual)) === canonical(norm(desired));
}

function statusIfChanged(si: ServiceImport | undefined, clusters: readonly string[], problem?: string): Pick<ConsumerPlan, 'serviceImportStatus'> {
  if (!si) {
    return {};
  }
  const ready: ConditionInput = problem
    ? { type: 'Ready', status: 'False', reason: 'ClusterSetIPUnavailable', message: problem }
    : clusters.length > 0
      ? { type: 'Ready', status: 'True', reason: 'Ready', message: `endpoints from ${clusters.map((c) => `"${c}"`).join(', ')}` }
      : { type: 'Ready', status: 'False', reason: 'Pending', message: 'no cluster exports this service' };
  const status: ServiceImportStatus = { clusters: clusters.map((cluster) => ({ cluster })), conditions: [ready] };
  const sameClusters = canonical((si.status?.clusters ?? []).map((c) => c.cluster).sort()) === canonical([...clusters]);
  return sameClusters && sameConditions(si.status?.conditions, status.conditions) ? {} : { serviceImportStatus: status };
}
