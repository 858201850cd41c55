/** Loading a kubeconfig and making one client per fleet cluster, with errors that never echo credentials. */
import { KubeClient } from './client';
import { Kubeconfig, loadKubeConfig } from './kubeconfig';

export { loadKubeConfig };
export type { Kubeconfig };

/** A client for one context of a kubeconfig. */
export function clientForContext(base: Kubeconfig, context: string, clusterId: string): KubeClient {
  const known = base.contextNames();
  if (!known.includes(context)) {
    throw new Error(`cluster "${clusterId}": kubeconfig has no context "${context}" (contexts: ${known.map((c) => `"${c}"`).join(', ')}); pass --context-map ${clusterId}=<context>`);
  }
  let auth;
  try {
    auth = base.authFor(context);
  } catch (e) {
    throw new Error(`cluster "${clusterId}": ${(e as Error).message}`);
  }
  return new KubeClient(clusterId, auth);
}
