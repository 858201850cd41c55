/**
 * The runner's view of one cluster: informer caches of everything the sync reads, in the roles
 * of provider (exports, services, pods) and consumer (namespaces, imports, amcs Services, the
 * slices we derived), plus reachability.
 */
import { clustersetIpServiceName, LABEL_DERIVED_BY, LABEL_ENDPOINTSLICE_MANAGED_BY, LABEL_IMPORT_OF, LABEL_MCS_SERVICE_NAME, LABEL_SERVICE_NAME, MANAGER, serviceOfAmcsName } from '../../fleet/names';
import { KubeClient } from '../../kube/client';
import { explainListError } from './diagnose';
import { Informer, InformerEventType, InformerOptions } from '../../kube/informer';
import { ENDPOINT_SLICES, LEASES, NAMESPACES, PODS, ResourceType, SERVICE_EXPORTS, SERVICE_IMPORTS, SERVICES } from '../../kube/resources';
import { EndpointSlice, KubeObject, Lease, Namespace, Pod, Service, ServiceExport, ServiceImport } from '../../kube/types';
import { ingestEndpointSlice, ingestLivenessLease, ingestNamespace, ingestPod, ingestService, ingestServiceExport, ingestServiceImport } from './ingest';
import { labelPairKey, SelectorKeys } from './selector-keys';

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

export { labelPairKey };
const bySelectorPair = (o: KubeObject) => Object.entries((o as Service).spec?.selector ?? {}).map(([k, v]) => labelPairKey(o.metadata.namespace ?? '', k, v));
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
  /** An event handler threw (the watch goes on). @default - written to stderr by the informer */
  readonly onHandlerError?: (error: Error, where: string) => void;
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
  /** The label keys Services select on: the pods' label index holds only those pairs. */
  private readonly selectorKeys = new SelectorKeys();

  public constructor(public readonly client: KubeClient, o: ClusterStateOptions) {
    const make = <T extends KubeObject>(kind: WatchedKind, resource: ResourceType, extra: Omit<InformerOptions<T>, 'resource'>) =>
      new Informer<T>(client, { resource, watchTimeoutSeconds: o.watchTimeoutSeconds, ...extra }, {
        onEvent: (type, obj, old) => o.onEvent({ clusterId: client.clusterId, kind, type, obj, old }),
        onError: (e) => o.onError?.(client.clusterId, explainListError(client.clusterId, resource.plural, e)),
        onHandlerError: o.onHandlerError,
      });
    const runnerNamespace = o.runnerNamespace;
    // Each cache keeps only what the sync reads (./ingest.ts).
    this.pods = make<Pod>('pod', PODS, { transform: ingestPod, indexes: { label: (p) => this.selectorKeys.pairsOf(p) } });
    this.services = make<Service>('service', SERVICES, { transform: ingestService, indexes: { import: byImport, selector: bySelectorPair }, onCacheChange: (s) => this.onServiceCached(s) });
    this.serviceExports = make<ServiceExport>('serviceExport', SERVICE_EXPORTS, { transform: ingestServiceExport });
    this.namespaces = make<Namespace>('namespace', NAMESPACES, { transform: ingestNamespace });
    this.serviceImports = make<ServiceImport>('serviceImport', SERVICE_IMPORTS, { transform: ingestServiceImport });
    this.slices = make<EndpointSlice>('slice', ENDPOINT_SLICES, { transform: ingestEndpointSlice, labelSelector: `${LABEL_ENDPOINTSLICE_MANAGED_BY}=${MANAGER}`, indexes: { import: (o) => [sliceServiceKey(o)] } });
    this.leases = make<Lease>('lease', LEASES, { transform: ingestLivenessLease, namespace: runnerNamespace, labelSelector: LABEL_LIVENESS_OF });
  }

  /** A Service selecting on a label key not seen before: index that key's pairs of every pod. */
  private onServiceCached(service: Service): void {
    if (this.selectorKeys.observe(service)) {
      this.pods.reindex('label');
    }
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

  /** The amcs Service a HeadlessImport created for `namespace/service`, if any (never the runner's own ClusterSetIP Service). */
  public amcsServiceFor(namespace: string, service: string): Service | undefined {
    return this.services
      .byIndex('import', `${namespace}/${service}`)
      .find((s) => s.metadata.labels?.[LABEL_DERIVED_BY] !== MANAGER && (s.spec?.selector === undefined || Object.keys(s.spec.selector).length === 0));
  }

  /** The Service named as the ClusterSetIP Service of `namespace/service`, whoever created it. */
  public clusterSetServiceFor(namespace: string, service: string): Service | undefined {
    return this.services.get(`${namespace}/${clustersetIpServiceName(service)}`);
  }

  /** False for a namespace that does not exist or is being deleted (nothing can be created there). */
  public namespaceIsLive(namespace: string): boolean {
    const ns = this.namespaces.get(namespace);
    return ns !== undefined && !ns.metadata.deletionTimestamp && ns.status?.phase !== 'Terminating';
  }

  /**
   * The pods a Service's selector may select: those carrying its rarest selector pair (a superset
   * of the selected pods; podEndpoints applies the whole selector). Found through the label index,
   * so a namespace of 10,000 pods is not scanned for each of its services. None without a selector.
   */
  public candidatePods(service: Service | undefined): Pod[] {
    const namespace = service?.metadata.namespace ?? '';
    const pairs = Object.entries(service?.spec?.selector ?? {}).map(([k, v]) => labelPairKey(namespace, k, v));
    if (pairs.length === 0) {
      return [];
    }
    const rarest = pairs.reduce((a, b) => (this.pods.indexCount('label', b) < this.pods.indexCount('label', a) ? b : a));
    return this.pods.byIndex('label', rarest);
  }

  /** The Services in a namespace whose selector has a pair among these labels (a superset of those selecting them). */
  public servicesSelectingAny(namespace: string, labels: Readonly<Record<string, string>> | undefined): Service[] {
    const found = new Map<string, Service>();
    for (const [k, v] of Object.entries(labels ?? {})) {
      for (const s of this.services.byIndex('selector', labelPairKey(namespace, k, v))) {
        found.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
      }
    }
    return [...found.values()];
  }

  public derivedSlicesFor(namespace: string, service: string): EndpointSlice[] {
    return this.slices.byIndex('import', `${namespace}/${service}`);
  }
}
