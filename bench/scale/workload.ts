/**
 * The scale benchmark's workload in the provider cluster: `services` headless Services (the ones
 * the fleet's ExportedServices export), each selecting `podsPerService` bare pods bound to the
 * bed's fake nodes (kwok gives them IPs from the node's pod range and marks them Ready), created
 * with plain API calls at bounded concurrency.
 */
import { KubeClient } from '../../lib/kube/client';
import { mapLimit } from '../../lib/runner/apply/concurrency';
import { PODS, resourcePath, SERVICES } from '../../lib/kube/resources';
import { Pod } from '../../lib/kube/types';
import { createPod, podManifest } from '../propagation/pods';

export const APP_LABEL = 'bench-scale';
export const SERVICE_LABEL = 'bench-scale/service';
export const CONTAINER_PORT = 5432;

/** `s-0000` ... `s-0999` (zero-padded so that names sort like their numbers). */
export function serviceNames(count: number): string[] {
  const width = Math.max(4, String(count - 1).length);
  return Array.from({ length: count }, (_, i) => `s-${String(i).padStart(width, '0')}`);
}

export function podNames(service: string, podsPerService: number): string[] {
  return Array.from({ length: podsPerService }, (_, j) => `${service}-${j}`);
}

/** The service a pod of this workload belongs to (pod `s-0012-3` -> `s-0012`). */
export function serviceOfPod(pod: string): string {
  return pod.slice(0, pod.lastIndexOf('-'));
}

export function serviceManifest(namespace: string, name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { clusterIP: 'None', selector: { [SERVICE_LABEL]: name }, ports: [{ name: 'tcp', port: CONTAINER_PORT }] },
  };
}

/** A bare pod bound to a node (no scheduler in the path), named and labelled for its service. */
export function scalePodManifest(o: { name: string; namespace: string; service: string; node: string }): Pod {
  return podManifest({ ...o, labels: { app: APP_LABEL, [SERVICE_LABEL]: o.service }, port: CONTAINER_PORT });
}

/** Retries a call a few times on transient failures (an overloaded API server answers 429 or 5xx, or resets). */
export async function withRetry<T>(what: string, fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const status = (e as { status?: number }).status ?? 0;
      if (i >= attempts || !(status === 0 || status === 429 || status >= 500)) {
        throw new Error(`${what}: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 250 * 2 ** i));
    }
  }
}

export async function createServices(client: KubeClient, namespace: string, names: readonly string[], concurrency: number, log: (l: string) => void): Promise<void> {
  let done = 0;
  await mapLimit(names, concurrency, async (name) => {
    await withRetry(`Service ${namespace}/${name}`, () => client.apply(resourcePath(SERVICES, { namespace, name }), serviceManifest(namespace, name) as never, { fieldManager: 'bench', force: true }));
    if (++done % 500 === 0 || done === names.length) {
      log(`  services: ${done}/${names.length} created`);
    }
  });
}

/** Creates every pod of every service, spread round-robin over the nodes. */
export async function createPods(client: KubeClient, o: { namespace: string; services: readonly string[]; podsPerService: number; nodes: readonly string[]; concurrency: number; log: (l: string) => void }): Promise<void> {
  const pods = o.services.flatMap((service) => podNames(service, o.podsPerService).map((name) => ({ name, service })));
  const step = Math.max(500, Math.ceil(pods.length / 10 / 500) * 500);
  const started = Date.now();
  let done = 0;
  await mapLimit(pods, o.concurrency, async (p, i) => {
    await withRetry(`Pod ${o.namespace}/${p.name}`, () => createPod(client, scalePodManifest({ ...p, namespace: o.namespace, node: o.nodes[i % o.nodes.length] })));
    if (++done % step === 0 || done === pods.length) {
      o.log(`  pods: ${done}/${pods.length} created (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  });
}

export function podPath(namespace: string, name?: string): string {
  return resourcePath(PODS, { namespace, name });
}
