/**
 * The CoreDNS configuration change as one guarded step of `apply`: the state of CoreDNS before
 * the write, the outcome lines held back until CoreDNS serves with the change, and the previous
 * configuration put back when it does not.
 */
import { KubeClient } from '../../kube/client';
import { messageOf } from '../../kube/errors';
import { CONFIG_MAPS, resourcePath } from '../../kube/resources';
import { KubeObject } from '../../kube/types';
import { guardedKey } from './corefile-guard';
import { CorefileDecision } from './corefile-refusal';
import { CoreDnsRolloutOptions, RolloutBaseline, takeBaseline, waitForRollout } from './coredns-rollout';
import { describeRef, refKey } from './object-ref';
import { ObjectPlan } from './plan';
import { ObjectOutcome } from './report';

export type RollbackClient = Pick<KubeClient, 'request' | 'delete'>;

/** The plans that change what CoreDNS reads: guarded ConfigMaps created, or with a changed `data`. */
export function coreDnsConfigChanges(objects: readonly ObjectPlan[], decisions: ReadonlyMap<string, CorefileDecision>): ObjectPlan[] {
  return objects.filter((p) => guardedKey(p.ref) !== undefined && !decisions.get(refKey(p.ref))?.refusal && (p.action === 'create' || p.changes.some((c) => c.path[0] === 'data')));
}

export class CoreDnsChange {
  private readonly held = new Map<string, ObjectOutcome>();
  private baseline?: RolloutBaseline;
  private writtenAt = 0;

  public constructor(
    private readonly client: RollbackClient & { readonly clusterId: string },
    private readonly plans: readonly ObjectPlan[],
    private readonly rollout: CoreDnsRolloutOptions,
    private readonly notice: (text: string) => void,
  ) {}

  /** Before any write: what CoreDNS looks like now. */
  public async prepare(): Promise<void> {
    this.baseline = await takeBaseline(this.rollout.probe);
  }

  /** Wraps `emit`: outcomes of the CoreDNS configuration wait for `settle`. */
  public holding(emit: (o: ObjectOutcome) => void): (o: ObjectOutcome) => void {
    const keys = new Set(this.plans.map((p) => refKey(p.ref)));
    return (o) => {
      if (keys.has(refKey(o.ref)) && (o.outcome === 'created' || o.outcome === 'updated')) {
        this.writtenAt ||= Date.now();
        this.held.set(refKey(o.ref), o);
      } else {
        emit(o);
      }
    };
  }

  /** After the writes: waits for CoreDNS, rolls back if it does not serve; returns how many objects failed. */
  public async settle(emit: (o: ObjectOutcome) => void): Promise<number> {
    if (this.held.size === 0) {
      return 0;
    }
    const written = this.plans.filter((p) => this.held.has(refKey(p.ref)));
    this.notice(`CoreDNS configuration changed (${written.map((p) => describeRef(p.ref)).join(', ')}); waiting up to ${Math.round(this.rollout.timeoutMs / 1000)}s for ${this.rollout.probe.description} to serve with it`);
    const expectReload = written.every((p) => p.action === 'update');
    const result = await waitForRollout(this.baseline ?? { instances: new Map() }, { ...this.rollout, expectReload, startedAt: this.writtenAt });
    if (result.kind === 'unchecked') {
      this.notice(`WARNING: ${result.reason}; check CoreDNS by hand (kubectl -n kube-system get pods -l k8s-app=kube-dns), or pass --coredns-selector / --coredns-ready-url`);
      this.held.forEach(emit);
      return 0;
    }
    if (result.kind === 'ready') {
      this.notice(`CoreDNS serves with the new configuration after ${(result.ms / 1000).toFixed(1)}s (${result.detail})`);
      this.held.forEach(emit);
      return 0;
    }
    const rollback = await this.rollBack(written);
    written.forEach((p) => emit({ ...this.held.get(refKey(p.ref))!, outcome: 'failed', changes: undefined, reason: `CoreDNS ${result.reason}. ${rollback}` }));
    return written.length;
  }

  private async rollBack(written: readonly ObjectPlan[]): Promise<string> {
    const started = Date.now();
    const restored: string[] = [];
    try {
      for (const p of written) {
        restored.push(await restorePrevious(this.client, p));
      }
    } catch (e) {
      return `Rolling back FAILED: ${messageOf(e)}. Put the previous configuration back by hand: ${manualRollback(written)}`;
    }
    this.notice(`rolled back: ${restored.join('; ')}; waiting for CoreDNS to serve again`);
    const again = await waitForRollout(this.baseline ?? { instances: new Map() }, { ...this.rollout, expectReload: false, startedAt: started });
    const after = again.kind === 'ready' ? `CoreDNS serves again ${(again.ms / 1000).toFixed(1)}s after the rollback` : again.kind === 'failed' ? `CoreDNS is still not serving after the rollback: ${again.reason}` : again.reason;
    return `Rolled back automatically: ${restored.join('; ')}. ${after}.`;
  }
}

/** Puts the object back as it was before this apply: the previous content, or gone if it did not exist. */
export async function restorePrevious(client: RollbackClient, plan: ObjectPlan): Promise<string> {
  const path = resourcePath(CONFIG_MAPS, { namespace: plan.ref.namespace, name: plan.ref.name });
  const current = (await client.request({ verb: 'get', method: 'GET', path })) as KubeObject;
  if (plan.action === 'create' || !plan.live) {
    await client.delete(path, { uid: current.metadata.uid });
    return `deleted ${describeRef(plan.ref)}, which did not exist before`;
  }
  const { managedFields, resourceVersion, ...previousMeta } = plan.live.metadata;
  const body = { ...plan.live, metadata: { ...previousMeta, resourceVersion: current.metadata.resourceVersion } };
  await client.request({ verb: 'update', method: 'PUT', path, body });
  return `${describeRef(plan.ref)} restored to its content before this apply (resourceVersion ${resourceVersion})`;
}

function manualRollback(written: readonly ObjectPlan[]): string {
  const names = written.map((p) => `${p.ref.namespace}/${p.ref.name}`).join(', ');
  return `restore ${names} from your previous dist (git checkout <previous> -- dist && cdk8s-mcs apply --only ${'<cluster>'}) or from a backup (kubectl -n kube-system get configmap -o yaml), as the README's Safety section shows`;
}
