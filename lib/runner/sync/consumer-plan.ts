/**
 * For one service and one consumer cluster: the ServiceImport, its status, and the derived
 * EndpointSlices the consumer must have, as the minimal set of writes and deletes. Pure.
 */
import { derivedSliceName, DnsMethod, LABEL_DERIVED_BY, LABEL_IMPORT_OF, LABEL_SOURCE_CLUSTER, LABEL_DNS_METHOD, MANAGER } from '../../fleet/names';
import { EndpointSlice, ServiceImport } from '../../kube/types';
import { ConditionInput, sameConditions } from './conditions';
import { ExportResolution, ImportPort } from './exports';
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
}

/** Whether the runner created this ServiceImport (and so may change or delete it). */
export function isDerivedImport(si: ServiceImport | undefined): boolean {
  return si?.metadata.labels?.[LABEL_DERIVED_BY] === MANAGER;
}

export function planConsumer(input: PlanInput): ConsumerPlan {
  const { consumer, resolution } = input;
  const empty = { clusterId: consumer.clusterId, namespace: input.namespace, service: input.service, sliceWrites: [], sliceDeletes: [] };
  if (!consumer.namespaceExists) {
    return empty; // KEP-1645: imports exist only where the namespace does; nothing else can be left there
  }
  const exported = resolution.importType !== undefined;
  const slices = planAllSlices(input, exported);
  const si = consumer.serviceImport;
  const liveSources = [...resolution.sources.map((s) => s.clusterId), ...preservedPresent(input)].sort();
  if (!exported && liveSources.length === 0) {
    return {
      ...empty,
      ...slices,
      ...(isDerivedImport(si) ? { serviceImportDelete: si } : {}),
      ...(si && !isDerivedImport(si) ? statusIfChanged(si, []) : {}),
    };
  }
  const desiredImport = exported ? derivedImport(input, resolution.importType!, resolution.ports) : undefined;
  const applyImport = desiredImport && (!si || (isDerivedImport(si) && !sameImportSpec(si, desiredImport))) ? desiredImport : undefined;
  return { ...empty, ...slices, ...(applyImport ? { serviceImportApply: applyImport } : {}), ...statusIfChanged(si ?? desiredImport, liveSources) };
}

function planAllSlices(input: PlanInput, exported: boolean): Pick<ConsumerPlan, 'sliceWrites' | 'sliceDeletes'> {
  const { consumer, resolution } = input;
  const methods = [DnsMethod.CLUSTERSET, ...(input.consumer.hasAmcsService ? [DnsMethod.AMCS] : [])];
  const writes: EndpointSlice[] = [];
  const deletes: EndpointSlice[] = [];
  const handled = new Set<EndpointSlice>();
  for (const source of exported ? resolution.sources : []) {
    for (const method of methods) {
      const target: SliceTarget = { namespace: input.namespace, service: input.service, sourceClusterId: source.clusterId, method };
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

function derivedImport(input: PlanInput, type: string, ports: readonly ImportPort[]): ServiceImport {
  return {
    apiVersion: 'multicluster.x-k8s.io/v1alpha1',
    kind: 'ServiceImport',
    metadata: { name: input.service, namespace: input.namespace, labels: { [LABEL_DERIVED_BY]: MANAGER, [LABEL_IMPORT_OF]: input.service } },
    spec: { type, ports: ports.map((p) => ({ ...p })) },
  };
}

function sameImportSpec(actual: ServiceImport, desired: ServiceImport): boolean {
  const norm = (si: ServiceImport) => ({ type: si.spec?.type, ports: (si.spec?.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', appProtocol: p.appProtocol ?? '' })) });
  return canonical(norm(actual)) === canonical(norm(desired));
}

function statusIfChanged(si: ServiceImport | undefined, clusters: readonly string[]): Pick<ConsumerPlan, 'serviceImportStatus'> {
  if (!si) {
    return {};
  }
  const ready: ConditionInput = clusters.length > 0
    ? { type: 'Ready', status: 'True', reason: 'Ready', message: `endpoints from ${clusters.map((c) => `"${c}"`).join(', ')}` }
    : { type: 'Ready', status: 'False', reason: 'Pending', message: 'no cluster exports this service' };
  const status: ServiceImportStatus = { clusters: clusters.map((cluster) => ({ cluster })), conditions: [ready] };
  const sameClusters = canonical((si.status?.clusters ?? []).map((c) => c.cluster).sort()) === canonical([...clusters]);
  return sameClusters && sameConditions(si.status?.conditions, status.conditions) ? {} : { serviceImportStatus: status };
}
