/**
 * What each provider cluster exports for one namespaced service -> validity, conflicts (KEP-1645:
 * the oldest export wins), the import's type and ports, and the conditions of every export. Pure.
 */
import { Pod, Service, ServiceExport, SessionAffinityConfig } from '../../kube/types';
import { ConditionInput } from './conditions';
import { podEndpoints, SourceEndpoint } from './endpoints';
import { conflictCondition, sessionAffinityConfigOf, sessionAffinityOf } from './export-conflicts';

/** What one provider cluster shows for a namespaced service. */
export interface ProviderView {
  readonly clusterId: string;
  readonly serviceExport?: ServiceExport;
  readonly service?: Service;
  /** Pods the service's selector may select (at least every one it does; filtered by the selector here). */
  readonly pods: readonly Pod[];
  /** False once the cluster has been unreachable for longer than the endpoint TTL. */
  readonly alive: boolean;
}

export type ImportType = 'Headless' | 'ClusterSetIP';

export interface ImportPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: string;
  readonly appProtocol?: string;
}

/** A provider whose endpoints every consumer must see. */
export interface Source {
  readonly clusterId: string;
  readonly endpoints: readonly SourceEndpoint[];
}

/** What the import takes from the winning (oldest valid) export, besides its type and ports. */
export interface ImportProperties {
  readonly sessionAffinity: string;
  readonly sessionAffinityConfig?: SessionAffinityConfig;
  readonly internalTrafficPolicy?: string;
  readonly trafficDistribution?: string;
  /** The exported Service's families, in its order (a ClusterSetIP import takes its own Service's). */
  readonly ipFamilies: readonly string[];
  readonly ipFamilyPolicy?: string;
  /** The ServiceExport's `exportedLabels` / `exportedAnnotations`. */
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface ExportResolution {
  /** Undefined when no provider has a valid export: everything derived must go. */
  readonly importType?: ImportType;
  readonly ports: readonly ImportPort[];
  /** Set with importType. */
  readonly properties?: ImportProperties;
  readonly sources: readonly Source[];
  /** Desired conditions per provider cluster that has a ServiceExport (Ready is set by the controller). */
  readonly exportConditions: ReadonlyMap<string, readonly ConditionInput[]>;
}

interface ValidExport {
  readonly view: ProviderView;
  readonly service: Service;
  readonly type: ImportType;
}

export interface ResolveOptions {
  /** What to do with the endpoints of providers that are no longer alive. @default 'remove' */
  readonly expiredEndpoints?: 'remove' | 'not-ready';
}

export function resolveExports(allViews: readonly ProviderView[], options: ResolveOptions = {}): ExportResolution {
  const keepExpired = options.expiredEndpoints === 'not-ready';
  const views = allViews.filter((v) => v.alive || keepExpired);
  const withExport = views.filter((v) => v.serviceExport !== undefined);
  const valid = withExport.flatMap((v) => validExport(v)).sort(byAge);
  const conditions = new Map<string, ConditionInput[]>();
  for (const v of withExport) {
    conditions.set(v.clusterId, [validCondition(v)]);
  }
  if (valid.length === 0) {
    return { ports: [], sources: [], exportConditions: conditions };
  }
  const winner = valid[0];
  const conflict = conflictCondition(valid.map((v) => ({ clusterId: v.view.clusterId, type: v.type, service: v.service, serviceExport: v.view.serviceExport })));
  for (const v of valid) {
    conditions.get(v.view.clusterId)!.push(withGeneration(conflict, v.view));
  }
  const sources = valid
    .filter((v) => v.type === winner.type)
    .map((v) => ({ clusterId: v.view.clusterId, endpoints: v.view.alive ? podEndpoints(v.service, v.view.pods) : notReady(podEndpoints(v.service, v.view.pods)) }));
  return { importType: winner.type, ports: mergePorts(valid), properties: importProperties(winner), sources, exportConditions: conditions };
}

function importProperties(winner: ValidExport): ImportProperties {
  const spec = winner.service.spec ?? {};
  const config = sessionAffinityConfigOf(winner.service);
  return {
    sessionAffinity: sessionAffinityOf(winner.service),
    ...(config ? { sessionAffinityConfig: config } : {}),
    ...(spec.internalTrafficPolicy ? { internalTrafficPolicy: spec.internalTrafficPolicy } : {}),
    ...(spec.trafficDistribution ? { trafficDistribution: spec.trafficDistribution } : {}),
    ipFamilies: spec.ipFamilies && spec.ipFamilies.length > 0 ? [...spec.ipFamilies] : familiesOfClusterIps(spec.clusterIPs),
    ...(spec.ipFamilyPolicy ? { ipFamilyPolicy: spec.ipFamilyPolicy } : {}),
    labels: { ...(winner.view.serviceExport?.spec?.exportedLabels ?? {}) },
    annotations: { ...(winner.view.serviceExport?.spec?.exportedAnnotations ?? {}) },
  };
}

/** A Service without `ipFamilies` (old API servers): the families of its cluster IPs, else IPv4. */
function familiesOfClusterIps(ips: readonly string[] | undefined): string[] {
  const families = (ips ?? []).filter((ip) => ip && ip !== 'None').map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4'));
  return families.length > 0 ? families : ['IPv4'];
}

/** Endpoints of a lost cluster, kept but never served: ready and serving false. */
function notReady(endpoints: SourceEndpoint[]): SourceEndpoint[] {
  return endpoints.map((e) => ({ ...e, ready: false, serving: false }));
}

function validExport(view: ProviderView): ValidExport[] {
  const service = view.service;
  if (!service || service.spec?.type === 'ExternalName') {
    return [];
  }
  return [{ view, service, type: service.spec?.clusterIP === 'None' ? 'Headless' : 'ClusterSetIP' }];
}

/** Oldest ServiceExport first; the cluster ID breaks ties so every runner agrees. */
function byAge(a: ValidExport, b: ValidExport): number {
  const ta = a.view.serviceExport?.metadata.creationTimestamp ?? '';
  const tb = b.view.serviceExport?.metadata.creationTimestamp ?? '';
  if (ta !== tb) {
    return ta < tb ? -1 : 1;
  }
  return a.view.clusterId < b.view.clusterId ? -1 : 1;
}

function withGeneration(c: ConditionInput, view: ProviderView): ConditionInput {
  return { ...c, observedGeneration: view.serviceExport?.metadata.generation ?? 0 };
}

function validCondition(view: ProviderView): ConditionInput {
  const base = { type: 'Valid', observedGeneration: view.serviceExport?.metadata.generation ?? 0 };
  if (!view.service) {
    return { ...base, status: 'False', reason: 'NoService', message: `Service ${view.serviceExport!.metadata.namespace}/${view.serviceExport!.metadata.name} does not exist in cluster "${view.clusterId}"` };
  }
  if (view.service.spec?.type === 'ExternalName') {
    return { ...base, status: 'False', reason: 'InvalidServiceType', message: 'Services of type ExternalName cannot be exported' };
  }
  return { ...base, status: 'True', reason: 'Valid', message: 'Service is valid for export' };
}

/** KEP-1645: the union of ports, merged by name then protocol/number; on a clash the oldest export's port wins. */
function mergePorts(valid: readonly ValidExport[]): ImportPort[] {
  const merged: ImportPort[] = [];
  for (const v of valid) {
    for (const p of v.service.spec?.ports ?? []) {
      const port: ImportPort = { ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) };
      const clash = merged.some((m) => (m.name ?? '') === (port.name ?? '') || (m.port === port.port && m.protocol === port.protocol));
      if (!clash) {
        merged.push(port);
      }
    }
  }
  return merged;
}
