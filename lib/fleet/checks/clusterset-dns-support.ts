import { checkCoreDnsSupports } from '../../corefile';
import { clusterById, FleetModel, Problem, serviceKey } from '../model';
import { DnsMethod } from '../names';

/** A clusterset.local import needs a consumer whose CoreDNS can serve the zone. */
export function checkClustersetDnsSupport(model: FleetModel): Problem[] {
  const problems: Problem[] = [];
  for (const imp of model.imports.filter((i) => i.methods.includes(DnsMethod.CLUSTERSET))) {
    for (const id of imp.consumerIds) {
      const cluster = clusterById(model, id);
      const reason = cluster && unsupportedReason(cluster.coreDnsFlavour, cluster.coreDnsVersion);
      if (cluster && reason) {
        problems.push({
          path: imp.path,
          message: `HeadlessImport of "${serviceKey(imp)}" uses DnsMethod.CLUSTERSET in cluster "${id}", but ${reason}`,
        });
      }
    }
  }
  return problems;
}

function unsupportedReason(flavour: Parameters<typeof checkCoreDnsSupports>[0], version: string | undefined): string | undefined {
  if (version === undefined) {
    return 'the cluster does not say which CoreDNS it runs. Fix: set coreDnsVersion (and coreDnsFlavour if it is not stock CoreDNS) on the cluster';
  }
  try {
    checkCoreDnsSupports(flavour, version);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
