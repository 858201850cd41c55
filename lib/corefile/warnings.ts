/**
 * Things a patch leaves as they are but a construct author should hear about: the result is valid,
 * yet may not behave as hoped.
 */
import { argValues, describeServerBlock, directivesNamed, normalizeZone, pluginZones, serverBlockReceives, zoneCovers } from './query';
import { Directive, ServerBlock } from './syntax';
import { KubernetesTarget } from './targets';

/** The cache plugin's own ceiling when `cache` is given no TTL. */
const CACHE_DEFAULT_MAX_TTL_SECONDS = 3600;

type CacheKind = 'success' | 'denial';

/** Warns when the server block's `cache` keeps clusterset answers, delaying endpoint changes. */
export function cacheDelayWarning(serverBlock: ServerBlock, zone: string): string | undefined {
  const cache = directivesNamed(serverBlock.body, 'cache')[0];
  if (!cache) return undefined;
  const ttlArg = cache.args[0]?.value;
  const ttl = ttlArg !== undefined && /^\d+$/.test(ttlArg) ? Number(ttlArg) : undefined;
  const zoneArgs = ttl === undefined ? cache.args : cache.args.slice(1);
  if (!pluginZones(zoneArgs, serverBlock).some((cached) => zoneCovers(cached, zone))) return undefined;
  const missing = (['success', 'denial'] as const).filter((kind) => !cacheDisables(cache, kind, zone));
  if (missing.length === 0) return undefined;
  const seconds = ttl ?? CACHE_DEFAULT_MAX_TTL_SECONDS;
  const fixes = missing.map((kind) => `"disable ${kind} ${zone}"`).join(' and ');
  return (
    `${describeServerBlock(serverBlock)}: "cache" at line ${cache.name.line} also caches ${zone} answers, so clients can see ` +
    `endpoint changes of imported services up to ${seconds}s late (capped by the records' TTL); add ${fixes} to its block if that is too slow`
  );
}

/** CoreDNS keeps the last `disable <kind>` line; with no zones it covers every zone. */
function cacheDisables(cache: Directive, kind: CacheKind, zone: string): boolean {
  const line = directivesNamed(cache.block, 'disable')
    .filter((option) => option.args[0]?.value === kind)
    .pop();
  if (!line) return false;
  const zones = argValues(line).slice(1);
  return zones.length === 0 || zones.some((disabled) => zoneCovers(disabled, zone));
}

/** Warns when no key of the server block lets clusterset queries reach the plugin just configured. */
export function unreachableZoneWarning({ serverBlock }: KubernetesTarget, zone: string): string | undefined {
  if (serverBlockReceives(serverBlock, zone)) return undefined;
  return (
    `${describeServerBlock(serverBlock)} never receives queries for ${zone}: none of its keys covers that zone; ` +
    `add the key "${zone}:53" to it, or serve the zone from its own block (multiclusterServerBlock)`
  );
}

/** Warns when the clusterset zone comes before the cluster domain, making it the primary zone for PTR answers. */
export function primaryZoneWarning({ kubernetes }: KubernetesTarget, clusterDomain: string, zone: string): string | undefined {
  const zones = kubernetes.args.map((arg) => normalizeZone(arg.value));
  const [domainAt, zoneAt] = [zones.indexOf(clusterDomain), zones.indexOf(zone)];
  if (zoneAt < 0 || domainAt < 0 || domainAt < zoneAt) return undefined;
  return (
    `kubernetes at line ${kubernetes.name.line} lists ${zone} before ${clusterDomain}, so PTR answers name pods under ${zone}; ` +
    `list ${clusterDomain} first`
  );
}
