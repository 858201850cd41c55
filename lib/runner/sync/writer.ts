/**
 * Executes plans against a cluster with our field manager, deletes guarded by UID, and each result
 * written through to the informer cache so the next reconcile sees it.
 *
 * Derived EndpointSlices are the runner's alone (labelled managed-by cdk8s-mcs; the in-cluster
 * controllers leave them be), so they are written whole: created when the cache has none, replaced
 * unconditionally when it has one, which states every field as a forced apply would. Measured on
 * the bed, a create costs the API server 0.59x the CPU of a server-side apply of the same new
 * slice and a replace 0.61x of an apply of the same change (2.38 against 4.06 ms and 2.74 against
 * 4.50 ms per write, `npm run bench -- write-verbs`, BENCHMARKS.md); at start-up slices are half
 * of all writes. Everything shared with others (ServiceImports from Git, their
 * status, ClusterSetIP Services, ServiceExport status) keeps server-side apply, whose field
 * ownership lets other writers' fields be.
 */
import { KubeClient } from '../../kube/client';
import { isAlreadyExists, isNotFound } from '../../kube/errors';
import { ENDPOINT_SLICES, resourcePath, SERVICE_EXPORTS, SERVICE_IMPORTS, SERVICES } from '../../kube/resources';
import { Condition, EndpointSlice, KubeObject, objectKey, Service, ServiceExport, ServiceImport } from '../../kube/types';
import { ClusterState } from './cluster-state';
import { LABEL_DERIVED_BY, LABEL_IMPORT_OF } from '../../fleet/names';
import { ConditionInput, mergeConditions } from './conditions';
import { ConsumerPlan } from './consumer-plan';
import { WriteFence } from './fence';

/** The verb of a mutating request, as the write metrics label it. */
export type WriteVerb = 'apply' | 'create' | 'update' | 'patch' | 'delete';

export interface WriteContext {
  readonly fieldManager: string;
  /** RFC 3339 time used for condition transitions. */
  readonly now: string;
  /** Called once per mutating request, for metrics. */
  readonly onWrite?: (clusterId: string, resource: string, verb: WriteVerb) => void;
  /** Checked before every write batch; its signal aborts writes in flight when leadership ends. */
  readonly fence?: WriteFence;
}

/** Throws unless this replica may write now (a leader that lost its lease stops here). */
function fenced(ctx: WriteContext, state: ClusterState, what: string): void {
  ctx.fence?.check(`${what} to cluster "${state.clusterId}"`);
}

/** Applies a consumer plan; returns the number of mutating requests made. */
export async function executeConsumerPlan(state: ClusterState, plan: ConsumerPlan, ctx: WriteContext): Promise<number> {
  let writes = 0;
  const count = (resource: string, verb: WriteVerb) => {
    writes++;
    ctx.onWrite?.(state.clusterId, resource, verb);
  };
  if (plan.clusterSetServiceApply) {
    await applyClusterSetService(state, plan.clusterSetServiceApply, ctx);
    count('services', 'apply');
  }
  // Slices never share a name within a plan, so their writes and deletes go out at once (an amcs- slice need not wait for the MCS one).
  if (plan.sliceWrites.length + plan.sliceDeletes.length > 0) {
    fenced(ctx, state, 'EndpointSlices');
  }
  // The ServiceImport and the slices do not depend on each other (only the import's status needs the import): all go out at once.
  const importApply = plan.serviceImportApply ? applyImport(state, plan.serviceImportApply, ctx).then(() => count('serviceimports', 'apply')) : undefined;
  const sliceWrites = plan.sliceWrites.map(async (slice) => {
    const { written, verb } = await writeSlice(state, slice, ctx);
    state.slices.upsertLocal(written);
    count('endpointslices', verb);
  });
  const sliceDeletes = plan.sliceDeletes.map(async (slice) => {
    await state.client.delete(resourcePath(ENDPOINT_SLICES, { namespace: slice.metadata.namespace, name: slice.metadata.name }), { uid: slice.metadata.uid, signal: ctx.fence?.signal });
    state.slices.removeLocal(objectKey(slice));
    count('endpointslices', 'delete');
  });
  await settleAll([...(importApply ? [importApply] : []), ...sliceWrites, ...sliceDeletes]);
  if (plan.serviceImportRelease) {
    await releaseImport(state, plan.serviceImportRelease, ctx);
    count('serviceimports', 'patch');
  }
  if (plan.serviceImportStatus) {
    fenced(ctx, state, 'the ServiceImport status');
    await writeImportStatus(state, plan, ctx);
    count('serviceimports', 'apply');
  }
  if (plan.serviceImportDelete) {
    fenced(ctx, state, 'a ServiceImport delete');
    await state.client.delete(SERVICE_IMPORTS_PATH(plan.serviceImportDelete), { uid: plan.serviceImportDelete.metadata.uid, signal: ctx.fence?.signal });
    state.serviceImports.removeLocal(objectKey(plan.serviceImportDelete));
    count('serviceimports', 'delete');
  }
  if (plan.clusterSetServiceDelete) {
    fenced(ctx, state, 'a Service delete');
    await state.client.delete(resourcePath(SERVICES, { namespace: plan.clusterSetServiceDelete.metadata.namespace, name: plan.clusterSetServiceDelete.metadata.name }), { uid: plan.clusterSetServiceDelete.metadata.uid, signal: ctx.fence?.signal });
    state.services.removeLocal(objectKey(plan.clusterSetServiceDelete));
    count('services', 'delete');
  }
  return writes;
}

