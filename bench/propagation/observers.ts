/**
 * The propagation benchmark's clocks: watches on the provider's local slices (the in-cluster
 * EndpointSlice controller), on the consumer's MCS and amcs slices (the runner), on the provider's
 * pods (when the change itself became visible), and DNS polls of the consumer's CoreDNS.
 *
 * A measurement opens a window before the change is made: from then on every slice event and
 * every DNS answer about the pod is recorded with its time. Once the change is visible in the pod
 * (and so its expected state, e.g. the new IP, is known), the window closes as soon as every
 * observer's latest view is that state; each observer's latency is its first record showing it.
 */
import { Informer } from '../../lib/kube/informer';
import { KubeClient } from '../../lib/kube/client';
import { ENDPOINT_SLICES, PODS } from '../../lib/kube/resources';
import { EndpointSlice, Pod } from '../../lib/kube/types';
import { dnsQuery, DnsResult } from '../../testbed/dns';
import { dnsReflects, EndpointNaming, endpointsOf, endpointsReflect, Expectation, NamedEndpoint } from './expectation';

/** Milliseconds on one clock for every observer (sub-millisecond resolution). */
export const now = (): number => performance.timeOrigin + performance.now();

export type SliceObserver = 'local' | 'mcs' | 'amcs';
export type DnsObserver = 'dnsClusterset' | 'dnsAmcs';
export type ObserverName = SliceObserver | DnsObserver;

export const OBSERVERS: readonly ObserverName[] = ['local', 'mcs', 'amcs', 'dnsClusterset', 'dnsAmcs'];
const SLICE_OBSERVERS: readonly SliceObserver[] = ['local', 'mcs', 'amcs'];
const DNS_OBSERVERS: readonly DnsObserver[] = ['dnsClusterset', 'dnsAmcs'];

export interface ObserverSetup {
  readonly provider: KubeClient;
  readonly consumer: KubeClient;
  readonly namespace: string;
  readonly service: string;
  readonly providerId: string;
  readonly coreDnsAddress: string;
  /** DNS poll period. */
  readonly dnsIntervalMs: number;
}

interface Observation<V> {
  readonly t: number;
  readonly value: V;
}

/** One measurement in progress; see the module comment. */
export class Window {
  public readonly slices = new Map<SliceObserver, Observation<NamedEndpoint[]>[]>(SLICE_OBSERVERS.map((n) => [n, []]));
  public readonly dns = new Map<DnsObserver, Observation<DnsResult>[]>(DNS_OBSERVERS.map((n) => [n, []]));
  public want?: Expectation;
  public closed = false;
  public dnsQueries = 0;
  public onChange?: () => void;

  public constructor(public readonly pod: string, public readonly openedAt: number) {}

  /** The time each observer first showed the expected state (undefined if it never did). */
  public firstMatches(): Map<ObserverName, number | undefined> {
    const want = this.want!;
    const out = new Map<ObserverName, number | undefined>();
    for (const [name, records] of this.slices) {
      out.set(name, records.find((r) => endpointsReflect(r.value, want))?.t);
    }
    for (const [name, records] of this.dns) {
      out.set(name, records.find((r) => dnsReflects(r.value, want))?.t);
    }
    return out;
  }

  /** Whether every observer's latest view is the expected state. */
  public settled(): boolean {
    const want = this.want;
    if (!want) {
      return false;
    }
    const last = <V>(records: Observation<V>[]) => records[records.length - 1]?.value;
    return [...this.slices.values()].every((r) => r.length > 0 && endpointsReflect(last(r)!, want)) && [...this.dns.values()].every((r) => r.length > 0 && dnsReflects(last(r)!, want));
  }
}

export class Observers {
  public readonly pods: Informer<Pod>;
  private readonly slices: Map<SliceObserver, { informer: Informer<EndpointSlice>; naming: EndpointNaming }>;
  private window?: Window;
  private podWaiters: { test: () => boolean; resolve: (t: number) => void }[] = [];

