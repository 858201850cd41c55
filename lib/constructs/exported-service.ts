import { Construct } from 'constructs';
import { ServiceExport } from '../../imports/multicluster.x-k8s.io';
import { ExportSpec, PortSpec } from '../fleet/model';
import { LABEL_APP_MANAGED_BY, MANAGER } from '../fleet/names';
import { Cluster } from './cluster';
import { FleetContribution, IFleetContributor } from './contribution';
import { stampCreation } from './fleet-tree';
import { checkInput, memberId, requireSameFleet, toPortSpec } from './helpers';
import { requireClusterList, requireDnsLabel, requirePorts, requireServiceName } from './validate';
import { WorkloadPort } from './workload-props';

export interface ExportedServiceProps {
  /** Name of the existing Service to export (e.g. one installed by a Helm chart). */
  readonly serviceName: string;
  /** Its namespace; the same in every cluster. */
  readonly namespace: string;
  /** The clusters where the Service exists and is exported. */
  readonly providers: Cluster[];
  /** The Service's ports, as it declares them (used to check imports and to build ServiceImports). */
  readonly ports: WorkloadPort[];
  /**
   * Whether the Service is headless (`clusterIP: None`). Only headless exports can be imported
   * with HeadlessImport.
   * @default true
   */
  readonly headless?: boolean;
}

/**
 * Exports a Service that cdk8s-mcs does not create: only a ServiceExport is emitted in each
 * provider cluster. Pod names are unknown at compile time, so `fleet.md` lists service-level
 * names only; the runner still publishes each pod under its hostname.
 */
export class ExportedService extends Construct implements IFleetContributor {
  /** Name of the exported Service (and of its ServiceExport). */
  public readonly serviceName: string;
  /** Namespace of the Service in every provider cluster. */
  public readonly namespace: string;
  /** The exported ports. */
  public readonly ports: readonly PortSpec[];
  private readonly exportSpec: ExportSpec;

  public constructor(scope: Construct, id: string, props: ExportedServiceProps) {
    super(scope, id);
    stampCreation(this);
    const where = `ExportedService "${this.node.path}"`;
    checkInput(this, () => {
      requireServiceName(where, 'serviceName', props.serviceName);
      requireDnsLabel(where, 'namespace', props.namespace);
      requirePorts(where, props.ports);
      requireClusterList(where, 'providers', props.providers);
      requireSameFleet(where, this, props.providers);
    });
    this.serviceName = props.serviceName;
    this.namespace = props.namespace;
    this.ports = props.ports.map(toPortSpec);
    for (const cluster of props.providers) {
      cluster.ensureNamespace(props.namespace);
      new ServiceExport(cluster, memberId(this), {
        metadata: { name: props.serviceName, namespace: props.namespace, labels: { [LABEL_APP_MANAGED_BY]: MANAGER } },
      });
    }
    this.exportSpec = {
      path: this.node.path,
      kind: 'ExportedService',
      namespace: props.namespace,
      name: props.serviceName,
      headless: props.headless ?? true,
      ports: this.ports,
      placements: props.providers.map((c) => ({ clusterId: c.clusterId, replicas: 0, ordinalStart: 0 })),
      podsKnown: false,
    };
  }

  /** The export of the Service from every provider cluster. */
  public fleetContribution(): FleetContribution {
    return { exports: [this.exportSpec] };
  }
}
