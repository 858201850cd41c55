/** Turns a fleet description into constructs, exactly in `creationOrder`. */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  Cluster, CoreDnsFlavour, DnsMethod, ExportedService, Fleet, HeadlessImport, LiteralSecret, MultiClusterStatefulSet, Protocol, SyncRunner, WorkloadPort,
} from '../../../lib';
import { ClusterDesc, ConstructDesc, creationOrder, ExtraChartDesc, FleetDesc, PortDesc } from './fleet-description';

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
    case 'ExtraChart':
      buildExtraChart(fleet, c, c.cluster === undefined ? undefined : cluster(c.cluster));
      return;
  }
}

/** A user's own chart: in a cluster (with the Namespace of its ConfigMaps in the cluster chart), or beside the clusters. */
function buildExtraChart(fleet: Fleet, c: ExtraChartDesc, cluster: Cluster | undefined): void {
  const parent: Construct = cluster ?? fleet;
  const chart = new Chart(c.nested ? new Construct(parent, `${c.id}-group`) : parent, c.id, c.chartNamespace ? { namespace: c.id } : {});
  if (cluster) {
    new k8s.KubeNamespace(cluster, `${c.id}-ns`, { metadata: { name: c.id } });
  }
  for (let n = 0; n < c.configMaps; n++) {
    const name = `${c.id}-settings-${n}`;
    new k8s.KubeConfigMap(chart, name, { metadata: { name, ...(c.chartNamespace ? {} : { namespace: c.id }) }, data: { mode: 'fast' } });
  }
}
