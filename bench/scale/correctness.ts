/**
 * Whether every consumer holds exactly the slices it must, kept up to date from watches (cheaper
 * for the bed and more precise than polling lists of thousands of slices):
 *
 * - the provider's pods of the benchmark's namespace (admin identity), from which the expected
 *   endpoints of every service follow: one per pod with an IP, `hostname` = pod name, ready when
 *   the pod is Ready and not terminating;
 * - every consumer's slices labelled managed-by cdk8s-mcs in that namespace, grouped by service
 *   (`mcs.cdk8s.io/import-of`) and DNS method (`mcs.cdk8s.io/dns-method`).
 *
 * A (consumer, method, service) is correct when its slices, all from the provider, hold exactly the
 * expected endpoints (no missing, extra, duplicate or wrongly ready one). Every event re-checks only
 * the services it touches; `wrong` is the set of incorrect triples, and the moment it last became
 * empty is the time everything was first correct.
 */
import { DnsMethod, LABEL_DNS_METHOD, LABEL_ENDPOINTSLICE_MANAGED_BY, LABEL_IMPORT_OF, LABEL_SOURCE_CLUSTER, MANAGER } from '../../lib/fleet/names';
import { KubeClient } from '../../lib/kube/client';
import { Informer } from '../../lib/kube/informer';
import { ENDPOINT_SLICES, PODS } from '../../lib/kube/resources';
import { EndpointSlice, KubeObject, Pod } from '../../lib/kube/types';
import { now } from '../propagation/observers';
import { SERVICE_LABEL } from './workload';

export const METHODS: readonly DnsMethod[] = [DnsMethod.CLUSTERSET, DnsMethod.AMCS];

