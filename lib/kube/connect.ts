/** Loading a kubeconfig and making one client per fleet cluster, with errors that never echo credentials. */
import * as fs from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from './client';

/** Loads a kubeconfig file (or $KUBECONFIG / ~/.kube/config when `file` is undefined). */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  const source = file ?? process.env.KUBECONFIG ?? '~/.kube/config';
  if (file !== undefined && !fs.existsSync(file)) {
    throw new Error(`kubeconfig "${file}" does not exist`);
  }
  try {
    if (file === undefined) {
      kc.loadFromDefault();
    } else {
      kc.loadFromFile(file);
    }
  } catch (e) {
    // The parser's message can quote file content; name the file and the kind of problem only.
    throw new Error(`kubeconfig "${source}" cannot be read: ${firstLine((e as Error).message).replace(/:.*$/, '')}`);
  }
  if (kc.getContexts().length === 0) {
    throw new Error(`kubeconfig "${source}" defines no contexts`);
  }
  return kc;
}

/** A client for one context of a kubeconfig. */
export function clientForContext(base: KubeConfig, context: string, clusterId: string): KubeClient {
  const known = base.getContexts().map((c) => c.name);
  if (!known.includes(context)) {
    throw new Error(`cluster "${clusterId}": kubeconfig has no context "${context}" (contexts: ${known.map((c) => `"${c}"`).join(', ')}); pass --context-map ${clusterId}=<context>`);
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: base.clusters, users: base.users, contexts: base.contexts, currentContext: context });
  return new KubeClient(clusterId, kc);
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
