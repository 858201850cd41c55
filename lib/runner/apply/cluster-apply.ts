/**
 * `apply` (or its dry run) for one cluster: observe, plan, apply phase by phase, prune, keep the
 * inventory true. Never throws: whatever goes wrong ends up in the cluster's report.
 */
import { KubeClient } from '../../kube/client';
import { messageOf } from '../../kube/errors';
import { reportPlannedObjects } from './dry-run';
import { CoreDnsChange, coreDnsConfigChanges } from './coredns-change';
import { CoreDnsRolloutOptions } from './coredns-rollout';
import { corefileDecisions, CorefileSafety } from './corefile-refusal';
import { DEFAULT_CRD_TIMEOUT_MS } from './crd-wait';
import { applyPhases } from './execute';
import { unionRefs } from './inventory';
import { writeInventoryIfChanged } from './inventory-store';
import { ManifestFile } from './manifests';
import { desiredRefs, ObservedCluster, observeCluster } from './observe';
import { executePrune } from './prune';
import { ClusterReport, ObjectOutcome } from './report';

export type ApplyClient = Pick<KubeClient, 'clusterId' | 'request' | 'apply' | 'delete' | 'counter'>;

export interface ClusterApplyOptions {
  readonly client: ApplyClient;
  /** `name` of fleet.json: names the inventory. */
  readonly fleetName: string;
  readonly manifests: readonly ManifestFile[];
  /** Write nothing; report what would change. */
  readonly dryRun?: boolean;
  /** Delete what an earlier apply created and dist no longer has. */
  readonly prune?: boolean;
  /** How long to wait for applied CRDs to become Established before their instances are applied. @default 60 s */
  readonly crdTimeoutMs?: number;
  /** Called once per object as soon as it is created, updated, found unchanged or pruned (progress output). */
  readonly onOutcome?: (o: ObjectOutcome) => void;
  /** Progress that is not about one object, e.g. waiting for CRDs. */
  readonly onNotice?: (clusterId: string, text: string) => void;
  /**
   * What the cluster declares about CoreDNS, for refusing a change that would lose live Corefile
   * lines. @default the cluster ID only: the live Corefile is compared with dist's as it is
   */
  readonly corefile?: CorefileSafety;
  /** How to watch CoreDNS after its configuration changed; undefined: not watched, never rolled back. */
  readonly rollout?: CoreDnsRolloutOptions;
}

export async function applyCluster(o: ClusterApplyOptions): Promise<ClusterReport> {
  const started = Date.now();
  const requestsBefore = o.client.counter.total();
  const writesBefore = o.client.counter.writes();
  const outcomes: ObjectOutcome[] = [];
  const emit = (x: ObjectOutcome) => {
    outcomes.push(x);
    o.onOutcome?.(x);
  };
  const notice = (text: string) => o.onNotice?.(o.client.clusterId, text);
  let error: string | undefined;
  try {
    if (o.prune && o.manifests.length === 0) {
      // an empty folder is far more often a broken synth than an intent to delete everything
      throw new Error(`dist holds no objects for cluster "${o.client.clusterId}": refusing to prune everything it applied before (delete the objects by hand if you mean it)`);
    }
    const observed = await observeCluster(o.client, o.fleetName, o.manifests);
    if (o.dryRun) {
      await dryRun(o, observed, emit, notice);
    } else {
      await applyAndPrune(o, observed, emit, notice);
    }
  } catch (e) {
    error = messageOf(e);
  }
  return {
    clusterId: o.client.clusterId,
    dryRun: o.dryRun ?? false,
    outcomes,
    error,
    durationMs: Date.now() - started,
    requests: o.client.counter.total() - requestsBefore,
    writes: o.client.counter.writes() - writesBefore,
  };
}

type Emit = (x: ObjectOutcome) => void;
type Notice = (text: string) => void;

function decisionsFor(o: ClusterApplyOptions, observed: ObservedCluster) {
  return corefileDecisions(observed.plan.objects, o.corefile ?? { declaration: { clusterId: o.client.clusterId } });
}

async function dryRun(o: ClusterApplyOptions, observed: ObservedCluster, emit: Emit, notice: Notice): Promise<void> {
  await reportPlannedObjects(o.client, observed.plan.objects, observed.types, emit, decisionsFor(o, observed));
  if (o.prune) {
    reportKept(o, observed, emit, true);
    await executePrune(observed.plan.prune, { client: o.client, discovery: observed.discovery, types: observed.types, dryRun: true, emit });
  } else {
    noticeLeftovers(observed, notice);
  }
}

async function applyAndPrune(o: ClusterApplyOptions, observed: ObservedCluster, emit: Emit, notice: Notice): Promise<void> {
  const desired = desiredRefs(observed);
  const stored = observed.inventory.objects;
  // Recorded before the first write, so that a run that dies half-way still knows what it created.
  const recorded = unionRefs(stored, desired);
  await writeInventoryIfChanged(o.client, observed.store, stored, recorded);
  const decisions = decisionsFor(o, observed);
  const dnsPlans = coreDnsConfigChanges(observed.plan.objects, decisions);
  const dns = o.rollout && dnsPlans.length > 0 ? new CoreDnsChange(o.client, dnsPlans, o.rollout, notice) : undefined;
  await dns?.prepare();
  const applied = await applyPhases({ client: o.client, observed, crdTimeoutMs: o.crdTimeoutMs ?? DEFAULT_CRD_TIMEOUT_MS, emit: dns ? dns.holding(emit) : emit, notice, corefileDecisions: decisions });
  const failed = applied + (dns ? await dns.settle(emit) : 0);
  if (!o.prune) {
    noticeLeftovers(observed, notice);
    return;
  }
  if (failed > 0) {
    notice(`prune skipped: ${failed} object${failed === 1 ? '' : 's'} failed to apply`);
    return;
  }
  reportKept(o, observed, emit, false);
  const pruneOutcomes: ObjectOutcome[] = [];
  const emitPrune = (x: ObjectOutcome) => {
    pruneOutcomes.push(x);
    emit(x);
  };
  await executePrune(observed.plan.prune, { client: o.client, discovery: observed.discovery, types: observed.types, dryRun: false, emit: emitPrune });
  const retained = [
    ...observed.plan.kept.filter((k) => k.retry).map((k) => k.ref),
    ...observed.unresolved.map((k) => k.ref),
    ...pruneOutcomes.filter((x) => x.outcome !== 'pruned').map((x) => x.ref),
  ];
  await writeInventoryIfChanged(o.client, observed.store, recorded, unionRefs(desired, retained));
}

function reportKept(o: ClusterApplyOptions, observed: ObservedCluster, emit: Emit, dryRun: boolean): void {
  for (const k of [...observed.plan.kept, ...observed.unresolved]) {
    emit({ clusterId: o.client.clusterId, ref: k.ref, outcome: 'kept', dryRun, reason: k.reason });
  }
}

function noticeLeftovers(observed: ObservedCluster, notice: Notice): void {
  const n = observed.plan.prune.length;
  if (n > 0) {
    notice(`${n} object${n === 1 ? '' : 's'} applied earlier ${n === 1 ? 'is' : 'are'} no longer in dist; --prune deletes ${n === 1 ? 'it' : 'them'}`);
  }
}
