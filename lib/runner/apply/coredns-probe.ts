/**
 * How `apply` sees whether a cluster's CoreDNS is serving after a configuration change, from
 * wherever `apply` runs: through the API server (each CoreDNS pod's Ready condition, its `ready`
 * endpoint and its metrics, via the pod proxy), or at an address given on the command line (a
 * port-forward, or the test bed's local CoreDNS).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { argValues, directivesNamed, parseCorefile, serverBlocks } from '../../corefile';
import { KubeClient } from '../../kube/client';
import { messageOf } from '../../kube/errors';
import { PODS, resourcePath } from '../../kube/resources';
import { Pod } from '../../kube/types';
import { COREDNS_NAMESPACE } from '../../fleet/coredns-objects';

/** One CoreDNS instance as seen now. */
export interface CoreDnsInstance {
  /** Pod name, or the probed URL. */
  readonly name: string;
  /** Changes when the instance is replaced (pod UID). */
  readonly uid?: string;
  readonly ready: boolean;
  /** Why not ready, or what was seen. */
  readonly detail: string;
  /** `coredns_reload_version_info` value: changes when CoreDNS loads another Corefile. */
  readonly reloadHash?: string;
  /** `coredns_reload_failed_total`: grows when CoreDNS rejects a new Corefile and keeps the old one. */
  readonly reloadFailures?: number;
}

export interface CoreDnsProbe {
  /** For messages: `2 pods k8s-app=kube-dns in kube-system (ready port 8181)`. */
  readonly description: string;
  observe(): Promise<CoreDnsInstance[]>;
}

export type ProbeClient = Pick<KubeClient, 'request'>;

export interface PodProbeOptions {
  /** Label selector of the CoreDNS pods in kube-system. */
  readonly selector: string;
  /** Port of the `ready` plugin; undefined when the Corefile has none (the pod's Ready condition alone decides). */
  readonly readyPort?: number;
  /** Port of the `prometheus` plugin; undefined when the Corefile has none. */
  readonly metricsPort?: number;
}

const PROBE_TIMEOUT_MS = 3000;

/** The `ready` and `prometheus` ports a Corefile sets (CoreDNS defaults :8181 and :9153 when they have no argument). */
export function probePortsOf(corefile: string | undefined): { readyPort?: number; metricsPort?: number } {
  if (corefile === undefined) {
    return { readyPort: 8181 };
  }
  try {
    const blocks = serverBlocks(parseCorefile(corefile));
    const port = (plugin: string, fallback: number) => {
      const d = blocks.flatMap((b) => directivesNamed(b.body, plugin))[0];
      return d ? Number(/:(\d+)$/.exec(argValues(d)[0] ?? '')?.[1] ?? fallback) : undefined;
    };
    return { readyPort: port('ready', 8181), metricsPort: port('prometheus', 9153) };
  } catch {
    return { readyPort: 8181 };
  }
}

export function podProxyProbe(client: ProbeClient, o: PodProbeOptions): CoreDnsProbe {
  return {
    description: `CoreDNS pods ${o.selector} in ${COREDNS_NAMESPACE} (Ready condition${o.readyPort ? `, /ready on port ${o.readyPort}` : ''}${o.metricsPort ? `, reload metrics on port ${o.metricsPort}` : ''}, through the API server's pod proxy)`,
    async observe() {
      const list = (await client.request({ verb: 'list', method: 'GET', path: resourcePath(PODS, { namespace: COREDNS_NAMESPACE }), query: { labelSelector: o.selector } })) as { items?: Pod[] };
      const pods = (list.items ?? []).filter((p) => !p.metadata.deletionTimestamp);
      return Promise.all(pods.map((p) => observePod(client, p, o)));
    },
  };
}

async function observePod(client: ProbeClient, pod: Pod, o: PodProbeOptions): Promise<CoreDnsInstance> {
  const name = pod.metadata.name;
  const base = { name, uid: pod.metadata.uid };
  const metrics = o.metricsPort ? await proxyGet(client, name, o.metricsPort, 'metrics').catch(() => undefined) : undefined;
  const reload = metrics === undefined ? {} : parseReloadMetrics(metrics);
  const condition = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready') as { status: string; reason?: string; message?: string } | undefined;
  if (condition?.status !== 'True') {
    return { ...base, ...reload, ready: false, detail: `pod not Ready (${condition ? `${condition.reason ?? condition.status}${condition.message ? `: ${condition.message}` : ''}` : `phase ${pod.status?.phase ?? 'unknown'}`})` };
  }
  if (!o.readyPort) {
    return { ...base, ...reload, ready: true, detail: 'pod Ready' };
  }
  try {
    await proxyGet(client, name, o.readyPort, 'ready');
    return { ...base, ...reload, ready: true, detail: `pod Ready, /ready answers 200` };
  } catch (e) {
    return { ...base, ...reload, ready: false, detail: `/ready on port ${o.readyPort}: ${messageOf(e).replace(/^cluster "[^"]*": /, '')}` };
  }
}

async function proxyGet(client: ProbeClient, pod: string, port: number, path: string): Promise<string> {
  const proxy = `${resourcePath(PODS, { namespace: COREDNS_NAMESPACE, name: `${pod}:${port}` })}/proxy/${path}`;
  return String(await client.request({ verb: 'get', method: 'GET', path: proxy, timeoutMs: PROBE_TIMEOUT_MS }) ?? '');
}

/** `coredns_reload_version_info{hash="sha512",value="…"} 1` and `coredns_reload_failed_total 2`. */
export function parseReloadMetrics(text: string): { reloadHash?: string; reloadFailures?: number } {
  const hash = /^coredns_reload_version_info\{[^}]*value="([^"]+)"[^}]*\}/m.exec(text)?.[1];
  const failures = /^coredns_reload_failed_(?:total|count)(?:\{\})? ([0-9.e+]+)$/m.exec(text)?.[1];
  return { ...(hash ? { reloadHash: hash } : {}), ...(failures !== undefined ? { reloadFailures: Number(failures) } : {}) };
}

/** Probes a `ready` endpoint directly (e.g. `http://127.0.0.1:21154/ready`): 200 is ready. */
export function urlProbe(url: string): CoreDnsProbe {
  return {
    description: `CoreDNS at ${url}`,
    async observe() {
      const status = await httpStatus(url).catch((e: Error) => e);
      const ready = status === 200;
      return [{ name: url, ready, detail: ready ? '200' : typeof status === 'number' ? `answered ${status}` : `no answer: ${status.message}` }];
    },
  };
}

function httpStatus(url: string): Promise<number> {
  const get = url.startsWith('https:') ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}
