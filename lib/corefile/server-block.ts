/**
 * A complete, standalone server block serving only the clusterset zone, for platforms whose main
 * Corefile is managed by someone else but which import extra server blocks: AKS and k3s read every
 * `coredns-custom` ConfigMap key ending in `.server` through a top-level `import`.
 */
import { CoreDnsFlavour } from './flavour';
import { PatchOptions, resolvePatchOptions } from './options';

/**
 * Returns a server block such as (in-tree flavour):
 *
 *     clusterset.local:53 {
 *         errors
 *         kubernetes clusterset.local {
 *             multicluster clusterset.local
 *         }
 *         loadbalance
 *     }
 *
 * Why this works: CoreDNS routes each query to the server block with the most specific matching
 * zone on its port, so `*.clusterset.local` queries reach this block and never the main `.:53`
 * block. In the in-tree flavour the block runs a second, independent `kubernetes` plugin instance
 * that is authoritative for the clusterset zone only (the cluster domain stays with the main
 * block's instance). It needs no `fallthrough`: every name under the zone is its to answer, and
 * no `forward` or `cache` (a cache would delay endpoint changes). The second instance opens its own
 * watches on the API server, so CoreDNS's memory and watch load roughly double for Services and
 * EndpointSlices. In the external-plugin flavour the `multicluster` plugin stands alone.
 * `loadbalance` shuffles the A records of headless imports, as the main block does for local ones.
 *
 * The version is checked as in `patchCorefile`; `clusterDomain` is not used.
 */
export function multiclusterServerBlock(options: PatchOptions): string {
  const { flavour, clustersetZone: zone } = resolvePatchOptions(options);
  const plugin =
    flavour === CoreDnsFlavour.IN_TREE
      ? [`    kubernetes ${zone} {`, `        multicluster ${zone}`, '    }']
      : [`    multicluster ${zone}`];
  return [`${zone}:53 {`, '    errors', ...plugin, '    loadbalance', '}', ''].join('\n');
}
