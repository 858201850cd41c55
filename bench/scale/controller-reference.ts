/**
 * The reference for the runner's start-up: the in-cluster EndpointSlice controller of the provider
 * (kube-controller-manager), timed while it writes one slice per Service when the benchmark's
 * Services are created over pods that are already running and Ready, the same situation the
 * runner starts in. Seen through a watch of the controller's slices in the benchmark's namespace:
 * a Service is done when its slices hold exactly the addresses of its Ready pods.
 */
import { DEFAULT_ENDPOINTSLICE_MANAGER, LABEL_ENDPOINTSLICE_MANAGED_BY, LABEL_SERVICE_NAME } from '../../lib/fleet/names';
import { KubeClient } from '../../lib/kube/client';
import { Informer } from '../../lib/kube/informer';
import { ENDPOINT_SLICES } from '../../lib/kube/resources';
import { EndpointSlice } from '../../lib/kube/types';
import { now } from '../propagation/observers';

export interface ControllerReference {
  /** ms from the first Service create request to every Service's slices being exactly right. */
  readonly correctMs: number;
  /** ms from the first Service create request to the first controller slice seen. */
  readonly firstSliceMs: number;
  /** ms the Service create requests took (the controller may be waiting on them). */
  readonly createMs: number;
  /** Controller slices at the end, and slice events (creates and updates) the watch saw. */
  readonly slices: number;
  readonly sliceEvents: number;
}

const serviceOf = (s: EndpointSlice) => s.metadata.labels?.[LABEL_SERVICE_NAME];

/**
 * Starts watching the controller's slices, runs `createServices`, and resolves once every service
 * in `expected` (service -> its pods' IPs) has slices holding exactly those addresses, all ready.
 */
export async function timeControllerSlices(o: { client: KubeClient; namespace: string; expected: ReadonlyMap<string, readonly string[]>; createServices: () => Promise<void>; timeoutMs: number }): Promise<ControllerReference> {
  const want = new Map([...o.expected].map(([svc, ips]) => [svc, [...ips].sort().join(',')]));
  const wrong = new Set(want.keys());
  let sliceEvents = 0;
  let firstSliceAt: number | undefined;
  let done: (() => void) | undefined;
  const informer: Informer<EndpointSlice> = new Informer<EndpointSlice>(o.client, { resource: ENDPOINT_SLICES, namespace: o.namespace, labelSelector: `${LABEL_ENDPOINTSLICE_MANAGED_BY}=${DEFAULT_ENDPOINTSLICE_MANAGER}`, indexes: { service: (s) => [serviceOf(s as EndpointSlice) ?? ''] } }, {
    onEvent: (_type, slice) => {
      sliceEvents++;
      firstSliceAt ??= now();
      const svc = serviceOf(slice);
      if (svc && want.has(svc)) {
        const shown = informer.byIndex('service', svc).flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses)).sort().join(',');
        if (shown === want.get(svc)) {
          wrong.delete(svc);
        } else {
          wrong.add(svc);
        }
      }
      if (wrong.size === 0) {
        done?.();
      }
    },
  });
  informer.start();
  try {
    await informer.waitForSync();
    if (informer.list().length > 0) {
      throw new Error(`the namespace ${o.namespace} already holds ${informer.list().length} EndpointSlices of the in-cluster controller; the reference needs Services created fresh (delete the namespace first)`);
    }
    const started = now();
    const correct = new Promise<number>((resolve, reject) => {
      done = () => resolve(now());
      setTimeout(() => reject(new Error(`the in-cluster EndpointSlice controller had not written correct slices for ${wrong.size} of ${want.size} Services after ${o.timeoutMs} ms, e.g. ${[...wrong].slice(0, 5).join(', ')}`)), o.timeoutMs).unref();
    });
    correct.catch(() => undefined); // observed below; this only keeps a failed create from leaving it unhandled
    await o.createServices();
    const createMs = now() - started;
    const correctAt = await correct;
    return { correctMs: Math.round(correctAt - started), firstSliceMs: Math.round((firstSliceAt ?? correctAt) - started), createMs: Math.round(createMs), slices: informer.list().length, sliceEvents };
  } finally {
    await informer.stop();
  }
}
