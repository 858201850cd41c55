/** Turns API errors into messages that say what is wrong with a cluster and how to fix it. */
import { KubeApiError, messageOf } from '../../kube/errors';

const MCS_RESOURCES = ['serviceexports', 'serviceimports'];

export function explainListError(clusterId: string, resource: string, error: unknown): string {
  if (!(error instanceof KubeApiError)) {
    return `cluster "${clusterId}": ${resource}: ${messageOf(error)}`;
  }
  if (error.status === 404 && MCS_RESOURCES.includes(resource)) {
    return `cluster "${clusterId}": the Multi-Cluster Services CRDs are not installed (${resource} not found); apply dist/${clusterId}, which contains them`;
  }
  if (error.status === 403) {
    return `cluster "${clusterId}": forbidden to list/watch ${resource}; give the runner's identity the SyncRunner RBAC (dist/${clusterId}/02-clusterrole.cdk8s-mcs-sync.yaml) — ${firstSentence(error.message)}`;
  }
  if (error.status === 401) {
    return `cluster "${clusterId}": the API server rejects the kubeconfig credentials (401 Unauthorized); refresh the token or certificate of this cluster's context`;
  }
  if (error.status === 0) {
    return `cluster "${clusterId}": unreachable: ${firstSentence(error.message)}`;
  }
  return `cluster "${clusterId}": listing ${resource} failed: ${firstSentence(error.message)}`;
}

/** The first line, without the `cluster "<id>": ` prefix the client already put there. */
function firstSentence(text: string): string {
  return text.split('\n')[0].replace(/^cluster "[^"]*": /, '').slice(0, 300);
}
