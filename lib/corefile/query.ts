/** Read-only questions about a parsed Corefile: which blocks, which plugins, which zones. */
import { Block, Corefile, Directive, EntryKind, ServerBlock, Token } from './syntax';

/** How a server block key such as `dns://.:53` decomposes. */
export interface ServerKey {
  /** `dns://`, `tls://` … including the `://`, or '' when absent. */
  readonly scheme: string;
  /** Normalized zone: lower case, no trailing dot, `.` for the root. */
  readonly zone: string;
  /** The port as written, or undefined when the key has none (CoreDNS then uses 53). */
  readonly port?: string;
}

const SERVER_KEY = /^([a-z][a-z0-9+.-]*:\/\/)?([^:]*)(?::(.*))?$/i;

export function serverBlocks(corefile: Corefile): ServerBlock[] {
  return corefile.entries.filter((entry): entry is ServerBlock => entry.kind === EntryKind.SERVER_BLOCK);
}

export function directivesNamed(block: Block | undefined, name: string): Directive[] {
  return (block?.directives ?? []).filter((directive) => directive.name.value === name);
}

export function argValues(directive: Directive): string[] {
  return directive.args.map((arg) => arg.value);
}

export function normalizeZone(zone: string): string {
  const lower = zone.toLowerCase();
  if (lower === '.' || lower === '') return '.';
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** True when `zone` is `parent` or lies below it (every zone lies below the root `.`). */
export function zoneCovers(parent: string, zone: string): boolean {
  const [p, z] = [normalizeZone(parent), normalizeZone(zone)];
  return p === '.' || z === p || z.endsWith(`.${p}`);
}

export function parseServerKey(raw: string): ServerKey {
  const withoutComma = raw.endsWith(',') ? raw.slice(0, -1) : raw;
  const match = SERVER_KEY.exec(withoutComma);
  if (!match) return { scheme: '', zone: normalizeZone(withoutComma) };
  return { scheme: match[1] ?? '', zone: normalizeZone(match[2]), port: match[3] };
}

export function serverZones(block: ServerBlock): string[] {
  return block.keys.map((key) => parseServerKey(key.value).zone);
}

/**
 * Zones a plugin such as `kubernetes` or `cache` is authoritative for: its zone arguments, or the
 * server block's zones when it lists none (CoreDNS's rule for plugins with optional zones).
 */
export function pluginZones(zoneArgs: readonly Token[], block: ServerBlock): string[] {
  return zoneArgs.length > 0 ? zoneArgs.map((arg) => normalizeZone(arg.value)) : serverZones(block);
}

/** True when queries for `zone` can reach this server block at all. Keys with env substitutions count as yes. */
export function serverBlockReceives(block: ServerBlock, zone: string): boolean {
  if (block.keys.some((key) => key.hasEnv)) return true;
  return serverZones(block).some((serverZone) => zoneCovers(serverZone, zone));
}

export function describeServerBlock(block: ServerBlock): string {
  return `server block "${block.keys.map((key) => key.value).join(' ')}" (line ${block.keys[0].line})`;
}