const isReady = (p: Pod) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** The endpoints a consumer must show for a service, as sorted `hostname|address|ready` strings. */
export function expectedEndpoints(pods: readonly Pod[]): string[] {
  return pods
    .filter((p) => Boolean(p.status?.podIP) && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')
    .map((p) => `${p.metadata.name}|${p.status!.podIP}|${isReady(p)}`)
    .sort();
}

/** The endpoints a set of derived slices shows, in the same form; undefined when a slice comes from another source cluster. */
export function shownEndpoints(slices: readonly EndpointSlice[], provider: string): string[] | undefined {
  if (slices.some((s) => s.metadata.labels?.[LABEL_SOURCE_CLUSTER] !== provider)) {
    return undefined;
  }
  return slices.flatMap((s) => (s.endpoints ?? []).map((e) => `${e.hostname ?? ''}|${e.addresses[0] ?? ''}|${e.conditions?.ready !== false}`)).sort();
}

/** What a consumer shows of a pod: nothing, or its endpoint with its conditions. */
function endpointState(p: Pod | undefined): string {
  if (!p || expectedEndpoints([p]).length === 0) {
    return 'absent';
  }
  return `${expectedEndpoints([p])[0]}|${Boolean(p.metadata.deletionTimestamp)}`;
}

const serviceOf = (o: KubeObject) => {
  const s = o.metadata.labels?.[SERVICE_LABEL] ?? o.metadata.labels?.[LABEL_IMPORT_OF];
  return s ? [s] : [];
};

/** A cluster that must hold derived slices, and for which DNS methods. */
export interface Holder {
  readonly client: KubeClient;
  readonly methods: readonly DnsMethod[];
}

export interface CorrectnessSetup {
  readonly provider: KubeClient;
  /**
   * Every cluster where the namespace exists holds slices (KEP-1645 namespace sameness): the
   * consumers with both methods, the provider itself with the MCS (clusterset) slices of its own
   * export (there is no amcs- Service there).
   */
  readonly holders: ReadonlyMap<string, Holder>;
  readonly namespace: string;
  readonly services: readonly string[];
}

export class Correctness {
  public readonly pods: Informer<Pod>;
  private readonly slices = new Map<string, Informer<EndpointSlice>>();
  /** `consumer|method|service` triples that are not correct right now. */
  public readonly wrong = new Set<string>();
  /** Epoch ms (see `now`) at which `wrong` last became empty; undefined while it is not. */
  public correctSince?: number;
  /** Slice events seen per `consumer|method`, since the last takeSliceEvents(): one per slice write the runner made. */
  private sliceEvents: Record<string, number> = {};
  private readonly known: Set<string>;
  /** The endpoint states one tracked pod went through (see trackPod). */
  private tracked?: { name: string; states: string[] };
  private waiters: { test: () => boolean; resolve: (t: number) => void }[] = [];

  public constructor(private readonly o: CorrectnessSetup) {
    this.known = new Set(o.services);
    this.pods = new Informer<Pod>(o.provider, { resource: PODS, namespace: o.namespace, indexes: { service: serviceOf } }, { onEvent: (t, p, old) => this.onPod(p, old, t) });
    for (const [id, { client }] of o.holders) {
      this.slices.set(id, new Informer<EndpointSlice>(client, { resource: ENDPOINT_SLICES, namespace: o.namespace, labelSelector: `${LABEL_ENDPOINTSLICE_MANAGED_BY}=${MANAGER}`, indexes: { service: serviceOf } }, {
        onEvent: (_t, s, old) => {
          const key = `${id}|${s.metadata.labels?.[LABEL_DNS_METHOD] ?? '?'}`;
          this.sliceEvents[key] = (this.sliceEvents[key] ?? 0) + 1;
          this.onSlice(id, s, old);
        },
      }));
    }
  }

  private get informers(): Informer<KubeObject>[] {
    return [this.pods, ...this.slices.values()] as unknown as Informer<KubeObject>[];
  }

  public async start(): Promise<void> {
    this.informers.forEach((i) => i.start());
    await Promise.all(this.informers.map((i) => i.waitForSync()));
    this.recheckAll();
  }

  public async stop(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  public pod(name: string): Pod | undefined {
    return this.pods.get(`${this.o.namespace}/${name}`);
  }

  /** Starts recording the endpoint states of one pod (`absent`, or its `hostname|ip|ready|terminating`). */
  public trackPod(name: string): void {
    this.tracked = { name, states: [endpointState(this.pod(name))] };
  }

  /** How many times the tracked pod's endpoint changed since trackPod; stops tracking. */
  public endpointTransitions(): number {
    const n = (this.tracked?.states.length ?? 1) - 1;
    this.tracked = undefined;
    return n;
  }

  /** Slices a consumer holds in the namespace (managed by cdk8s-mcs). */
  public sliceCount(consumer: string): number {
    return this.slices.get(consumer)?.list().length ?? 0;
  }

  /** The slice events per `consumer|method` since the last call. */
  public takeSliceEvents(): Record<string, number> {
    const out = this.sliceEvents;
    this.sliceEvents = {};
    return out;
  }

  /** Checks every service in every consumer again (after the start, or to be sure). */
  public recheckAll(): void {
    const services = new Set([...this.known, ...[...this.slices.values()].flatMap((i) => i.list().flatMap(serviceOf))]);
    for (const consumer of this.slices.keys()) {
      for (const service of services) {
        this.check(consumer, service);
      }
    }
    this.settle();
  }

  /** Resolves with the time everything was first correct once it is (at once if it already is). */
  public whenAllCorrect(timeoutMs: number): Promise<number> {
    return this.waitFor(() => this.wrong.size === 0, timeoutMs, () => `${this.wrong.size} (consumer, DNS method, service) not correct, e.g. ${[...this.wrong].slice(0, 5).join(', ')}`).then(() => this.correctSince!);
  }

  /** Resolves with the time the provider's pod watch first shows `test` true for the pod. */
  public whenPod(name: string, test: (p: Pod | undefined) => boolean, timeoutMs: number): Promise<number> {
    return this.waitFor(() => test(this.pod(name)), timeoutMs, () => `pod ${name}: the expected state did not show`);
  }

  private waitFor(test: () => boolean, timeoutMs: number, why: () => string): Promise<number> {
    return new Promise((resolve, reject) => {
      if (test()) {
        resolve(now());
        return;
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`after ${timeoutMs} ms: ${why()}`));
      }, timeoutMs);
      const waiter = { test, resolve: (t: number) => { clearTimeout(timer); resolve(t); } };
      this.waiters.push(waiter);
    });
  }

  private onPod(p: Pod, old?: Pod, type?: string): void {
    if (this.tracked?.name === p.metadata.name) {
      const state = endpointState(type === 'delete' ? undefined : p);
      if (state !== this.tracked.states[this.tracked.states.length - 1]) {
        this.tracked.states.push(state);
      }
    }
    for (const service of new Set([...serviceOf(p), ...(old ? serviceOf(old) : [])])) {
      for (const consumer of this.slices.keys()) {
        this.check(consumer, service);
      }
    }
    this.settle();
  }

  private onSlice(consumer: string, s: EndpointSlice, old?: EndpointSlice): void {
    for (const service of new Set([...serviceOf(s), ...(old ? serviceOf(old) : [])])) {
      this.check(consumer, service);
    }
    this.settle();
  }

  private check(consumer: string, service: string): void {
    if (!this.pods.hasSynced() || ![...this.slices.values()].every((i) => i.hasSynced())) {
      return; // recheckAll runs once every cache is filled
    }
    const pods = this.known.has(service) ? this.pods.byIndex('service', service) : [];
    const want = expectedEndpoints(pods).join(',');
    const slices = this.slices.get(consumer)!.byIndex('service', service);
    for (const method of this.o.holders.get(consumer)!.methods) {
      const shown = shownEndpoints(slices.filter((s) => s.metadata.labels?.[LABEL_DNS_METHOD] === method), this.o.provider.clusterId);
      const key = `${consumer}|${method}|${service}`;
      if (shown !== undefined && shown.join(',') === want) {
        this.wrong.delete(key);
      } else {
        this.wrong.add(key);
      }
    }
    // Slices of another method, or without a method label, are wrong too.
    if (slices.some((s) => !this.o.holders.get(consumer)!.methods.includes(s.metadata.labels?.[LABEL_DNS_METHOD] as DnsMethod))) {
      this.wrong.add(`${consumer}|?|${service}`);
    } else {
      this.wrong.delete(`${consumer}|?|${service}`);
    }
  }

  private settle(): void {
    const t = now();
    if (this.wrong.size === 0) {
      this.correctSince ??= t;
    } else {
      this.correctSince = undefined;
    }
    this.waiters = this.waiters.filter((w) => {
      if (w.test()) {
        w.resolve(t);
        return false;
      }
      return true;
    });
  }
}
