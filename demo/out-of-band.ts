/**
 * What a fleet expects to exist outside Git, created on the bed before `apply`: every StorageClass
 * its volume claims name (provisioned by kwok's fake volume controller) and every Secret its
 * workloads read (placeholder values: on a real cluster you create them, e.g. with kubectl or a
 * SealedSecret). The runner's own kubeconfig Secret is created later, from the real kubeconfig.
 */
import { randomBytes } from 'node:crypto';
import { secretRefs, storageClassRefs } from '../lib/runner/preflight/dist-references';
import { readClusterManifests } from '../lib/runner/apply/manifests';
import { adminClient } from '../testbed/harness';

export interface OutOfBand {
  readonly clusterId: string;
  readonly storageClasses: readonly string[];
  /** `namespace/name (keys)`. */
  readonly secrets: readonly string[];
}

const FIELD_MANAGER = 'cdk8s-mcs-demo';

type SecretName = { readonly namespace: string; readonly name: string };

/**
 * Creates, in each cluster, the StorageClasses and Secrets its dist folder names, except `later`
 * (the runner's kubeconfig Secret); returns what it created.
 */
export async function createOutOfBand(dist: string, clusterIds: readonly string[], later?: SecretName): Promise<OutOfBand[]> {
  return Promise.all(clusterIds.map((id) => createInCluster(dist, id, later)));
}

async function createInCluster(dist: string, clusterId: string, later?: SecretName): Promise<OutOfBand> {
  const objects = readClusterManifests(dist, clusterId).map((m) => m.object);
  const classes = [...new Set(storageClassRefs(objects).map((r) => r.name))];
  const secrets = secretRefs(objects).filter((s) => !(s.name === later?.name && s.namespace === later.namespace));
  const kube = adminClient(clusterId);
  try {
    for (const name of classes) {
      await kube.apply({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'kwok.x-k8s.io/volume', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' }, { fieldManager: FIELD_MANAGER });
    }
    for (const s of secrets) {
      await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: s.namespace } }, { fieldManager: FIELD_MANAGER });
      const keys = s.keys.length > 0 ? s.keys : ['value'];
      const stringData = Object.fromEntries(keys.map((k) => [k, `demo-${randomBytes(6).toString('hex')}`]));
      await kube.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: s.name, namespace: s.namespace }, stringData }, { fieldManager: FIELD_MANAGER });
    }
  } finally {
    kube.close();
  }
  return { clusterId, storageClasses: classes, secrets: secrets.map((s) => `${s.namespace}/${s.name}${s.keys.length ? ` (${s.keys.join(', ')})` : ''}`) };
}
