/**
 * Delivery stages: the apply phases grouped into the steps a GitOps tool must order explicitly.
 * CRDs must be established before their instances, and CoreDNS may only learn about
 * clusterset.local once the CRDs and its RBAC exist (else it answers SERVFAIL and never gets ready).
 */
import { applyPhase, ApplyPhase, ManifestObject } from '../fleet/apply-order';

export interface Stage {
  /** Short name, used in object names: `crds`, `workloads`, `dns`. */
  readonly name: string;
  /** Folder inside `dist/<cluster-id>/`; the number keeps name order equal to apply order. */
  readonly folder: string;
  /** First apply phase of the stage. */
  readonly firstPhase: ApplyPhase;
  /** Last apply phase of the stage. */
  readonly lastPhase: ApplyPhase;
}

export const STAGES: readonly Stage[] = [
  { name: 'crds', folder: '1-crds', firstPhase: ApplyPhase.CRDS, lastPhase: ApplyPhase.CRDS },
  { name: 'workloads', folder: '2-workloads', firstPhase: ApplyPhase.NAMESPACES, lastPhase: ApplyPhase.MULTICLUSTER },
  { name: 'dns', folder: '3-dns', firstPhase: ApplyPhase.DNS, lastPhase: ApplyPhase.DNS },
];

export function stageOf(obj: ManifestObject): Stage {
  const phase = applyPhase(obj);
  const stage = STAGES.find((s) => phase >= s.firstPhase && phase <= s.lastPhase);
  if (!stage) {
    throw new Error(`apply phase ${ApplyPhase[phase]} of ${obj.kind} ${obj.metadata.name} belongs to no delivery stage (stages: ${STAGES.map((s) => s.name).join(', ')})`);
  }
  return stage;
}

/** The stages that have objects, each with its objects in apply order. */
export function groupByStage(objects: readonly ManifestObject[]): { stage: Stage; objects: ManifestObject[] }[] {
  return STAGES.map((stage) => ({ stage, objects: objects.filter((o) => stageOf(o) === stage) })).filter((g) => g.objects.length > 0);
}
