/**
 * Executes (or, in a dry run, evaluates) a plan's prune list: each delete guarded by the live
 * object's UID, namespaces and CRDs only when nothing but what we prune would go with them.
 */
import { ManifestObject } from '../../fleet/apply-order';
import { ApiDiscovery } from '../../kube/discovery';
import { KubeClient } from '../../kube/client';
import { messageOf } from '../../kube/errors';
import { resourcePath, ResourceType } from '../../kube/resources';
import { KubeObject } from '../../kube/types';
import { mapLimit } from './concurrency';
import { listAll } from './live-state';
import { describeRef, refKey, refOf } from './object-ref';
import { PruneAction } from './plan';
import { crdBlockers, namespaceBlockers } from './prune-rules';
import { ObjectOutcome } from './report';
import { crdProvidedTypes } from './resolve';

export type PruneClient = Pick<KubeClient, 'clusterId' | 'request' | 'delete'>;

export interface PruneContext {
  readonly client: PruneClient;
  readonly discovery: ApiDiscovery;
  /** The resource of each prune action's ref, by refKey(). */
  readonly types: ReadonlyMap<string, ResourceType>;
  readonly dryRun: boolean;
  readonly emit: (o: ObjectOutcome) => void;
}

const LIST_CONCURRENCY = 8;
const BLOCKERS_SHOWN = 5;

/** Deletes in the plan's order (the reverse of the apply order); one failure does not stop the rest. */
export async function executePrune(actions: readonly PruneAction[], ctx: PruneContext): Promise<void> {
  const pruning = new Set(actions.map((a) => refKey(a.ref)));
  for (const action of actions) {
    const base = { clusterId: ctx.client.clusterId, ref: action.ref, dryRun: ctx.dryRun };
    try {
      const blockers = action.guard ? await guardBlockers(action, pruning, ctx) : [];
      if (blockers.length > 0) {
        ctx.emit({ ...base, outcome: 'kept', reason: blockedReason(action, blockers) });
        continue;
      }
      if (!ctx.dryRun) {
        const type = ctx.types.get(refKey(action.ref))!;
        await ctx.client.delete(resourcePath(type, { namespace: action.ref.namespace, name: action.ref.name }), { uid: action.live.metadata.uid, propagationPolicy: 'Background' });
      }
      ctx.emit({ ...base, outcome: 'pruned' });
    } catch (e) {
      ctx.emit({ ...base, outcome: 'failed', reason: `prune: ${messageOf(e)}` });
    }
  }
}

/** What would be deleted along with a namespace or CRD that we do not prune ourselves (as descriptions). */
async function guardBlockers(action: PruneAction, pruning: ReadonlySet<string>, ctx: PruneContext): Promise<string[]> {
  if (action.guard === 'namespace-contents') {
    const types = await ctx.discovery.namespacedListable();
    const lists = await mapLimit(types, LIST_CONCURRENCY, (t) => listOrReason(ctx.client, t, action.ref.name));
    const unreadable = lists.filter((l): l is string => typeof l === 'string');
    const contents = lists.filter((l): l is KubeObject[] => typeof l !== 'string').flat();
    return [...unreadable, ...namespaceBlockers(contents, pruning).map((o) => describeRef(refOf(o)))];
  }
  const served = crdProvidedTypes([action.live as unknown as ManifestObject]);
  if (served.length === 0) {
    return ['instances of unknown extent (the CRD serves no version they could be listed in)'];
  }
  const lists = await Promise.all(served.slice(0, 1).map((t) => listOrReason(ctx.client, t)));
  const unreadable = lists.filter((l): l is string => typeof l === 'string');
  const instances = lists.filter((l): l is KubeObject[] => typeof l !== 'string').flat();
  return [...unreadable, ...crdBlockers(instances, pruning).map((o) => describeRef(refOf(o)))];
}

/** The list, or why it could not be read (an unreadable resource blocks the delete: we cannot prove it empty). */
async function listOrReason(client: PruneClient, type: ResourceType, namespace?: string): Promise<KubeObject[] | string> {
  try {
    return await listAll(client, type, namespace);
  } catch (e) {
    return `${type.plural}${type.group ? `.${type.group}` : ''} could not be listed (${messageOf(e).slice(0, 160)})`;
  }
}

function blockedReason(action: PruneAction, blockers: readonly string[]): string {
  const shown = blockers.slice(0, BLOCKERS_SHOWN).join(', ') + (blockers.length > BLOCKERS_SHOWN ? `, and ${blockers.length - BLOCKERS_SHOWN} more` : '');
  const what = action.guard === 'namespace-contents' ? 'the namespace still holds' : 'the CRD still has';
  return `${what} ${blockers.length} object${blockers.length === 1 ? '' : 's'} this inventory does not prune (${shown}); kept, tried again on the next prune`;
}
