/** Shared by the corefile tests: fixtures, and a plain outline of a Corefile's meaning. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Block, Directive, EntryKind, parseCorefile, serverBlocks } from '../../../lib/corefile';

export const FIXTURES = [
  'kubeadm',
  'custom-two-blocks',
  'reference-scenario',
  'reference-external-patched',
  'kubeadm-in-tree-patched',
  'k3s',
  'eks',
] as const;

export type FixtureName = (typeof FIXTURES)[number];

export function fixture(name: FixtureName): string {
  return fs.readFileSync(path.join(__dirname, 'fixtures', `${name}.corefile`), 'utf8');
}

/** A directive as `name arg arg`, with its block's options nested under it. */
export type Outline = string | [string, Outline[]];

/** What CoreDNS would see, without layout or comments: one entry per server block, snippet or import. */
export function outline(text: string): Outline[] {
  return parseCorefile(text).entries.map((entry): Outline => {
    if (entry.kind === EntryKind.IMPORT) return outlineDirective(entry.directive);
    const head = entry.kind === EntryKind.SNIPPET ? `(${entry.name})` : entry.keys.map((key) => key.value).join(' ');
    return [head, outlineBlock(entry.body)];
  });
}

function outlineBlock(block: Block): Outline[] {
  return block.directives.map(outlineDirective);
}

function outlineDirective(directive: Directive): Outline {
  const line = [directive.name, ...directive.args].map((token) => token.value).join(' ');
  return directive.block ? [line, outlineBlock(directive.block)] : line;
}

/** The directive lines of the server block whose keys read `keys`, e.g. `.:53`. */
export function pluginLines(text: string, keys: string): Outline[] {
  const block = serverBlocks(parseCorefile(text)).find((candidate) => candidate.keys.map((key) => key.value).join(' ') === keys);
  if (!block) throw new Error(`no server block "${keys}" in:\n${text}`);
  return outlineBlock(block.body);
}

/** The option lines inside a plugin of a server block, e.g. ('.:53', 'kubernetes'). */
export function optionLines(text: string, keys: string, plugin: string): Outline[] {
  const entry = pluginLines(text, keys).find((line) => Array.isArray(line) && line[0].split(' ')[0] === plugin);
  return Array.isArray(entry) ? entry[1] : [];
}

/** The `name args` line of a plugin in a server block, e.g. 'kubernetes cluster.local in-addr.arpa'. */
export function pluginLine(text: string, keys: string, plugin: string): string | undefined {
  const entry = pluginLines(text, keys).find((line) => (Array.isArray(line) ? line[0] : line).split(' ')[0] === plugin);
  return Array.isArray(entry) ? entry[0] : entry;
}

/**
 * What a Corefile means once both flavours' additions are taken out: no `multicluster` lines and no
 * `clusterset.local` zone on `kubernetes` lines. A patch must leave this unchanged.
 */
export function outlineWithoutMulticluster(text: string, zone = 'clusterset.local'): Outline[] {
  const strip = (item: Outline): Outline[] => {
    const line = Array.isArray(item) ? item[0] : item;
    if (line.split(' ')[0] === 'multicluster') return [];
    // the patch adds the zone to the kubernetes plugin, and to the cache exemptions that name the cluster domain
    const cleaned = line.startsWith('kubernetes ') || line.startsWith('disable ') ? line.split(' ').filter((word) => word !== zone).join(' ') : line;
    return [Array.isArray(item) ? [cleaned, item[1].flatMap(strip)] : cleaned];
  };
  return outline(text).map((entry) => (Array.isArray(entry) ? [entry[0], entry[1].flatMap(strip)] : entry));
}

/**
 * The text with every line mentioning `multicluster` dropped and ` clusterset.local` erased: equal
 * before and after a patch exactly when the patch touched nothing else, byte for byte.
 */
export function textWithoutMulticluster(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.includes('multicluster'))
    .join('\n')
    .replace(/ clusterset\.local/g, '');
}
