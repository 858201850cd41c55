/** Turns a fleet description into constructs, exactly in `creationOrder`. */
import {
  Cluster, CoreDnsFlavour, DnsMethod, ExportedService, Fleet, HeadlessImport, LiteralSecret, MultiClusterStatefulSet, Protocol, SyncRunner, WorkloadPort,
} from '../../../lib';
import { ClusterDesc, ConstructDesc, creationOrder, FleetDesc, PortDesc } from './fleet-description';

export function buildFleet(desc: FleetDesc, outdir = '/nonexistent/property-fleet'): Fleet {
  const fleet = new Fleet({ outdir });
  const clusters: Cluster[] = [];
  for (const step of creationOrder(desc)) {
    if ('cluster' in step) {
      const c = desc.clusters[step.cluster];
      clusters.push(fleet.addCluster(c.id, clusterProps(c)));
    } else {
      buildConstruct(fleet, step.construct, (i) => clusters[i]);
    }
  }
  return fleet;
}

function clusterProps(c: ClusterDesc) {
  return {
    storageClass: c.storageClass,
    coreDnsVersion: c.coreDnsVersion,
    coreDnsFlavour: c.coreDnsFlavour as CoreDnsFlavour | undefined,
    clusterDomain: c.clusterDomain,
    kubeContext: c.kubeContext,
    baseCorefile: c.baseCorefile,
  };
}

function ports(list: readonly PortDesc[]): WorkloadPort[] {
  return list.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol as Protocol | undefined, containerPort: p.containerPort }));
}

function buildConstruct(fleet: Fleet, c: ConstructDesc, cluster: (index: number) => Cluster): void {
  switch (c.kind) {
    case 'MultiClusterStatefulSet':
      new MultiClusterStatefulSet(fleet, c.id, {
        serviceName: c.serviceName,
        namespace: c.namespace,
        image: c.image,
        replicas: c.replicas,
        providers: c.providers.map((p) => ({ cluster: cluster(p.cluster), replicas: p.replicas, ordinalStart: p.ordinalStart })),
        ports: ports(c.ports),
        volumeClaims: c.volumeClaims.map((v) => ({ ...v })),
        secretEnv: c.secretEnv.map((s) => ({ ...s })),
      });
      return;
    case 'ExportedService':
      new ExportedService(fleet, c.id, { serviceName: c.serviceName, namespace: c.namespace, providers: c.providers.map(cluster), ports: ports(c.ports), headless: c.headless });
      return;
    case 'HeadlessImport':
      new HeadlessImport(fleet, c.id, {
        serviceName: c.serviceName,
        namespace: c.namespace,
        consumers: c.consumers.map(cluster),
        dnsMethods: c.dnsMethods as DnsMethod[] | undefined,
        ports: c.ports ? ports(c.ports) : undefined,
      });
      return;
    case 'LiteralSecret':
      new LiteralSecret(fleet, c.id, {
        secretName: c.secretName, namespace: c.namespace, clusters: c.clusters.map(cluster), stringData: { ...c.stringData }, acknowledgePlaintextInGit: c.acknowledged,
      });
      return;
    case 'SyncRunner':
      new SyncRunner(fleet, c.id, { hostCluster: cluster(c.host), namespace: c.namespace, replicas: c.replicas });
      return;
  }
}
