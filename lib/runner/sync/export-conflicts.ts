/**
 * The Conflict condition of a service's exports (MCS API v1beta1): every property the import takes
 * from one export must agree across all of them; where one does not, the oldest export wins and
 * every valid export carries Conflict=True with the reasons, comma-separated. Pure.
 */
import { Service, ServiceExport, SessionAffinityConfig } from '../../kube/types';
import { ConditionInput } from './conditions';
import { canonical } from './slices';

/** What the conflict rules compare of one valid export. */
export interface ExportFacts {
  readonly clusterId: string;
  readonly type: string;
  readonly service: Service;
  readonly serviceExport?: ServiceExport;
}

interface ConflictRule {
  readonly reason: string;
  /** How the message names the property. */
  readonly words: string;
  readonly valueOf: (e: ExportFacts) => unknown;
}

/** In the order the message lists them. */
const RULES: readonly ConflictRule[] = [
  { reason: 'TypeConflict', words: 'type', valueOf: (e) => e.type },
  // v1beta1: "if the ports are not identical in all the constituent Services" (the import still gets their union).
  { reason: 'PortConflict', words: 'ports', valueOf: (e) => portSet(e.service) },
  { reason: 'SessionAffinityConflict', words: 'session affinity', valueOf: (e) => sessionAffinityOf(e.service) },
  { reason: 'SessionAffinityConfigConflict', words: 'session affinity config', valueOf: (e) => sessionAffinityConfigOf(e.service) ?? null },
  { reason: 'InternalTrafficPolicyConflict', words: 'internal traffic policy', valueOf: (e) => e.service.spec?.internalTrafficPolicy ?? 'Cluster' },
  { reason: 'TrafficDistributionConflict', words: 'traffic distribution', valueOf: (e) => e.service.spec?.trafficDistribution ?? null },
  { reason: 'IPFamilyConflict', words: 'IP families', valueOf: (e) => [...(e.service.spec?.ipFamilies ?? [])].sort() },
  { reason: 'LabelsConflict', words: 'exported labels', valueOf: (e) => e.serviceExport?.spec?.exportedLabels ?? {} },
  { reason: 'AnnotationsConflict', words: 'exported annotations', valueOf: (e) => e.serviceExport?.spec?.exportedAnnotations ?? {} },
];

/** `None` unless set: the API server's default, so a defaulted and an explicit `None` agree. */
export function sessionAffinityOf(service: Service): string {
  return service.spec?.sessionAffinity ?? 'None';
}

/** The config only matters, and is only kept, with ClientIP affinity. */
export function sessionAffinityConfigOf(service: Service): SessionAffinityConfig | undefined {
  return sessionAffinityOf(service) === 'ClientIP' ? service.spec?.sessionAffinityConfig : undefined;
}

function portSet(service: Service): string[] {
  return (service.spec?.ports ?? []).map((p) => canonical({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', appProtocol: p.appProtocol ?? '' })).sort();
}

/** The Conflict condition every valid export carries; `valid` is oldest first (the winner first). */
export function conflictCondition(valid: readonly ExportFacts[]): ConditionInput {
  const [winner, ...others] = valid;
  const failed = RULES.filter((rule) => others.some((o) => canonical(rule.valueOf(o)) !== canonical(rule.valueOf(winner))));
  if (failed.length === 0) {
    return { type: 'Conflict', status: 'False', reason: 'NoConflicts', message: 'No conflicts with the other exports of this service' };
  }
  const disagreeing = others.filter((o) => failed.some((rule) => canonical(rule.valueOf(o)) !== canonical(rule.valueOf(winner)))).map((o) => o.clusterId);
  return {
    type: 'Conflict',
    status: 'True',
    reason: failed.map((r) => r.reason).sort().join(','),
    message: `Conflicting ${joinWords(failed.map((r) => r.words))}: using the oldest export, from "${winner.clusterId}". ${disagreeing.length}/${valid.length} clusters disagree: ${[...disagreeing].sort().join(', ')}`,
  };
}

function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
