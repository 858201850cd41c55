/**
 * What each provider cluster exports for one namespaced service -> validity, conflicts (KEP-1645:
 * the oldest export wins), the import's type and ports, and the conditions of every export. Pure.
 */
import { Pod, Service, ServiceExport } from '../../kube/types';
import { ConditionInput } from './conditions';
import { podEndpoints, SourceEndpoint } from './endpoints';

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

export interface ExportResolution {
  /** Undefined when no provider has a valid export: everything derived must go. */
  readonly importType?: ImportType;
  readonly ports: readonly ImportPort[];
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
  const conflict = conflictCondition(valid);
  for (const v of valid) {
    conditions.get(v.view.clusterId)!.push(withGeneration(conflict, v.view));
  }
  const sources = valid
    .filter((v) => v.type === winner.type)
    .map((v) => ({ clusterId: v.view.clusterId, endpoints: v.view.alive ? podEndpoints(v.service, v.view.pods) : notReady(podEndpoints(v.service, v.view.pods)) }));
  return { importType: winner.type, ports: mergePorts(valid), sources, exportConditions: conditions };
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

function conflictCondition(valid: readonly ValidExport[]): ConditionInput {
  const winner = valid[0];
  const reasons = new Set<string>();
  const disagreeing = new Set<string>();
  for (const v of valid.slice(1)) {
    if (v.type !== winner.type) {
      reasons.add('TypeConflict');
      disagreeing.add(v.view.clusterId);
    }
    if (portsConflict(v.service, winner.service)) {
      reasons.add('PortConflict');
      disagreeing.add(v.view.clusterId);
    }
  }
  if (reasons.size === 0) {
    return { type: 'Conflict', status: 'False', reason: 'NoConflicts', message: 'No conflicts with the other exports of this service' };
  }
  const reason = [...reasons].sort().join(',');
  return {
    type: 'Conflict',
    status: 'True',
    reason,
    message: `Conflicting ${[...reasons].map((r) => r.replace('Conflict', '').toLowerCase()).sort().join(' and ')}: using the oldest export, from "${winner.view.clusterId}". ${disagreeing.size}/${valid.length} clusters disagree: ${[...disagreeing].sort().join(', ')}`,
  };
}

function portsConflict(a: Service, b: Service): boolean {
  const bp = b.spec?.ports ?? [];
  return (a.spec?.ports ?? []).some((p) =>
    bp.some((q) => {
      const sameName = (p.name ?? '') === (q.name ?? '');
      const sameNumber = p.port === q.port && (p.protocol ?? 'TCP') === (q.protocol ?? 'TCP');
      return sameName !== sameNumber;
    }),
  );
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
