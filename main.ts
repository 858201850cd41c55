// The reference scenario (shared/reference/REFERENCE-SCENARIO.md) as a fleet: cluster-1 runs a
// two-replica MySQL StatefulSet and exports it; cluster-2 imports it with both DNS methods and
// runs the client pod. `npm run synth` writes dist/<cluster-id>/, dist/argocd/, dist/fleet.json, dist/fleet.md.
import { k8s } from 'cdk8s-plus-28';
import { DnsMethod, Fleet, GitOps, HeadlessImport, MultiClusterStatefulSet, SyncRunner } from './lib';

// Argo CD syncs dist/<cluster-id>/ into each cluster (one Application per cluster in dist/argocd/);
// docs/gitops.md shows the Flux variant.
const fleet = new Fleet({
  name: 'reference',
  gitops: GitOps.ARGOCD,
  gitRepoUrl: 'https://git.example.com/platform/fleet.git',
});

const cluster1 = fleet.addCluster('cluster-1', {
  storageClass: 'standard', // per-cluster and vendor-specific (the guide used alicloud-disk-topology-alltype)
  coreDnsVersion: '1.12.2',
});
const cluster2 = fleet.addCluster('cluster-2', {
  storageClass: 'standard',
  coreDnsVersion: '1.12.2',
});

new MultiClusterStatefulSet(fleet, 'mysql', {
  namespace: 'provider-ns',
  image: 'mysql:5.6',
  providers: [{ cluster: cluster1, replicas: 2 }],
  ports: [{ name: 'tcp', port: 3306 }],
  // The root password comes from a Secret created out of band (kubectl, SealedSecret,
  // ExternalSecret): nothing secret is written to Git.
  secretEnv: [{ name: 'MYSQL_ROOT_PASSWORD', secretName: 'mysecret', key: 'ROOT_PASSWORD' }],
  volumeClaims: [{ name: 'data', mountPath: '/var/lib/mysql', size: '50Gi' }],
  terminationGracePeriodSeconds: 10,
});

new HeadlessImport(fleet, 'mysql-import', {
  serviceName: 'mysql',
  namespace: 'provider-ns',
  consumers: [cluster2],
  dnsMethods: [DnsMethod.AMCS, DnsMethod.CLUSTERSET],
});

new k8s.KubePod(cluster2, 'mysql-client', {
  metadata: { name: 'mysql-client', namespace: 'provider-ns' },
  spec: {
    containers: [{ name: 'mysql-client', image: 'mysql:5.6', command: ['sh', '-c', 'sleep 12000'] }],
  },
});

// The reconcile runner: RBAC in every cluster, its Deployment in cluster-2.
new SyncRunner(fleet, 'runner', { hostCluster: cluster2 });

fleet.synth();
