/**
 * Leader election with a coordination.k8s.io Lease, with client-go's semantics:
 *
 * - A replica judges another's lease by the local monotonic time at which it last observed the
 *   record change (client-go's observedTime), never by comparing the renewTime the other replica's
 *   clock wrote with its own clock, so clock skew between replicas cannot make two leaders.
 * - The leader leads only while its last successful renewal was sent less than the renew deadline
 *   ago (monotonic), and the renew deadline is shorter than the lease duration: the leader stops
 *   (its term's AbortSignal fires, in-flight writes are aborted) before any standby, which waits a
 *   whole lease duration from its observation of that renewal, may acquire.
 * - Updates are optimistic (the observed resourceVersion), so two replicas never both acquire.
 * - Stopping releases the lease (no holder, 1 s), so a standby takes over at once; that is not
 *   "losing" it.
 *
 * The record is observed through a watch of the one Lease, so a standby sees a renewal or release
 * within the watch's latency instead of a polling period.
 */
import { setMaxListeners } from 'node:events';
import { KubeClient } from '../../kube/client';
import { isConflict, isNotFound, messageOf } from '../../kube/errors';
import { Informer } from '../../kube/informer';
import { LEASES, resourcePath } from '../../kube/resources';
import { Lease } from '../../kube/types';
import { Clock, systemClock } from './clock';
import { stripManagedFields } from './ingest';
import { acquiringRecord, LeaseSpec, leaseWithRecord, rawRecord, releasedRecord } from './leader-record';

export type StoppedLeadingReason = 'lost' | 'released';

export interface LeaderElectionOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  /** How long a standby waits, from observing the last change of the record, before taking the lease. @default 15000 */
  readonly leaseDurationMs?: number;
  /** The leader stops leading this long after sending its last successful renewal; must be below leaseDurationMs. @default 10000 */
  readonly renewDeadlineMs?: number;
  /** How often to try to acquire or renew. @default 2000 */
  readonly retryPeriodMs?: number;
  /** @default - the system clocks (the wall clock skewed only by the test-only CDK8S_MCS_TEST_CLOCK_SKEW_MS) */
  readonly clock?: Clock;
  readonly onStartedLeading?: () => void;
  /** `lost`: the lease could not be renewed in time or another replica holds it; `released`: stop() gave it up. */
  readonly onStoppedLeading?: (reason: StoppedLeadingReason, detail: string) => void;
  readonly log?: (message: string) => void;
}

export class LeaderElector {
  private readonly informer: Informer<Lease>;
  private readonly clock: Clock;
  private observedRaw?: string;
  /** Monotonic ms at which the record last changed, as this replica observed it. */
  private observedAt = 0;
  /** Monotonic ms at which the last successful acquire or renew request was sent. */
  private renewedAt = -Infinity;
  private leading = false;
  private term?: AbortController;
  private stopped = false;
  private running?: Promise<void>;
  private again = false;
  private readonly timers = new Map<'tick' | 'expiry' | 'deadline', NodeJS.Timeout>();
  private lastLogged = '';

  public constructor(private readonly o: LeaderElectionOptions) {
    this.clock = o.clock ?? systemClock();
    if (this.renewDeadlineMs >= this.leaseDurationMs || this.retryPeriodMs >= this.renewDeadlineMs) {
      throw new Error(`leader election needs retry period < renew deadline < lease duration, got ${this.retryPeriodMs} ms, ${this.renewDeadlineMs} ms, ${this.leaseDurationMs} ms; the defaults are 2000, 10000 and 15000 ms`);
    }
    this.informer = new Informer<Lease>(o.client, { resource: LEASES, namespace: o.namespace, fieldSelector: `metadata.name=${o.name}`, transform: stripManagedFields }, {
      onEvent: (_type, lease) => this.observe(lease),
      onError: (e) => this.logOnce(`leader election: watching Lease ${o.namespace}/${o.name}: ${messageOf(e)}`),
    });
  }

  public get leaseDurationMs(): number {
    return this.o.leaseDurationMs ?? 15_000;
  }

  private get renewDeadlineMs(): number {
    return this.o.renewDeadlineMs ?? 10_000;
  }

  private get retryPeriodMs(): number {
    return this.o.retryPeriodMs ?? 2_000;
  }

  /** Renew once a third of the lease has passed (not every retry period): a write every 5 s instead of every 2 s, two retries left before the deadline. */
  private get renewIntervalMs(): number {
    return Math.min(this.leaseDurationMs / 3, this.renewDeadlineMs / 2);
  }

  /** True while this replica holds the lease and sent its last successful renewal within the renew deadline. */
  public isLeader(): boolean {
    return this.leading && this.clock.monotonicMs() - this.renewedAt < this.renewDeadlineMs;
  }

  /** Fires when the current leadership term ends; undefined while not leading. */
  public get termSignal(): AbortSignal | undefined {
    return this.term?.signal;
  }

  public start(): void {
    this.informer.start();
    void this.informer.waitForSync().then(() => this.kick());
  }

  /** Stops trying, ends the term (no write after this), then releases the lease if held. */
  public async stop(): Promise<void> {
    this.stopped = true;
    this.timers.forEach((t) => clearTimeout(t));
    await this.running;
    const held = this.leading;
    this.endTerm('released', 'stopping');
    if (held) {
      await this.release().catch((e) => this.o.log?.(`leader election: releasing the lease failed (a standby takes over when it expires): ${messageOf(e)}`));
    }
    await this.informer.stop();
  }

