/**
 * The fleet `npm run demo -- --gitops flux` commits to Git: the reference scenario of main.ts in
 * Flux's layout (GitOps.FLUX), with cluster-1 as the hub (Flux runs there and applies its stages
 * directly) and cluster-2 reached through `kubeConfig.secretRef`, without the client pod (the
 * demo asks CoreDNS itself). `replicas` and `withImport` are the two changes the demo commits
 * after the first.
 */
import { DnsMethod, Fleet, GitOps, HeadlessImport, MultiClusterStatefulSet, SyncRunner } from '../lib';

export const FLUX_FLEET = {
  name: 'reference',
  hub: 'cluster-1',
  namespace: 'provider-ns',
  /** The Secret in the hub's flux-system holding cluster-2's kubeconfig (key `value`). */
  kubeConfigSecrets: { 'cluster-2': 'cluster-2-kubeconfig' } as Record<string, string>,
  /** Where the fleet sits in the Git repository (`gitPath`). */
  gitPath: 'dist',
} as const;

export interface FluxFleetOptions {
  readonly outdir: string;
  readonly gitRepoUrl: string;
  /** @default 2 */
  readonly replicas?: number;
  /** @default true */
  readonly withImport?: boolean;
}

export function synthFluxFleet(o: FluxFleetOptions): void {
  const fleet = new Fleet({ name: FLUX_FLEET.name, gitops: GitOps.FLUX, gitRepoUrl: o.gitRepoUrl, outdir: o.outdir });
  const cluster1 = fleet.addCluster('cluster-1', { storageClass: 'standard', coreDnsVersion: '1.12.2' });
  const cluster2 = fleet.addCluster('cluster-2', {
    storageClass: 'standard',
    coreDnsVersion: '1.12.2',
    fluxKubeConfigSecret: FLUX_FLEET.kubeConfigSecrets['cluster-2'],
  });
  new MultiClusterStatefulSet(fleet, 'mysql', {
    namespace: FLUX_FLEET.namespace,
    image: 'mysql:5.6',
    providers: [{ cluster: cluster1, replicas: o.replicas ?? 2 }],
    ports: [{ name: 'tcp', port: 3306 }],
    secretEnv: [{ name: 'MYSQL_ROOT_PASSWORD', secretName: 'mysecret', key: 'ROOT_PASSWORD' }],
    volumeClaims: [{ name: 'data', mountPath: '/var/lib/mysql', size: '50Gi' }],
    terminationGracePeriodSeconds: 10,
  });
  if (o.withImport ?? true) {
    new HeadlessImport(fleet, 'mysql-import', {
      serviceName: 'mysql',
      namespace: FLUX_FLEET.namespace,
      consumers: [cluster2],
      dnsMethods: [DnsMethod.AMCS, DnsMethod.CLUSTERSET],
    });
  }
  new SyncRunner(fleet, 'runner', { hostCluster: cluster2 });
  fleet.synth();
}
