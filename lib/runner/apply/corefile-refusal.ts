/**
 * Which CoreDNS configuration objects of a cluster's plan `apply` refuses, because applying them
 * would lose lines of the live configuration that are not the clusterset patch, and the message
 * that names the lines and the fix. Pure.
 */
import { COREDNS_CUSTOM_SERVER_KEY, COREFILE_KEY } from '../../fleet/coredns-objects';
import { checkCorefileChange, CoreDnsDeclaration, CorefileVerdict, guardedKey, LostLine } from './corefile-guard';
import { appliedFieldsOf } from './managed-fields';
import { describeRef, refKey } from './object-ref';
import { APPLY_FIELD_MANAGER } from './ownership';
import { ObjectPlan } from './plan';

export interface CorefileSafety {
  readonly declaration: CoreDnsDeclaration;
  /** `--overwrite-corefile`: apply even when live lines would be lost (they are still listed). */
  readonly overwrite?: boolean;
  /** How `dist` was given on the command line, for the fix (`corefile pull --dist <dist>`). */
  readonly dist?: string;
}

export interface CorefileDecision {
  /** Set when the object must not be applied: the whole explanation. */
  readonly refusal?: string;
  /** Lines lost, refused or overwritten. */
  readonly lost: readonly LostLine[];
  /** Something to tell even though the object is applied (lines overwritten on request). */
  readonly notice?: string;
}

/** One decision per guarded object of the plan that would change live configuration, by refKey(). */
export function corefileDecisions(objects: readonly ObjectPlan[], safety: CorefileSafety): Map<string, CorefileDecision> {
  const decisions = new Map<string, CorefileDecision>();
  for (const plan of objects) {
    const key = guardedKey(plan.ref);
    if (!key || plan.action !== 'update' || !plan.live) {
      continue;
    }
    const desired = (plan.desired.object.data as Record<string, unknown> | undefined)?.[key];
    if (typeof desired !== 'string') {
      continue;
    }
    const live = (plan.live.data as Record<string, unknown> | undefined)?.[key];
    const ownedByUs = appliedFieldsOf(plan.live, APPLY_FIELD_MANAGER)?.['f:data']?.[`f:${key}`] !== undefined;
    const verdict = checkCorefileChange(key, typeof live === 'string' ? live : undefined, desired, { declaration: safety.declaration, ownedByUs });
    const decision = decide(verdict, plan, key, safety);
    if (decision) {
      decisions.set(refKey(plan.ref), decision);
    }
  }
  return decisions;
}

function decide(verdict: CorefileVerdict, plan: ObjectPlan, key: string, safety: CorefileSafety): CorefileDecision | undefined {
  if (verdict.kind !== 'loses') {
    return undefined;
  }
  const what = `${describeRef(plan.ref)} (data.${key})`;
  const lines = verdict.lost.map((l) => `    live line ${l.line}: ${l.text}`);
  const count = `${verdict.lost.length} line${verdict.lost.length === 1 ? '' : 's'}`;
  if (safety.overwrite) {
    return { lost: verdict.lost, notice: `--overwrite-corefile: replacing ${count} of the live ${what} that dist does not have:\n${lines.join('\n')}` };
  }
  const head = `applying ${plan.desired.file} would remove or change ${count} of the live ${what} that are not part of the clusterset patch:`;
  const note = verdict.note ? [`  (${verdict.note})`] : [];
  return { lost: verdict.lost, refusal: [head, ...lines, ...note, `  ${fixFor(key, safety)} The live object was not changed.`].join('\n') };
}

function fixFor(key: string, safety: CorefileSafety): string {
  const id = safety.declaration.clusterId;
  if (key === COREDNS_CUSTOM_SERVER_KEY) {
    return `Fix: the key ${COREDNS_CUSTOM_SERVER_KEY} is cdk8s-mcs's; move your server block to another key of the ConfigMap (e.g. my-zones.server), or pass --overwrite-corefile to replace it.`;
  }
  const dist = safety.dist ?? 'dist';
  const base = key === COREFILE_KEY ? `Fix: build on the live Corefile: npx cdk8s-mcs corefile pull --dist ${dist} --only ${id} --out corefiles/ writes corefiles/${id}.Corefile; pass its text as baseCorefile of cluster "${id}" (fleet.addCluster('${id}', { baseCorefile: fs.readFileSync('corefiles/${id}.Corefile', 'utf8'), ... })), synthesize and apply again.` : '';
  return `${base} Or pass --overwrite-corefile to replace the live Corefile anyway.`;
}