  /** Runs one attempt now (or right after the running one). */
  private kick(): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.tryAcquireOrRenew().catch((e) => this.logOnce(`leader election: ${messageOf(e)}`)).finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      } else {
        this.schedule('tick', this.retryPeriodMs);
      }
    });
  }

  private schedule(which: 'tick' | 'expiry' | 'deadline', ms: number): void {
    clearTimeout(this.timers.get(which));
    if (!this.stopped) {
      this.timers.set(which, setTimeout(() => (which === 'deadline' ? this.checkDeadline() : this.kick()), Math.max(0, ms)));
    }
  }

  private current(): Lease | undefined {
    return this.informer.get(`${this.o.namespace}/${this.o.name}`);
  }

  /** Records a change of the record at the local monotonic time; notices another holder at once. */
  private observe(lease: Lease): void {
    const raw = rawRecord(lease.spec);
    if (raw !== this.observedRaw) {
      this.observedRaw = raw;
      this.observedAt = this.clock.monotonicMs();
    }
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder === this.o.identity) {
      return;
    }
    if (this.leading) {
      this.endTerm('lost', holder ? `the lease is now held by "${holder}"` : 'the lease was released by someone else');
    }
    // Wake when the observed record expires (at once for a released lease), not at the next retry.
    this.schedule('expiry', holder ? this.observedAt + this.durationOf(lease.spec) - this.clock.monotonicMs() + 1 : 0);
  }

  private durationOf(spec: LeaseSpec | undefined): number {
    return (spec?.leaseDurationSeconds ?? Math.ceil(this.leaseDurationMs / 1000)) * 1000;
  }

  private async tryAcquireOrRenew(): Promise<void> {
    this.checkDeadline();
    if (!this.informer.hasSynced()) {
      return; // the record is not observed yet: nothing can be judged
    }
    const lease = this.current();
    if (lease) {
      this.observe(lease);
    }
    const now = this.clock.monotonicMs();
    const holder = lease?.spec?.holderIdentity ?? '';
    if (holder && holder !== this.o.identity && now - this.observedAt < this.durationOf(lease?.spec)) {
      return; // held by another, and it changed within its lease duration
    }
    if (holder === this.o.identity && this.isLeader() && now - this.renewedAt < this.renewIntervalMs) {
      return; // renewed recently enough: save the write
    }
    await this.write(lease);
  }

  private async write(lease: Lease | undefined): Promise<void> {
    const spec = acquiringRecord({ observed: lease?.spec, identity: this.o.identity, leaseDurationMs: this.leaseDurationMs, wallNowMs: this.clock.wallMs() });
    const body = leaseWithRecord(lease, { namespace: this.o.namespace, name: this.o.name, spec });
    const sentAt = this.clock.monotonicMs();
    try {
      const written = lease
        ? await this.o.client.request({ verb: 'update', method: 'PUT', path: this.path(this.o.name), body, timeoutMs: this.renewDeadlineMs })
        : await this.o.client.request({ verb: 'create', method: 'POST', path: this.path(), body, timeoutMs: this.renewDeadlineMs });
      this.informer.upsertLocal(written as Lease);
      this.observe(written as Lease);
      this.renewed(sentAt);
    } catch (e) {
      if (isConflict(e)) {
        await this.refresh(); // someone else wrote it first: look again (the watch may be behind)
      } else {
        this.logOnce(`leader election: cannot ${lease ? 'update' : 'create'} Lease ${this.o.namespace}/${this.o.name}: ${messageOf(e)}`);
      }
    }
  }

  private async refresh(): Promise<void> {
    try {
      const lease = await this.o.client.get<Lease>(this.path(this.o.name));
      this.informer.upsertLocal(lease);
      this.observe(stripManagedFields<Lease>(lease));
    } catch (e) {
      if (!isNotFound(e)) {
        this.logOnce(`leader election: cannot read Lease ${this.o.namespace}/${this.o.name}: ${messageOf(e)}`);
      }
    }
  }

  private renewed(sentAt: number): void {
    this.renewedAt = sentAt;
    this.lastLogged = '';
    this.schedule('deadline', sentAt + this.renewDeadlineMs - this.clock.monotonicMs());
    if (!this.leading && !this.stopped) {
      this.leading = true;
      this.term = new AbortController();
      setMaxListeners(0, this.term.signal); // every write in flight listens to it (dozens at once)
      this.o.onStartedLeading?.();
    }
  }

  /** Ends the term once the renew deadline has passed without a successful renewal. */
  private checkDeadline(): void {
    if (this.leading && !this.isLeader()) {
      this.endTerm('lost', `the lease could not be renewed within the renew deadline (${this.renewDeadlineMs} ms)`);
    }
  }

  private endTerm(reason: StoppedLeadingReason, detail: string): void {
    if (!this.leading) {
      return;
    }
    this.leading = false;
    this.renewedAt = -Infinity;
    clearTimeout(this.timers.get('deadline'));
    this.term?.abort(new Error(`leadership ended: ${detail}`));
    this.term = undefined;
    this.o.onStoppedLeading?.(reason, detail);
  }

  private async release(): Promise<void> {
    const lease = this.current();
    if (lease?.spec?.holderIdentity !== this.o.identity) {
      return;
    }
    const body = leaseWithRecord(lease, { namespace: this.o.namespace, name: this.o.name, spec: releasedRecord(lease.spec, this.clock.wallMs()) });
    await this.o.client.request({ verb: 'update', method: 'PUT', path: this.path(this.o.name), body, timeoutMs: this.renewDeadlineMs });
  }

  private path(name?: string): string {
    return resourcePath(LEASES, { namespace: this.o.namespace, name });
  }

  /** Logs a failure once until it changes or a renewal succeeds (retries every 2 s would repeat it). */
  private logOnce(message: string): void {
    if (message !== this.lastLogged) {
      this.lastLogged = message;
      this.o.log?.(message);
    }
  }
}