  public constructor(private readonly o: ObserverSetup) {
    const watch = (name: SliceObserver, client: KubeClient, labelSelector: string, naming: EndpointNaming) => [name, {
      naming,
      informer: new Informer<EndpointSlice>(client, { resource: ENDPOINT_SLICES, namespace: o.namespace, labelSelector }, { onEvent: () => this.recordSlices(name) }),
    }] as const;
    this.slices = new Map([
      watch('local', o.provider, `kubernetes.io/service-name=${o.service}`, 'targetRef'),
      watch('mcs', o.consumer, `multicluster.kubernetes.io/service-name=${o.service}`, 'hostname'),
      watch('amcs', o.consumer, `kubernetes.io/service-name=amcs-${o.service}`, 'hostname'),
    ]);
    this.pods = new Informer<Pod>(o.provider, { resource: PODS, namespace: o.namespace }, { onEvent: () => this.checkPods() });
  }

  private informers(): Informer<never>[] {
    return [this.pods, ...[...this.slices.values()].map((s) => s.informer)] as unknown as Informer<never>[];
  }

  public async start(): Promise<void> {
    this.informers().forEach((i) => i.start());
    await Promise.all(this.informers().map((i) => i.waitForSync()));
  }

  public async stop(): Promise<void> {
    await Promise.all(this.informers().map((i) => i.stop()));
  }

  public pod(name: string): Pod | undefined {
    return this.pods.get(`${this.o.namespace}/${name}`);
  }

  /** Resolves with the time the pod watch first shows `test` true for the pod (checked at once, then on every pod event). */
  public waitForPod(name: string, test: (p: Pod | undefined) => boolean, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pod ${name}: the expected state did not show within ${timeoutMs} ms`)), timeoutMs);
      const waiter = { test: () => test(this.pod(name)), resolve: (t: number) => { clearTimeout(timer); resolve(t); } };
      if (waiter.test()) {
        waiter.resolve(now());
      } else {
        this.podWaiters.push(waiter);
      }
    });
  }

  private checkPods(): void {
    const t = now();
    this.podWaiters = this.podWaiters.filter((w) => {
      if (w.test()) {
        w.resolve(t);
        return false;
      }
      return true;
    });
  }

  /** The DNS names of a pod in the consumer. */
  public names(pod: string): { [K in DnsObserver]: string } {
    const { service, namespace, providerId } = this.o;
    return {
      dnsClusterset: `${pod}.${providerId}.${service}.${namespace}.svc.clusterset.local`,
      dnsAmcs: `${pod}.amcs-${service}.${namespace}.svc.cluster.local`,
    };
  }

  /** Opens a window on a pod: records the current views, starts the DNS polls. */
  public open(pod: string): Window {
    const w = new Window(pod, now());
    this.window = w;
    SLICE_OBSERVERS.forEach((n) => this.recordSlices(n));
    DNS_OBSERVERS.forEach((n) => void this.pollDns(w, n));
    return w;
  }

  /** Sets the expected state; resolves when every observer shows it (or after timeoutMs) with each one's first match. */
  public async close(w: Window, want: Expectation, timeoutMs: number): Promise<Map<ObserverName, number | undefined>> {
    w.want = want;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      w.onChange = () => {
        if (w.settled()) {
          clearTimeout(timer);
          resolve();
        }
      };
      w.onChange();
    });
    w.closed = true;
    this.window = undefined;
    return w.firstMatches();
  }

  private recordSlices(name: SliceObserver): void {
    const w = this.window;
    if (!w || w.closed) {
      return;
    }
    const s = this.slices.get(name)!;
    w.slices.get(name)!.push({ t: now(), value: endpointsOf(s.informer.list(), s.naming).filter((e) => e.pod === w.pod) });
    w.onChange?.();
  }

  private async pollDns(w: Window, name: DnsObserver): Promise<void> {
    const fqdn = this.names(w.pod)[name];
    while (!w.closed) {
      const sent = now();
      const result = await dnsQuery(this.o.coreDnsAddress, fqdn, 'A', 1000);
      w.dnsQueries++;
      if (w.closed) {
        return;
      }
      // The answer reflects the server's state somewhere between sending and receiving: take the receive time (conservative).
      w.dns.get(name)!.push({ t: now(), value: result });
      w.onChange?.();
      const wait = sent + this.o.dnsIntervalMs - now();
      if (wait > 0) {
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
}
