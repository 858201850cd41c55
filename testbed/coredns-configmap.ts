/**
 * The bed's `configmap` CoreDNS mode, as on a kubeadm cluster: each cluster gets kubeadm's
 * kube-system/coredns ConfigMap (no clusterset.local), its CoreDNS runs that Corefile adapted to a
 * local process, and a follower process (testbed/coredns-follower.ts) restarts CoreDNS whenever the
 * ConfigMap changes. So a fleet's applied CoreDNS change is what makes clusterset names resolve.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KUBEADM_DEFAULT_COREFILE } from '../lib/corefile/defaults';
import { adaptCorefileForLocalRun } from './adapt-corefile';
import { KubeClient } from './kube';
import { killProcess, pidAlive, spawnDetached } from './processes';
import { BedState, ClusterState, REPO_ROOT, statePath, updateState } from './state';

const FOLLOWER_SCRIPT = path.join(REPO_ROOT, 'testbed', 'coredns-follower.ts');

/** The Corefile text a bed cluster's CoreDNS process runs for a ConfigMap's Corefile. */
export function localCorefileFor(c: Pick<ClusterState, 'coredns' | 'ports'>, corefile: string): string {
  return adaptCorefileForLocalRun(corefile, { port: c.coredns.port, kubeconfig: c.coredns.kubeconfig, readyPort: c.ports.corednsReady, log: false });
}

/**
 * Creates kube-system/coredns with kubeadm's default Corefile unless it exists; returns the
 * ConfigMap's Corefile and resourceVersion.
 */
export async function seedCoreDnsConfigMap(kube: KubeClient): Promise<{ corefile: string; resourceVersion: string }> {
  const existing = await kube.tryGet('v1', 'ConfigMap', 'coredns', 'kube-system');
  const cm = existing ?? await kube.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'coredns', namespace: 'kube-system' },
    data: { Corefile: KUBEADM_DEFAULT_COREFILE },
  });
  return { corefile: cm.data?.Corefile ?? KUBEADM_DEFAULT_COREFILE, resourceVersion: String(cm.metadata.resourceVersion) };
}

/** Starts the follower process for every cluster of the bed; `running` maps cluster ID to the resourceVersion its CoreDNS runs. */
export function startCoreDnsFollower(s: BedState, running: Readonly<Record<string, string>>): number {
  const log = path.join(s.dir, 'coredns-follower.log');
  const tsNode = require.resolve('ts-node/register/transpile-only', { paths: [REPO_ROOT] });
  const args = ['-r', tsNode, FOLLOWER_SCRIPT, statePath(), ...Object.entries(running).map(([id, rv]) => `${id}=${rv}`)];
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', TS_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.json') };
  const pid = spawnDetached({ pid: null, binary: process.execPath, args, env, log }, REPO_ROOT);
  updateState((st) => {
    st.corednsFollower = { pid, log };
  });
  return pid;
}

/** Stops the follower process, if one runs (before CoreDNS itself is stopped, so it restarts nothing on the way down). */
export async function stopCoreDnsFollower(s: BedState): Promise<boolean> {
  const pid = s.corednsFollower?.pid;
  if (!pid || !pidAlive(pid) || !isFollower(pid)) {
    return false;
  }
  await killProcess(pid, 'SIGTERM', 5000);
  return true;
}

/** Guards against a reused pid: the process must still be the follower script. */
export function isFollower(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(FOLLOWER_SCRIPT);
  } catch {
    return false;
  }
}
