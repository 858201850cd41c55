/**
 * Applies a plan phase by phase: server-side apply with our field manager and `force`, objects of
 * one phase in parallel, CRDs established (and discovery refreshed) before anything that uses them.
 */
import { ApplyPhase } from '../../fleet/apply-order';
import { KubeClient } from '../../kube/client';
import { messageOf } from '../../kube/errors';
import { resourcePath, ResourceType } from '../../kube/resources';
import { KubeObject } from '../../kube/types';
import { mapLimit } from './concurrency';
import { isEstablished, waitForCrdsEstablished } from './crd-wait';
import { CorefileDecision } from './corefile-refusal';
import { ObservedCluster } from './observe';
import { refKey, refOf } from './object-ref';
import { APPLY_FIELD_MANAGER } from './ownership';
import { ObjectPlan } from './plan';
import { ObjectOutcome } from './report';

export type ExecuteClient = Pick<KubeClient, 'clusterId' | 'request' | 'apply'>;

export interface ExecuteContext {
  readonly client: ExecuteClient;
  readonly observed: ObservedCluster;
  readonly crdTimeoutMs: number;
  readonly emit: (o: ObjectOutcome) => void;
  readonly notice: (text: string) => void;
  /** CoreDNS configuration objects not to apply (or to apply with a notice), by refKey(). */
  readonly corefileDecisions?: ReadonlyMap<string, CorefileDecision>;
}

const WRITE_CONCURRENCY = 8;

/** Applies every phase in order; returns how many objects failed. */
export async function applyPhases(ctx: ExecuteContext): Promise<number> {
  const objects = ctx.observed.plan.objects;
  const types = new Map<string, ResourceType | undefined>(ctx.observed.desired.map((d) => [refKey(refOf(d.object)), d.type]));
  const phases = [...new Set(objects.map((o) => o.desired.phase))].sort((a, b) => a - b);
  let failed = 0;
  let crdTypesRefreshed = false;
  for (const phase of phases) {
    if (phase > ApplyPhase.CRDS && !crdTypesRefreshed) {
      await refreshCrdTypes(ctx, types);
      crdTypesRefreshed = true;
    }
    const inPhase = objects.filter((o) => o.desired.phase === phase);
    const results = await mapLimit(inPhase, WRITE_CONCURRENCY, (o) => applyObject(ctx, o, types.get(refKey(o.ref))));
    failed += results.filter((r) => r === 'failed').length;
    if (phase === ApplyPhase.CRDS) {
      await waitForAppliedCrds(ctx, inPhase, results);
    }
  }
  return failed;
}

async function applyObject(ctx: ExecuteContext, plan: ObjectPlan, type: ResourceType | undefined): Promise<ObjectOutcome['outcome']> {
  const base = { clusterId: ctx.client.clusterId, ref: plan.ref, dryRun: false, file: plan.desired.file };
  if (plan.action === 'unchanged') {
    ctx.emit({ ...base, outcome: 'unchanged' });
    return 'unchanged';
  }
  const decision = ctx.corefileDecisions?.get(refKey(plan.ref));
  if (decision?.refusal) {
    ctx.emit({ ...base, outcome: 'failed', refused: true, reason: decision.refusal, changes: plan.changes });
    return 'failed';
  }
  if (decision?.notice) {
    ctx.notice(decision.notice);
  }
  try {
    if (!type) {
      throw new Error(`kind "${plan.ref.kind}" of apiVersion "${plan.ref.apiVersion}" is not served by the API server even after the CRD phase (does a CRD in dist serve that version?)`);
    }
    const path = resourcePath(type, { namespace: plan.ref.namespace, name: plan.ref.name });
    const result = await ctx.client.apply<KubeObject>(path, plan.desired.object, { fieldManager: APPLY_FIELD_MANAGER, force: true });
    // A no-op apply keeps the resourceVersion: the comparison saw a difference the server does not.
    const outcome = plan.action === 'create' ? 'created' : result.metadata.resourceVersion === plan.live?.metadata.resourceVersion ? 'unchanged' : 'updated';
    ctx.emit({ ...base, outcome, changes: outcome === 'updated' ? plan.changes : undefined });
    return outcome;
  } catch (e) {
    ctx.emit({ ...base, outcome: 'failed', reason: `${plan.desired.file}: ${messageOf(e)}` });
    return 'failed';
  }
}

/** Waits for the CRDs of the CRD phase that were written, or that were not established before. */
async function waitForAppliedCrds(ctx: ExecuteContext, crds: readonly ObjectPlan[], results: readonly string[]): Promise<void> {
  const names = crds.filter((o, i) => results[i] !== 'failed' && (results[i] !== 'unchanged' || !isEstablished(o.live))).map((o) => o.ref.name);
  if (names.length === 0) {
    return;
  }
  ctx.notice(`waiting for ${names.length} CustomResourceDefinition${names.length === 1 ? '' : 's'} to be established`);
  await waitForCrdsEstablished(ctx.client, names, ctx.crdTimeoutMs);
}

/** After the CRD phase: discovery again for the kinds that waited for a CRD; the served resource replaces the guess from the CRD. */
async function refreshCrdTypes(ctx: ExecuteContext, types: Map<string, ResourceType | undefined>): Promise<void> {
  const waiting = ctx.observed.desired.filter((d) => d.awaitsCrd);
  if (waiting.length === 0) {
    return;
  }
  await ctx.observed.discovery.refresh(new Set(waiting.map((d) => d.object.apiVersion)));
  for (const d of waiting) {
    types.set(refKey(refOf(d.object)), ctx.observed.discovery.resolve(d.object.apiVersion, d.object.kind));
  }
}
