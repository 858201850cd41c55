/** The pod changes the propagation benchmark makes in the provider cluster, as plain API calls. */
import { KubeClient } from '../../lib/kube/client';
import { PODS, resourcePath } from '../../lib/kube/resources';
import { Pod } from '../../lib/kube/types';

export const APP_LABEL = 'bench-propagation';
export const CONTAINER_PORT = 3306;

/**
 * A bare pod bound to a node (no scheduler in the path; kwok gives it an IP from that node's range
 * and marks it Ready), with hostname and subdomain so the in-cluster controller names it too.
 * `labels` default to the propagation benchmark's, `port` to its container port.
 */
export function podManifest(o: { name: string; namespace: string; service: string; node: string; labels?: Readonly<Record<string, string>>; port?: number }): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: o.name, namespace: o.namespace, labels: { ...(o.labels ?? { app: APP_LABEL }) } },
    spec: {
      hostname: o.name,
      subdomain: o.service,
      nodeName: o.node,
      containers: [{ name: 'app', image: 'registry.invalid/bench:1', ports: [{ name: 'tcp', containerPort: o.port ?? CONTAINER_PORT }] }],
      terminationGracePeriodSeconds: 30,
    } as unknown as Pod['spec'],
  };
}

export function isReadyWithIp(p: Pod | undefined, uidNot?: string): boolean {
  return p !== undefined && !p.metadata.deletionTimestamp && p.metadata.uid !== uidNot && Boolean(p.status?.podIP) && readyStatus(p) === 'True';
}

export function readyStatus(p: Pod | undefined): string | undefined {
  return p?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

export async function createPod(client: KubeClient, pod: Pod): Promise<void> {
  await client.request({ verb: 'create', method: 'POST', path: resourcePath(PODS, { namespace: pod.metadata.namespace }), body: pod });
}

/** Graceful delete (the pod's 30 s grace period; kwok removes it at once), or immediate with `graceSeconds: 0`. */
export async function deletePod(client: KubeClient, namespace: string, name: string, graceSeconds?: number): Promise<void> {
  const body = { kind: 'DeleteOptions', apiVersion: 'v1', ...(graceSeconds === undefined ? {} : { gracePeriodSeconds: graceSeconds }) };
  await client.request({ verb: 'delete', method: 'DELETE', path: resourcePath(PODS, { namespace, name }), body });
}

/**
 * Flips the pod's Ready condition through the status subresource, as a kubelet does when a
 * readiness probe changes. kwok's pod-ready stage only acts on Pending pods, so it does not
 * set Ready back on a Running pod (the benchmark checks that the flip holds).
 */
export async function setReady(client: KubeClient, namespace: string, name: string, ready: boolean): Promise<void> {
  const status = ready ? 'True' : 'False';
  const body = { status: { conditions: [{ type: 'Ready', status, lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }, { type: 'ContainersReady', status }] } };
  await client.request({ verb: 'patch', method: 'PATCH', path: resourcePath(PODS, { namespace, name, subresource: 'status' }), body, contentType: 'application/strategic-merge-patch+json' });
}
