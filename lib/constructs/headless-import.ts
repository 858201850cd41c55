import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ServiceImport, ServiceImportSpecType } from '../../imports/multicluster.x-k8s.io';
import { exportsOf, ImportSpec, PortSpec } from '../fleet/model';
import { amcsServiceName, DnsMethod, LABEL_APP_MANAGED_BY, LABEL_IMPORT_OF, MANAGER } from '../fleet/names';
import { Cluster } from './cluster';
import { FleetContribution, IFleetContributor } from './contribution';
import { fleetOf, stampCreation } from './fleet-tree';
import { checkInput, memberId, requireSameFleet, toPortSpec } from './helpers';
import { requireDnsLabel, requirePorts, requireServiceName } from './validate';
import { WorkloadPort } from './workload-props';

export interface HeadlessImportProps {
  /** Name of the exported service (the ServiceExport/Service name in the provider clusters). */
  readonly serviceName: string;
  /** Its namespace; created in each consumer cluster if needed (namespace sameness). */
  readonly namespace: string;
  /** The clusters whose clients reach the service's pods. */
  readonly consumers: Cluster[];
  /**
   * How consumers resolve the pods:
   * - `DnsMethod.AMCS`: `<pod>.amcs-<svc>.<ns>.svc.cluster.local`, no DNS change;
   * - `DnsMethod.CLUSTERSET`: `<pod>.<cluster-id>.<svc>.<ns>.svc.clusterset.local`, patches CoreDNS.
   * @default [DnsMethod.AMCS, DnsMethod.CLUSTERSET]
   */
  readonly dnsMethods?: DnsMethod[];
  /**
   * The ports to import; each must be exported with the same name, number and protocol.
   * @default - every port the fleet exports for this service
   */
  readonly ports?: WorkloadPort[];
}

/**
 * Imports a headless multi-cluster service into consumer clusters: the namespace, a
 * `ServiceImport` of type Headless and, per DNS method, a selector-less headless `amcs-<svc>`
 * Service (filled with EndpointSlices by the runner) and/or the CoreDNS clusterset.local change.
 */
export class HeadlessImport extends Construct implements IFleetContributor {
  /** Name of the imported service (the ServiceImport's name). */
  public readonly serviceName: string;
  /** Namespace of the import in every consumer cluster (namespace sameness: the export's namespace). */
  public readonly namespace: string;
  /** The DNS forms consumers resolve the pods by. */
  public readonly dnsMethods: readonly DnsMethod[];
  private readonly explicitPorts?: readonly PortSpec[];
  private readonly importSpec: ImportSpec;

  public constructor(scope: Construct, id: string, props: HeadlessImportProps) {
    super(scope, id);
    stampCreation(this);
    const where = `HeadlessImport "${this.node.path}"`;
    checkInput(this, () => {
      validateProps(where, props);
      requireSameFleet(where, this, props.consumers);
    });
    this.serviceName = props.serviceName;
    this.namespace = props.namespace;
    this.dnsMethods = [...new Set(props.dnsMethods ?? [DnsMethod.AMCS, DnsMethod.CLUSTERSET])];
    this.explicitPorts = props.ports?.map(toPortSpec);
    for (const cluster of props.consumers) {
      this.emitInto(cluster);
    }
    this.importSpec = {
      path: this.node.path,
      namespace: this.namespace,
      name: this.serviceName,
      consumerIds: props.consumers.map((c) => c.clusterId),
      ports: this.explicitPorts,
      methods: this.dnsMethods,
    };
  }

  /** The import into every consumer cluster. */
  public fleetContribution(): FleetContribution {
    return { imports: [this.importSpec] };
  }

  /** The imported ports: the explicit ones, else every port exported for this service. */
  public get ports(): PortSpec[] {
    if (this.explicitPorts) {
      return [...this.explicitPorts];
    }
    const all = exportsOf(fleetOf(this).model, { namespace: this.namespace, name: this.serviceName }).flatMap((e) => e.ports);
    return all.filter((p, i) => all.findIndex((q) => q.name === p.name) === i);
  }

  private emitInto(cluster: Cluster): void {
    const scope = new Construct(cluster, memberId(this));
    cluster.ensureNamespace(this.namespace);
    const labels = { [LABEL_APP_MANAGED_BY]: MANAGER };
    new ServiceImport(scope, 'Resource', {
      metadata: { name: this.serviceName, namespace: this.namespace, labels },
      spec: {
        type: ServiceImportSpecType.HEADLESS,
        ports: Lazy.any({ produce: () => this.ports.map((p) => ({ ...p })) }) as any,
      },
    });
    if (this.dnsMethods.includes(DnsMethod.AMCS)) {
      new k8s.KubeService(scope, 'AmcsService', {
        metadata: { name: amcsServiceName(this.serviceName), namespace: this.namespace, labels: { ...labels, [LABEL_IMPORT_OF]: this.serviceName } },
        // No selector: the runner writes the EndpointSlices, carrying the remote pods' hostnames.
        spec: {
          clusterIp: 'None',
          ports: Lazy.any({ produce: () => this.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })) }) as any,
        },
      });
    }
    if (this.dnsMethods.includes(DnsMethod.CLUSTERSET)) {
      cluster.enableClustersetDns();
    }
  }
}

function validateProps(where: string, props: HeadlessImportProps): void {
  requireServiceName(where, 'serviceName', props.serviceName);
  requireDnsLabel(where, 'namespace', props.namespace);
  if (props.consumers.length === 0) {
    throw new Error(`${where}: consumers must list at least one cluster, got none. Fix: list the clusters that use the service, e.g. consumers: [fleet.cluster("<cluster-id>")]`);
  }
  const ids = props.consumers.map((c) => c.clusterId);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) {
    throw new Error(`${where}: cluster "${dup}" is listed twice in consumers. Fix: list "${dup}" once`);
  }
  if (props.dnsMethods !== undefined && props.dnsMethods.length === 0) {
    throw new Error(
      `${where}: dnsMethods must name at least one method (DnsMethod.AMCS, DnsMethod.CLUSTERSET), got none. ` +
        'Fix: omit dnsMethods to get both, or name one, e.g. dnsMethods: [DnsMethod.CLUSTERSET]',
    );
  }
  const unknown = (props.dnsMethods ?? []).find((m) => !Object.values(DnsMethod).includes(m));
  if (unknown !== undefined) {
    const members = Object.entries(DnsMethod) as Array<[string, string]>;
    const match = members.find(([key, value]) => [key.toLowerCase(), value.toLowerCase()].includes(String(unknown).trim().toLowerCase()));
    const fix = match ? `use DnsMethod.${match[0]}` : `use ${members.map(([key]) => `DnsMethod.${key}`).join(' or ')}`;
    throw new Error(`${where}: unknown dns method "${unknown}", expected one of ${Object.values(DnsMethod).map((m) => `"${m}"`).join(', ')}. Fix: ${fix}`);
  }
  if (props.ports) {
    requirePorts(where, props.ports);
  }
}
