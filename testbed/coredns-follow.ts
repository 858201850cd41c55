/**
 * Makes a bed cluster's CoreDNS run what its `kube-system/coredns` ConfigMap says, as a real
 * cluster's CoreDNS does: the ConfigMap is polled, and when its Corefile changes the local CoreDNS
 * is restarted with it, adapted to the bed (adaptCorefileForLocalRun, `ready` kept on the bed's
 * ready port so readiness can be probed). A Corefile CoreDNS rejects (an unknown plugin) leaves
 * CoreDNS down and its ready port closed, like a crash-looping pod; a Corefile that loads but never
 * gets ready (e.g. multicluster without its RBAC) leaves /ready answering 503, like an unready pod.
 * When the ConfigMap is deleted, the bed's default Corefile runs again (or, with `whenDeleted:
 * 'keep'`, what ran stays, as a running pod keeps its last mounted Corefile).
 */
import { adaptCorefileForLocalRun } from './adapt-corefile';
import { defaultCorefile } from './cluster-plan';
import { adminClient, restartCoreDns } from './control';
import { clusterOf, requireState } from './state';

export interface CoreDnsFollower {
  /** Stops polling; the CoreDNS that runs stays as it is (restartCoreDns() puts the default back). */
  stop(): Promise<void>;
  /** Corefiles started so far (the first is the ConfigMap's at start), with what happened. */
  readonly history: { at: number; resourceVersion?: string; started: boolean; error?: string }[];
}

export interface FollowOptions {
  /** @default 250 */
  readonly intervalMs?: number;
  /** The resourceVersion whose Corefile CoreDNS already runs (no restart for it). @default - restart with the ConfigMap's Corefile at once */
  readonly runningResourceVersion?: string;
  /** @default 'bed-default' */
  readonly whenDeleted?: 'bed-default' | 'keep';
}

export function followCoreDnsConfigMap(clusterId: string, opts: FollowOptions = {}): CoreDnsFollower {
  const kube = adminClient(clusterId);
  const history: CoreDnsFollower['history'] = [];
  let running: string | undefined = opts.runningResourceVersion;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const tick = async () => {
    const cm = await kube.tryGet('v1', 'ConfigMap', 'coredns', 'kube-system').catch(() => 'unreadable' as const);
    if (cm === 'unreadable' || stopped) return;
    const version = cm?.metadata?.resourceVersion as string | undefined;
    const text = cm?.data?.Corefile as string | undefined;
    const key = `${version ?? 'none'}`;
    if (key === running) return;
    running = key;
    if (text === undefined && opts.whenDeleted === 'keep') return;
    const c = clusterOf(requireState(), clusterId);
    try {
      const local = text === undefined ? defaultCorefile(c) : adaptCorefileForLocalRun(text, { port: c.coredns.port, kubeconfig: c.coredns.kubeconfig, readyPort: c.ports.corednsReady, log: false });
      await restartCoreDns(clusterId, local, { wait: false });
      history.push({ at: Date.now(), resourceVersion: version, started: true });
    } catch (e) {
      history.push({ at: Date.now(), resourceVersion: version, started: false, error: (e as Error).message });
    }
  };
  const loop = () => {
    if (stopped) return;
    inFlight = tick().finally(() => {
      if (!stopped) timer = setTimeout(loop, opts.intervalMs ?? 250);
    });
  };
  loop();
  return {
    history,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      kube.close();
    },
  };
}
