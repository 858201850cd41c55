import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { toFleetManifest } from '../fleet/manifest';
import { LABEL_APP_MANAGED_BY, LABEL_APP_NAME, MANAGER } from '../fleet/names';
import { defaultRunnerImage } from '../fleet/own-package';
import { Cluster } from './cluster';
import { FleetContribution, IEveryClusterConstruct, IFleetContributor } from './contribution';
import { clustersOf, fleetOf, stampCreation } from './fleet-tree';
import { checkInput, memberId, requireSameFleet } from './helpers';
import { INT32_MAX, requireDnsLabel, requireDnsSubdomain, requireNonNegativeInteger } from './validate';

export interface SyncRunnerProps {
  /** The cluster whose Deployment runs `cdk8s-mcs sync`; every cluster gets its RBAC. */
  readonly hostCluster: Cluster;
  /**
   * Container image with the cdk8s-mcs CLI: build it from the repository's Dockerfile
   * (`docker build -t cdk8s-mcs:<version> .`), push it to a registry your clusters pull from, and
   * set this to the pushed name (README, "Deploying it"). The default names no registry, so it
   * runs only where that image was built or loaded (a kind node after `kind load docker-image`).
   * @default 'cdk8s-mcs:<version of this package>', e.g. 'cdk8s-mcs:0.1.0'
   */
  readonly image?: string;
  /**
   * Namespace of the runner and of its Leases, in every cluster.
   * @default 'cdk8s-mcs-system'
   */
  readonly namespace?: string;
  /**
   * Replicas; more than one gives a hot standby (leader election decides who writes).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Secret in the host cluster, created out of band, whose key `kubeconfig` holds one context per
   * cluster ID, each authenticated as the `cdk8s-mcs-sync` ServiceAccount of that cluster
   * (`cdk8s-mcs kubeconfig` writes it). Never committed to Git.
   * @default 'cdk8s-mcs-kubeconfig'
   */
  readonly kubeconfigSecretName?: string;
  /**
   * How long an unreachable cluster's endpoints are kept (`--endpoint-ttl`).
   * @default '60s'
   */
  readonly endpointTtl?: string;
}

/** Name of the runner's ServiceAccount, ClusterRole and bindings in every cluster. */
export const SYNC_RUNNER_NAME = 'cdk8s-mcs-sync';

/**
 * Rules the sync needs, and nothing more: read what it watches, write only the objects it
 * derives (EndpointSlices, ServiceImports, the `clusterset-<svc>` Services of ClusterSetIP
 * imports, status of exports and imports). It never changes a Service it did not create.
 */
export const SYNC_RUNNER_RULES: k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch', 'create', 'patch', 'delete'] },
  // Derived slices are created and replaced whole (writer.ts), never patched.
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch', 'create', 'update', 'delete'] },
  { apiGroups: ['multicluster.x-k8s.io'], resources: ['serviceexports'], verbs: ['list', 'watch'] },
  { apiGroups: ['multicluster.x-k8s.io'], resources: ['serviceexports/status'], verbs: ['patch'] },
  { apiGroups: ['multicluster.x-k8s.io'], resources: ['serviceimports'], verbs: ['list', 'watch', 'create', 'patch', 'delete'] },
  { apiGroups: ['multicluster.x-k8s.io'], resources: ['serviceimports/status'], verbs: ['patch'] },
];

/** Rules on Leases, in the runner's namespace only (liveness marks and leader election). */
export const SYNC_RUNNER_LEASE_RULES: k8s.PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
];

/**
 * Deploys the sync controller: in every cluster its namespace, ServiceAccount and least-privilege
 * RBAC; in the host cluster a Deployment reading `fleet.json` from a ConfigMap and the
 * kubeconfig from a Secret created out of band.
 */
export class SyncRunner extends Construct implements IFleetContributor, IEveryClusterConstruct {
  /** Namespace of the runner's objects in every cluster (`cdk8s-mcs-system`). */
  public readonly namespace: string;
  /** The cluster whose Deployment runs the sync. */
  public readonly hostCluster: Cluster;

  public constructor(scope: Construct, id: string, props: SyncRunnerProps) {
    super(scope, id);
    stampCreation(this);
    const fleet = fleetOf(this);
    const where = `SyncRunner "${this.node.path}"`;
    this.namespace = props.namespace ?? 'cdk8s-mcs-system';
    checkInput(this, () => {
      requireDnsLabel(where, 'namespace', this.namespace);
      requireSameFleet(where, this, [props.hostCluster]);
      requireNonNegativeInteger(where, 'replicas', props.replicas ?? 2, INT32_MAX);
      requireDnsSubdomain(where, 'kubeconfigSecretName', props.kubeconfigSecretName ?? 'cdk8s-mcs-kubeconfig');
      const existing = fleet.node.findAll().find((c): c is SyncRunner => c instanceof SyncRunner && c !== this);
      if (existing) {
        throw new Error(
          `${where}: the fleet already has a SyncRunner (in cluster "${existing.hostCluster.clusterId}", at ${existing.node.path}); one runner deployment serves the whole fleet. ` +
            `Fix: remove this SyncRunner, and set replicas on the one at ${existing.node.path} for more copies`,
        );
      }
    });
    this.hostCluster = props.hostCluster;
    // The runner watches every cluster: clusters created later get the RBAC from _addToCluster.
    for (const cluster of clustersOf(fleet)) {
      this._addToCluster(cluster);
    }
    this.deploymentInto(props.hostCluster, props);
  }