async function applyImport(state: ClusterState, si: ServiceImport, ctx: WriteContext): Promise<void> {
  fenced(ctx, state, 'the ServiceImport');
  state.serviceImports.upsertLocal(await apply<ServiceImport>(state.client, SERVICE_IMPORTS_PATH(si), si, ctx));
}

/**
 * Hands a derived import over to whoever declared it since: a merge patch removing the runner's
 * labels (an apply would also drop the spec fields only the runner's apply owns). The uid in the
 * patch makes it fail on an import that was replaced meanwhile.
 */
async function releaseImport(state: ClusterState, si: ServiceImport, ctx: WriteContext): Promise<void> {
  fenced(ctx, state, 'a ServiceImport hand-over');
  const patch = { metadata: { uid: si.metadata.uid, labels: { [LABEL_DERIVED_BY]: null, [LABEL_IMPORT_OF]: null } } };
  try {
    state.serviceImports.upsertLocal(await state.client.mergePatch<ServiceImport>(SERVICE_IMPORTS_PATH(si), patch, { fieldManager: ctx.fieldManager, signal: ctx.fence?.signal }));
  } catch (e) {
    if (!isNotFound(e)) {
      throw e; // deleted meanwhile: nothing left to hand over
    }
  }
}

/** Applies the ClusterSetIP Service and writes it through, so a plan made next sees its allocated IPs. */
export async function applyClusterSetService(state: ClusterState, service: Service, ctx: WriteContext): Promise<void> {
  fenced(ctx, state, 'the ClusterSetIP Service');
  const written = await apply<Service>(state.client, resourcePath(SERVICES, { namespace: service.metadata.namespace, name: service.metadata.name }), service, ctx);
  state.services.upsertLocal(written);
}

/** Waits for every promise; then throws the first failure, if any (none is left running unobserved). */
async function settleAll(promises: readonly Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    throw failed.reason;
  }
}

async function writeImportStatus(state: ClusterState, plan: ConsumerPlan, ctx: WriteContext): Promise<void> {
  const observed = state.serviceImports.get(`${plan.namespace}/${plan.service}`);
  const body: KubeObject = {
    apiVersion: 'multicluster.x-k8s.io/v1alpha1',
    kind: 'ServiceImport',
    metadata: { name: plan.service, namespace: plan.namespace },
    status: { clusters: plan.serviceImportStatus!.clusters, conditions: mergeConditions(observed?.status?.conditions, plan.serviceImportStatus!.conditions, ctx.now) },
  };
  try {
    const written = await state.client.apply<ServiceImport>(SERVICE_IMPORTS_PATH(body), body, { fieldManager: ctx.fieldManager, force: true, subresource: 'status', signal: ctx.fence?.signal });
    state.serviceImports.upsertLocal(written);
  } catch (e) {
    if (!isNotFound(e)) {
      throw e; // a NotFound means it was deleted meanwhile; its delete event requeues the key
    }
  }
}

/** Writes the export's conditions when they differ from what it carries. */
export async function writeExportConditions(state: ClusterState, se: ServiceExport, conditions: readonly ConditionInput[], ctx: WriteContext): Promise<void> {
  const merged: Condition[] = mergeConditions(se.status?.conditions, conditions, ctx.now);
  const body: KubeObject = {
    apiVersion: 'multicluster.x-k8s.io/v1alpha1',
    kind: 'ServiceExport',
    metadata: { name: se.metadata.name, namespace: se.metadata.namespace },
    status: { conditions: merged },
  };
  const path = resourcePath(SERVICE_EXPORTS, { namespace: se.metadata.namespace, name: se.metadata.name });
  fenced(ctx, state, 'the ServiceExport status');
  try {
    const written = await state.client.apply<ServiceExport>(path, body, { fieldManager: ctx.fieldManager, force: true, subresource: 'status', signal: ctx.fence?.signal });
    state.serviceExports.upsertLocal(written);
    ctx.onWrite?.(state.clusterId, 'serviceexports', 'apply');
  } catch (e) {
    if (!isNotFound(e)) {
      throw e;
    }
  }
}

/**
 * Creates a derived slice the cache does not hold, or replaces the one it holds. A cache behind
 * the server costs one more request: a create that finds the slice replaces it, a replace that
 * finds none creates it.
 */
async function writeSlice(state: ClusterState, slice: EndpointSlice, ctx: WriteContext): Promise<{ written: EndpointSlice; verb: WriteVerb }> {
  const path = resourcePath(ENDPOINT_SLICES, { namespace: slice.metadata.namespace, name: slice.metadata.name });
  const o = { fieldManager: ctx.fieldManager, signal: ctx.fence?.signal };
  const create = async () => ({ written: await state.client.create<EndpointSlice>(path, slice, o), verb: 'create' as const });
  const replace = async () => ({ written: await state.client.replace<EndpointSlice>(path, slice, o), verb: 'update' as const });
  if (state.slices.get(objectKey(slice)) === undefined) {
    try {
      return await create();
    } catch (e) {
      if (!isAlreadyExists(e)) {
        throw e;
      }
    }
    return replace();
  }
  try {
    return await replace();
  } catch (e) {
    if (!isNotFound(e)) {
      throw e;
    }
  }
  return create();
}

function SERVICE_IMPORTS_PATH(si: KubeObject): string {
  return resourcePath(SERVICE_IMPORTS, { namespace: si.metadata.namespace, name: si.metadata.name });
}

function apply<T extends KubeObject>(client: KubeClient, path: string, obj: KubeObject, ctx: WriteContext): Promise<T> {
  return client.apply<T>(path, obj, { fieldManager: ctx.fieldManager, force: true, signal: ctx.fence?.signal });
}
