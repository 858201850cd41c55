/**
 * The SyncRunner Deployment reads its kubeconfig from a Secret created out of band (never in Git).
 * On the bed the demo creates it from the very kubeconfig it writes for the local runner, so
 * `kubectl get secret` shows what a real cluster would hold. (kwok's fake pods do not run the image.)
 */
import * as fs from 'node:fs';
import { readClusterManifests } from '../lib/runner/apply/manifests';
import { MANAGER } from '../lib/fleet/names';
import { adminClient } from '../testbed/harness';

/** The key the Deployment mounts (`/etc/cdk8s-mcs/kubeconfig/kubeconfig`). */
export const KUBECONFIG_SECRET_KEY = 'kubeconfig';

interface DeploymentLike {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: { template?: { spec?: { volumes?: { name: string; secret?: { secretName?: string } }[] } } };
}

/** The runner Deployment's kubeconfig Secret in the host cluster's dist folder, if the fleet deploys a runner. */
export function runnerSecretOf(dist: string, hostClusterId: string): { namespace: string; name: string } | undefined {
  const objects = readClusterManifests(dist, hostClusterId).map((m) => m.object as unknown as DeploymentLike);
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `${MANAGER}-sync`);
  const name = deployment?.spec?.template?.spec?.volumes?.find((v) => v.name === 'kubeconfig')?.secret?.secretName;
  return deployment && name ? { namespace: deployment.metadata.namespace ?? 'default', name } : undefined;
}

/** Creates (or replaces) the Secret with the kubeconfig file's content. */
export async function createRunnerSecret(hostClusterId: string, secret: { namespace: string; name: string }, kubeconfigFile: string): Promise<void> {
  const kube = adminClient(hostClusterId);
  try {
    const stringData = { [KUBECONFIG_SECRET_KEY]: fs.readFileSync(kubeconfigFile, 'utf8') };
    await kube.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secret.name, namespace: secret.namespace }, stringData }, { fieldManager: 'cdk8s-mcs-demo' });
  } finally {
    kube.close();
  }
}