  /** The runner's deployment: `fleet.json` records where it runs (its leader Lease lives there). */
  public fleetContribution(): FleetContribution {
    return { runner: { hostClusterId: this.hostCluster.clusterId, namespace: this.namespace } };
  }

  /** @internal The runner's namespace, ServiceAccount and RBAC in `cluster`. */
  public _addToCluster(cluster: Cluster): void {
    const scope = new Construct(cluster, `${memberId(this)}-rbac`);
    cluster.ensureNamespace(this.namespace);
    const labels = { [LABEL_APP_NAME]: SYNC_RUNNER_NAME, [LABEL_APP_MANAGED_BY]: MANAGER };
    const subjects = [{ kind: 'ServiceAccount', name: SYNC_RUNNER_NAME, namespace: this.namespace }];
    new k8s.KubeServiceAccount(scope, 'ServiceAccount', { metadata: { name: SYNC_RUNNER_NAME, namespace: this.namespace, labels } });
    new k8s.KubeClusterRole(scope, 'ClusterRole', { metadata: { name: SYNC_RUNNER_NAME, labels }, rules: SYNC_RUNNER_RULES });
    new k8s.KubeClusterRoleBinding(scope, 'ClusterRoleBinding', {
      metadata: { name: SYNC_RUNNER_NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: SYNC_RUNNER_NAME },
      subjects,
    });
    new k8s.KubeRole(scope, 'LeaseRole', { metadata: { name: SYNC_RUNNER_NAME, namespace: this.namespace, labels }, rules: SYNC_RUNNER_LEASE_RULES });
    new k8s.KubeRoleBinding(scope, 'LeaseRoleBinding', {
      metadata: { name: SYNC_RUNNER_NAME, namespace: this.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: SYNC_RUNNER_NAME },
      subjects,
    });
  }

  private deploymentInto(host: Cluster, props: SyncRunnerProps): void {
    const scope = new Construct(host, `${memberId(this)}-deployment`);
    const labels = { [LABEL_APP_NAME]: SYNC_RUNNER_NAME, [LABEL_APP_MANAGED_BY]: MANAGER };
    new k8s.KubeConfigMap(scope, 'Fleet', {
      metadata: { name: `${SYNC_RUNNER_NAME}-fleet`, namespace: this.namespace, labels },
      data: Lazy.any({ produce: () => ({ 'fleet.json': `${JSON.stringify(toFleetManifest(fleetOf(this).model), null, 2)}\n` }) }) as any,
    });
    new k8s.KubeDeployment(scope, 'Resource', {
      metadata: { name: SYNC_RUNNER_NAME, namespace: this.namespace, labels },
      spec: {
        replicas: props.replicas ?? 2,
        selector: { matchLabels: { [LABEL_APP_NAME]: SYNC_RUNNER_NAME } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: SYNC_RUNNER_NAME,
            containers: [{
              name: 'sync',
              image: props.image ?? defaultRunnerImage(),
              args: ['sync', '--dist', '/etc/cdk8s-mcs/fleet', '--kubeconfig', '/etc/cdk8s-mcs/kubeconfig/kubeconfig', '--namespace', this.namespace,
                '--endpoint-ttl', props.endpointTtl ?? '60s', '--leader-election-cluster', host.clusterId, '--identity', '$(POD_NAME)'],
              // A restarted container keeps its pod name, so it takes its leader Lease back at once.
              env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
              ports: [{ name: 'metrics', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/readyz', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 5 },
              livenessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 10 },
              resources: { requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') } },
              securityContext: { readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'fleet', mountPath: '/etc/cdk8s-mcs/fleet', readOnly: true },
                { name: 'kubeconfig', mountPath: '/etc/cdk8s-mcs/kubeconfig', readOnly: true },
              ],
            }],
            volumes: [
              { name: 'fleet', configMap: { name: `${SYNC_RUNNER_NAME}-fleet` } },
              { name: 'kubeconfig', secret: { secretName: props.kubeconfigSecretName ?? 'cdk8s-mcs-kubeconfig' } },
            ],
          },
        },
      },
    });
  }
}
