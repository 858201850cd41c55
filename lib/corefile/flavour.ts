/** The two ways a CoreDNS can serve KEP-1645 clusterset zones; they need different Corefile syntax. */
export enum CoreDnsFlavour {
  /**
   * Stock CoreDNS >= 1.12.2: the `kubernetes` plugin lists the clusterset zone among its zones and
   * carries `multicluster <zone>` inside its block.
   */
  IN_TREE = 'in-tree',
  /**
   * CoreDNS >= 1.9.3 built with github.com/coredns/multicluster: a server-level directive
   * `multicluster <zone>` next to an untouched `kubernetes` plugin.
   */
  EXTERNAL_PLUGIN = 'external-plugin',
}

export function assertFlavour(flavour: unknown): asserts flavour is CoreDnsFlavour {
  if (!Object.values(CoreDnsFlavour).includes(flavour as CoreDnsFlavour)) {
    throw new Error(`unknown CoreDNS flavour ${JSON.stringify(flavour)}; expected "${CoreDnsFlavour.IN_TREE}" or "${CoreDnsFlavour.EXTERNAL_PLUGIN}"`);
  }
}
