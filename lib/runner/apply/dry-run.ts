/**
 * What `apply --dry-run` and `diff` report: the plan, with the uncertain updates settled by a
 * server-side dry-run apply (the only requests with a mutating verb; nothing is persisted).
 */
import { KubeClient } from '../../kube/client';
import { messageOf } from '../../kube/errors';
import { resourcePath, ResourceType } from '../../kube/resources';
import { KubeObject } from '../../kube/types';
import { contentDifferences } from './compare';
import { mapLimit } from './concurrency';
import { CorefileDecision } from './corefile-refusal';
import { refKey } from './object-ref';
import { APPLY_FIELD_MANAGER } from './ownership';
import { ObjectPlan } from './plan';
import { ObjectOutcome } from './report';

export type DryRunClient = Pick<KubeClient, 'clusterId' | 'apply'>;

const DRY_RUN_CONCURRENCY = 8;

/** Emits one outcome per planned object, in plan order. */
export async function reportPlannedObjects(client: DryRunClient, objects: readonly ObjectPlan[], types: ReadonlyMap<string, ResourceType>, emit: (o: ObjectOutcome) => void, decisions?: ReadonlyMap<string, CorefileDecision>): Promise<void> {
  const outcomes = await mapLimit(objects, DRY_RUN_CONCURRENCY, async (o) => {
    const refusal = decisions?.get(refKey(o.ref))?.refusal;
    return refusal ? refusedOutcome(client, o, refusal) : plannedOutcome(client, o, types.get(refKey(o.ref)));
  });
  outcomes.forEach(emit);
}

function refusedOutcome(client: DryRunClient, plan: ObjectPlan, refusal: string): ObjectOutcome {
  return { clusterId: client.clusterId, ref: plan.ref, dryRun: true, file: plan.desired.file, outcome: 'failed', refused: true, reason: refusal, changes: plan.changes };
}

async function plannedOutcome(client: DryRunClient, plan: ObjectPlan, type: ResourceType | undefined): Promise<ObjectOutcome> {
  const base = { clusterId: client.clusterId, ref: plan.ref, dryRun: true, file: plan.desired.file };
  switch (plan.action) {
    case 'unchanged':
      return { ...base, outcome: 'unchanged' };
    case 'create':
      return { ...base, outcome: 'created', desired: plan.desired.object };
    default:
      if (!plan.uncertain || !type) {
        return { ...base, outcome: 'updated', changes: plan.changes };
      }
      try {
        const path = resourcePath(type, { namespace: plan.ref.namespace, name: plan.ref.name });
        const result = await client.apply<KubeObject>(path, plan.desired.object, { fieldManager: APPLY_FIELD_MANAGER, force: true, dryRun: true });
        const changes = contentDifferences(result, plan.live!);
        return changes.length === 0 ? { ...base, outcome: 'unchanged' } : { ...base, outcome: 'updated', changes };
      } catch (e) {
        return { ...base, outcome: 'failed', reason: `${plan.desired.file}: server-side dry run: ${messageOf(e)}` };
      }
  }
}
