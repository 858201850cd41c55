/**
 * Leader election with a coordination.k8s.io Lease, as client-go does it: acquire an expired
 * lease with an optimistic-concurrency update, renew it well before it expires, and stop
 * acting as leader as soon as a renewal deadline passes. Two replicas never both write.
 */
import { KubeClient } from '../../kube/client';
import { isConflict, isNotFound, messageOf } from '../../kube/errors';
import { LEASES, resourcePath } from '../../kube/resources';
import { Lease } from '../../kube/types';

export interface LeaderElectionOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  /** How long a lease is valid without renewal. @default 15000 */
  readonly leaseDurationMs?: number;
  /** The leader stops leading if it could not renew within this time. @default 10000 */
  readonly renewDeadlineMs?: number;
  /** How often to try to acquire or renew. @default 2000 */
  readonly retryPeriodMs?: number;
  readonly onStartedLeading?: () => void;
  readonly onStoppedLeading?: () => void;
  readonly log?: (message: string) => void;
}

const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class LeaderElector {
  private leading = false;
  private lastRenew = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private tick?: Promise<void>;

  public constructor(private readonly o: LeaderElectionOptions) {}

  public get leaseDurationMs(): number {
    return this.o.leaseDurationMs ?? 15_000;
  }

  /** True while this replica holds a lease it renewed within the renew deadline. */
  public isLeader(now = Date.now()): boolean {
    return this.leading && now - this.lastRenew < (this.o.renewDeadlineMs ?? 10_000);
  }

  public start(): void {
    const loop = () => {
      this.tick = this.tryAcquireOrRenew().finally(() => {
        if (!this.stopped) {
          this.timer = setTimeout(loop, this.o.retryPeriodMs ?? 2_000);
        }
      });
    };
    loop();
  }

  /** Stops, and releases the lease if held so a standby can take over at once. */
  public async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tick;
    if (this.leading) {
      await this.release().catch(() => undefined);
      this.setLeading(false);
    }
  }

  private path(name?: string): string {
    return resourcePath(LEASES, { namespace: this.o.namespace, name });
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const now = Date.now();
    if (this.leading && !this.isLeader(now)) {
      this.setLeading(false);
    }
    try {
      const lease = await this.getLease();
      if (!lease) {
        await this.o.client.request({ verb: 'create', method: 'POST', path: this.path(), body: this.leaseBody(now, 0) });
        return this.renewed(now);
      }
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      const renewedAt = spec.renewTime ? Date.parse(spec.renewTime) : 0;
      const expired = !holder || now - renewedAt > (spec.leaseDurationSeconds ?? 15) * 1000;
      if (holder !== this.o.identity && !expired) {
        return;
      }
      if (holder === this.o.identity && this.leading && now - this.lastRenew < this.leaseDurationMs / 3) {
        return; // renewed recently enough: save the write
      }
      const transitions = (spec.leaseTransitions ?? 0) + (holder === this.o.identity ? 0 : 1);
      const body = { ...this.leaseBody(now, transitions), metadata: { ...lease.metadata, managedFields: undefined } };
      if (holder === this.o.identity && spec.acquireTime) {
        (body.spec as Record<string, unknown>).acquireTime = spec.acquireTime;
      }
      await this.o.client.request({ verb: 'update', method: 'PUT', path: this.path(this.o.name), body });
      this.renewed(now);
    } catch (e) {
      if (!isConflict(e)) {
        this.o.log?.(`leader election: ${messageOf(e)}`);
      }
    }
  }

  private async getLease(): Promise<Lease | undefined> {
    try {
      return await this.o.client.get<Lease>(this.path(this.o.name));
    } catch (e) {
      if (isNotFound(e)) {
        return undefined;
      }
      throw e;
    }
  }

  private leaseBody(now: number, transitions: number): Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.o.name, namespace: this.o.namespace },
      spec: {
        holderIdentity: this.o.identity,
        leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: transitions,
      },
    };
  }

  private renewed(now: number): void {
    this.lastRenew = now;
    this.setLeading(true);
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) {
      return;
    }
    this.leading = leading;
    (leading ? this.o.onStartedLeading : this.o.onStoppedLeading)?.();
  }

  private async release(): Promise<void> {
    const lease = await this.getLease();
    if (lease?.spec?.holderIdentity !== this.o.identity) {
      return;
    }
    const body = { ...lease, metadata: { ...lease.metadata, managedFields: undefined }, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } };
    await this.o.client.request({ verb: 'update', method: 'PUT', path: this.path(this.o.name), body });
  }
}
