/**
 * Builds a kubeconfig whose contexts authenticate as a ServiceAccount in each cluster, from an
 * admin kubeconfig: the runner then holds only the permissions its RBAC grants.
 */
import * as fs from 'node:fs';
import { stringify } from 'yaml';
import { KubeClient } from './client';
import { Kubeconfig } from './kubeconfig';

export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

export interface MintedContext {
  readonly context: string;
  readonly server: string;
  readonly caData?: string;
  readonly insecureSkipTlsVerify?: boolean;
  readonly token: string;
}

/** Asks the API server for a token of the ServiceAccount (TokenRequest API). */
export async function requestServiceAccountToken(client: KubeClient, sa: ServiceAccountRef, expirationSeconds: number): Promise<string> {
  const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds } };
  const path = `/api/v1/namespaces/${encodeURIComponent(sa.namespace)}/serviceaccounts/${encodeURIComponent(sa.name)}/token`;
  const res = (await client.request({ verb: 'create', method: 'POST', path, body })) as { status?: { token?: string } };
  if (!res?.status?.token) {
    throw new Error(`cluster "${client.clusterId}": the TokenRequest for ${sa.namespace}/${sa.name} returned no token`);
  }
  return res.status.token;
}

/** Server and CA of a context of the admin kubeconfig, to be reused with another identity. */
export function endpointOf(kc: Kubeconfig, context: string): Omit<MintedContext, 'context' | 'token'> {
  const cluster = kc.clusterOf(context);
  const caFile = cluster['certificate-authority'];
  const caData = cluster['certificate-authority-data'] ?? (caFile ? fs.readFileSync(caFile).toString('base64') : undefined);
  return { server: cluster.server, ...(caData ? { caData } : {}), ...(cluster['insecure-skip-tls-verify'] ? { insecureSkipTlsVerify: true } : {}) };
}

/** The kubeconfig text: one cluster, user and context per entry, contexts named as given. */
export function renderKubeconfig(entries: readonly MintedContext[], userPrefix: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: entries.map((e) => ({
      name: e.context,
      cluster: { server: e.server, ...(e.caData ? { 'certificate-authority-data': e.caData } : {}), ...(e.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}) },
    })),
    users: entries.map((e) => ({ name: `${userPrefix}@${e.context}`, user: { token: e.token } })),
    contexts: entries.map((e) => ({ name: e.context, context: { cluster: e.context, user: `${userPrefix}@${e.context}` } })),
    'current-context': entries[0]?.context ?? '',
  });
}
