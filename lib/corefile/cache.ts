/**
 * The clusterset zone is cached exactly as the cluster domain is: where the server block's `cache`
 * exempts the cluster domain (`disable success cluster.local`, as kubeadm writes it since 1.31),
 * the clusterset zone is exempted on the same lines, so pod changes reach clients as fast as they
 * do for cluster.local names. A cache that keeps cluster.local answers is left alone (and warned about).
 */
import { PatchContext } from './patch-context';
import { argValues, directivesNamed, normalizeZone, zoneCovers } from './query';
import { KubernetesTarget } from './targets';

export function mirrorCacheExemptions({ editor, options }: PatchContext, { serverBlock }: KubernetesTarget): void {
  const cache = directivesNamed(serverBlock.body, 'cache')[0];
  for (const kind of ['success', 'denial']) {
    // CoreDNS keeps only the last `disable <kind>` line of a cache block.
    const line = directivesNamed(cache?.block, 'disable').filter((d) => d.args[0]?.value === kind).pop();
    if (!line) {
      continue;
    }
    const zones = argValues(line).slice(1);
    const domainArg = line.args.slice(1).find((a) => normalizeZone(a.value) === options.clusterDomain);
    if (domainArg && !zones.some((z) => zoneCovers(z, options.clustersetZone))) {
      editor.insertArgsAfter(domainArg, [options.clustersetZone]);
    }
  }
}
