/** CoreDNS versions, and which of them can serve clusterset zones in each flavour. */
import { assertFlavour, CoreDnsFlavour } from './flavour';

/** First CoreDNS release whose `kubernetes` plugin has the `multicluster` option. */
export const MIN_IN_TREE_VERSION = '1.12.2';

/** Oldest CoreDNS the external github.com/coredns/multicluster plugin is meant to be built into. */
export const MIN_EXTERNAL_PLUGIN_VERSION = '1.9.3';

export interface CoreDnsVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** `v`-prefix optional, patch optional, anything after `-` or `+` (e.g. `-eksbuild.1`) ignored. */
const VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][0-9A-Za-z.-]+)?$/;

/** Parses `1.12.2`, `v1.12.2`, `1.12` (patch 0) or `v1.11.1-eksbuild.4` (suffix ignored). */
export function parseCoreDnsVersion(version: string): CoreDnsVersion {
  const match = VERSION.exec(version.trim());
  if (!match) {
    throw new Error(`CoreDNS version ${JSON.stringify(version)} is not a version; expected MAJOR.MINOR[.PATCH] such as "1.12.2" or "v1.12.2"`);
  }
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

export function formatCoreDnsVersion(version: CoreDnsVersion): string {
  return `${version.major}.${version.minor}.${version.patch}`;
}

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareCoreDnsVersions(a: string, b: string): number {
  const [x, y] = [parseCoreDnsVersion(a), parseCoreDnsVersion(b)];
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

/** The fix that needs no CoreDNS change at all. */
const AMCS_ONLY = 'or import with DnsMethod.AMCS only, which needs no DNS change';

/**
 * Throws, saying what to do instead, when this CoreDNS version cannot serve clusterset zones in
 * this flavour. The advice depends on the version: below 1.9.3 neither flavour works, so it never
 * suggests the external plugin there. Flavours are named as the enum the fleet code uses.
 */
export function checkCoreDnsSupports(flavour: CoreDnsFlavour, version: string): void {
  assertFlavour(flavour);
  const shown = formatCoreDnsVersion(parseCoreDnsVersion(version));
  const pluginPossible = compareCoreDnsVersions(version, MIN_EXTERNAL_PLUGIN_VERSION) >= 0;
  if (flavour === CoreDnsFlavour.IN_TREE && compareCoreDnsVersions(version, MIN_IN_TREE_VERSION) < 0) {
    throw new Error(pluginPossible
      ? `CoreDNS ${shown} cannot serve clusterset.local with the in-tree multicluster option (needs >= ${MIN_IN_TREE_VERSION}). ` +
        `Fix: upgrade CoreDNS to >= ${MIN_IN_TREE_VERSION} and set coreDnsVersion to the version it runs; or, if this CoreDNS is built with the external plugin github.com/coredns/multicluster, set coreDnsFlavour: CoreDnsFlavour.EXTERNAL_PLUGIN; ${AMCS_ONLY}`
      : `CoreDNS ${shown} cannot serve clusterset.local with the in-tree multicluster option (needs >= ${MIN_IN_TREE_VERSION}), nor with the external plugin github.com/coredns/multicluster (CoreDnsFlavour.EXTERNAL_PLUGIN, needs >= ${MIN_EXTERNAL_PLUGIN_VERSION}). ` +
        `Fix: upgrade CoreDNS to >= ${MIN_IN_TREE_VERSION} (stock CoreDNS, CoreDnsFlavour.IN_TREE) and set coreDnsVersion to the version it runs, ${AMCS_ONLY}`);
  }
  if (flavour === CoreDnsFlavour.EXTERNAL_PLUGIN && !pluginPossible) {
    throw new Error(
      `CoreDNS ${shown} is too old for the external multicluster plugin github.com/coredns/multicluster (needs >= ${MIN_EXTERNAL_PLUGIN_VERSION}). ` +
        `Fix: upgrade CoreDNS to >= ${MIN_IN_TREE_VERSION} and set coreDnsFlavour: CoreDnsFlavour.IN_TREE (stock CoreDNS, no plugin build), or to >= ${MIN_EXTERNAL_PLUGIN_VERSION} with a build carrying the plugin; ${AMCS_ONLY}`,
    );
  }
}

/** True when this version's stock build already has the in-tree option (so no custom build is needed). */
export function hasInTreeMulticluster(version: string): boolean {
  return compareCoreDnsVersions(version, MIN_IN_TREE_VERSION) >= 0;
}
