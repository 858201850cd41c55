import { eachResolvableName } from '../dns-names';
import { FleetModel, Problem } from '../model';
import { amcsServiceName, DnsMethod, dnsNameProblem, isDns1035Label } from '../names';

/** Every generated DNS name fits: at most 253 characters, labels at most 63 (checked at the highest ordinal). */
export function checkDnsNameLengths(model: FleetModel): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const name of eachResolvableName(model, 'highest')) {
    const problem = dnsNameProblem(name.fqdn);
    if (problem && !seen.has(name.fqdn)) {
      seen.add(name.fqdn);
      problems.push({
        path: name.importPath,
        message: `the DNS name for ${name.pod ?? name.service} in cluster "${name.consumerId}" is too long: ${problem}. Fix: shorten the service, namespace or cluster ID`,
      });
    }
  }
  for (const imp of model.imports.filter((i) => i.methods.includes(DnsMethod.AMCS))) {
    const amcs = amcsServiceName(imp.name);
    if (!isDns1035Label(amcs)) {
      problems.push({
        path: imp.path,
        message: `DnsMethod.AMCS needs a Service named "${amcs}", which is ${amcs.length} characters long (the limit is 63). Fix: shorten the service name to at most 58 characters, or use DnsMethod.CLUSTERSET only`,
      });
    }
  }
  return problems;
}
