/**
 * The runner's view of one cluster: informer caches of everything the sync reads, in the roles
 * of provider (exports, services, pods) and consumer (namespaces, imports, amcs Services, the
 * slices we derived), plus reachability.
 */
import { LABEL_ENDPOINTSLICE_MANAGED_BY, LABEL_IMPORT_OF, LABEL_MCS_SERVICE_NAME, LABEL_SERVICE_NAME, MANAGER, serviceOfAmcsName } from '../../fleet/names';
import { KubeClient } from '../../kube/client';
import { explainListError } from './diagnose';
import { Informer, InformerEventType } from '../../kube/informer';
import { ENDPOINT_SLICES, LEASES, NAMESPACES, PODS, ResourceType, SERVICE_EXPORTS, SERVICE_IMPORTS, SERVICES } from '../../kube/resources';
import { EndpointSlice, KubeObject, Lease, Namespace, Pod, Service, ServiceExport, ServiceImport } from '../../kube/types';

export type WatchedKind = 'pod' | 'service' | 'serviceExport' | 'namespace' | 'serviceImport' | 'slice' | 'lease';

/** Label on the runner's liveness Leases: the source cluster the lease vouches for. */
export const LABEL_LIVENESS_OF = 'mcs.cdk8s.io/liveness-of';

export interface ClusterEvent {
  readonly clusterId: string;
  readonly kind: WatchedKind;
  readonly type: InformerEventType;
  readonly obj: KubeObject;
  readonly old?: KubeObject;
}

export type ClusterEventHandler = (e: ClusterEvent) => void;

/** Called when an informer's list or watch fails, with an explanation naming the fix. */
export type ClusterErrorHandler = (clusterId: string, explanation: string) => void;

const byNamespace = (o: KubeObject) => (o.metadata.namespace ? [o.metadata.namespace] : []);
const byImport = (o: KubeObject) => {
  const svc = o.metadata.labels?.[LABEL_IMPORT_OF];
  return svc && o.metadata.namespace ? [`${o.metadata.namespace}/${svc}`] : [];
};

/**
 * The service key a slice carrying our managed-by label belongs to. Slices we did not derive
 * but that claim to be ours still map to a key (possibly `<ns>/`), whose reconcile removes them.
 */
export function sliceServiceKey(o: KubeObject): string {
  const labels = o.metadata.labels ?? {};
  const svc = labels[LABEL_IMPORT_OF] ?? labels[LABEL_MCS_SERVICE_NAME] ?? serviceOfAmcsName(labels[LABEL_SERVICE_NAME] ?? '') ?? '';
  return `${o.metadata.namespace ?? ''}/${svc}`;
}

export interface ClusterStateOptions {
  /** Namespace of the runner's Leases. */
  readonly runnerNamespace: string;
  readonly onEvent: ClusterEventHandler;
  readonly onError?: ClusterErrorHandler;
  /** @default 300 */
  readonly watchTimeoutSeconds?: number;
}

export class ClusterState {
  public readonly pods: Informer<Pod>;
  public readonly services: Informer<Service>;
  public readonly serviceExports: Informer<ServiceExport>;
  public readonly namespaces: Informer<Namespace>;
  public readonly serviceImports: Informer<ServiceImport>;
  /** Only slices labelled managed-by cdk8s-mcs: those we derived, and impostors to remove. */
  public readonly slices: Informer<EndpointSlice>;
  /** The runner's liveness Leases in its own namespace. */
  public readonly leases: Informer<Lease>;

  public constructor(public readonly client: KubeClient, o: ClusterStateOptions) {
    const make = <T extends KubeObject>(kind: WatchedKind, resource: ResourceType, extra: { labelSelector?: string; namespace?: string; indexes?: Record<string, (o: KubeObject) => readonly string[]> } = {}) =>
      new Informer<T>(client, { resource, watchTimeoutSeconds: o.watchTimeoutSeconds, ...extra }, {
        onEvent: (type, obj, old) => o.onEvent({ clusterId: client.clusterId, kind, type, obj, old }),
        onError: (e) => o.onError?.(client.clusterId, explainListError(client.clusterId, resource.plural, e)),
      });
    const runnerNamespace = o.runnerNamespace;
    this.pods = make('pod', PODS, { indexes: { namespace: byNamespace } });
    this.services = make('service', SERVICES, { indexes: { import: byImport } });
    this.serviceExports = make('serviceExport', SERVICE_EXPORTS, { indexes: { namespace: byNamespace } });
    this.namespaces = make('namespace', NAMESPACES);
    this.serviceImports = make('serviceImport', SERVICE_IMPORTS);
    this.slices = make('slice', ENDPOINT_SLICES, { labelSelector: `${LABEL_ENDPOINTSLICE_MANAGED_BY}=${MANAGER}`, indexes: { import: (o) => [sliceServiceKey(o)] } });
    this.leases = make('lease', LEASES, { namespace: runnerNamespace, labelSelector: LABEL_LIVENESS_OF });
  }

  public get clusterId(): string {
    return this.client.clusterId;
  }

  private get informers(): Informer<KubeObject>[] {
    return [this.pods, this.services, this.serviceExports, this.namespaces, this.serviceImports, this.slices, this.leases] as Informer<KubeObject>[];
  }

  /** Every informer of this cluster, for metrics. */
  public allInformers(): readonly Informer<KubeObject>[] {
    return this.informers;
  }

  public start(): void {
    this.informers.forEach((i) => i.start());
  }

  public async stop(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  public hasSynced(): boolean {
    return this.informers.every((i) => i.hasSynced());
  }

  public async waitForSync(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.waitForSync()));
  }

  /** Epoch ms of the most recent successful contact of any informer. */
  public lastContact(): number {
    return Math.max(...this.informers.map((i) => i.lastContact));
  }

  /** Why informers fail, one explanation each (for --once, logs and /readyz). */
  public problems(): string[] {
    return [...new Set(this.informers.filter((i) => i.lastError).map((i) => explainListError(this.clusterId, i.resourceName, i.lastError)))];
  }

  /** The amcs Service a HeadlessImport created for `namespace/service`, if any. */
  public amcsServiceFor(namespace: string, service: string): Service | undefined {
    return this.services.byIndex('import', `${namespace}/${service}`).find((s) => s.spec?.selector === undefined || Object.keys(s.spec.selector).length === 0);
  }

  public derivedSlicesFor(namespace: string, service: string): EndpointSlice[] {
    return this.slices.byIndex('import', `${namespace}/${service}`);
  }
}
