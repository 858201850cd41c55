/** What a caller asks for, checked and completed with defaults before any text is touched. */
import { assertFlavour, CoreDnsFlavour } from './flavour';
import { normalizeZone } from './query';
import { checkCoreDnsSupports } from './versions';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const DEFAULT_CLUSTERSET_ZONE = 'clusterset.local';

export interface PatchOptions {
  /** Which multicluster implementation the cluster's CoreDNS carries. */
  readonly flavour: CoreDnsFlavour;
  /** The cluster's CoreDNS version, e.g. `1.12.2` or `v1.12.2`; refused when too old for the flavour. */
  readonly version: string;
  /**
   * The cluster domain the `kubernetes` plugin serves; the patch targets plugins serving it.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * The KEP-1645 clusterset zone to serve.
   * @default 'clusterset.local'
   */
  readonly clustersetZone?: string;
}

export interface ResolvedPatchOptions {
  readonly flavour: CoreDnsFlavour;
  readonly version: string;
  /** Normalized: lower case, no trailing dot. */
  readonly clusterDomain: string;
  /** Normalized: lower case, no trailing dot. */
  readonly clustersetZone: string;
}

const DNS_NAME = /^([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/i;

export function resolvePatchOptions(options: PatchOptions): ResolvedPatchOptions {
  assertFlavour(options.flavour);
  checkCoreDnsSupports(options.flavour, options.version);
  const clusterDomain = checkedZone('clusterDomain', options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN, DEFAULT_CLUSTER_DOMAIN);
  const clustersetZone = checkedZone('clustersetZone', options.clustersetZone ?? DEFAULT_CLUSTERSET_ZONE, DEFAULT_CLUSTERSET_ZONE);
  if (clusterDomain === clustersetZone) {
    throw new Error(`clustersetZone "${clustersetZone}" equals clusterDomain; the clusterset zone must differ from the cluster domain, e.g. "${DEFAULT_CLUSTERSET_ZONE}"`);
  }
  return { flavour: options.flavour, version: options.version, clusterDomain, clustersetZone };
}

function checkedZone(option: string, zone: string, example: string): string {
  if (!DNS_NAME.test(zone)) {
    throw new Error(`${option} ${JSON.stringify(zone)} is not a DNS zone; expected a domain name such as "${example}"`);
  }
  return normalizeZone(zone);
}
