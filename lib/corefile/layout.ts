/** Facts about the text around a position: lines, indentation, line endings. */
import { Corefile, EntryKind, ServerBlock, Snippet, Token } from './syntax';

const DEFAULT_INDENT_UNIT = '    ';

/** Offset of the first character of the line holding `pos`. */
export function lineStart(source: string, pos: number): number {
  return source.lastIndexOf('\n', pos - 1) + 1;
}

/** Offset of the line break ending the line holding `pos` (its `\r` for CRLF), or the source length. */
export function lineEnd(source: string, pos: number): number {
  const newline = source.indexOf('\n', pos);
  if (newline < 0) return source.length;
  return source[newline - 1] === '\r' ? newline - 1 : newline;
}

/** Offset just past the line break ending the line holding `pos`, or the source length. */
export function nextLineStart(source: string, pos: number): number {
  const newline = source.indexOf('\n', pos);
  return newline < 0 ? source.length : newline + 1;
}

/** The spaces and tabs that start the line holding `pos`. */
export function lineIndent(source: string, pos: number): string {
  const start = lineStart(source, pos);
  return /^[ \t]*/.exec(source.slice(start))![0];
}

export function isFirstOnLine(source: string, token: Token): boolean {
  return /^[ \t\uFEFF]*$/.test(source.slice(lineStart(source, token.start), token.start));
}

/** True when only spaces, tabs or a comment follow `pos` on its line. */
export function restOfLineIsBlank(source: string, pos: number): boolean {
  return /^[ \t]*(#.*)?$/.test(source.slice(pos, lineEnd(source, pos)));
}

/** The number of spaces and tabs just before `pos` on its line. */
export function horizontalSpaceBefore(source: string, pos: number): number {
  return /[ \t]*$/.exec(source.slice(lineStart(source, pos), pos))![0].length;
}

/** The number of spaces and tabs just after `pos`. */
export function horizontalSpaceAfter(source: string, pos: number): number {
  return /^[ \t]*/.exec(source.slice(pos))![0].length;
}

export function detectLineEnding(source: string): string {
  return source.includes('\r\n') ? '\r\n' : '\n';
}

/**
 * The indentation step this Corefile uses for options inside a plugin block (kubeadm uses 3 spaces
 * there, 4 at server level), else the server-level step, else four spaces.
 */
export function detectIndentUnit(corefile: Corefile): string {
  const source = corefile.source;
  const withBodies = corefile.entries.filter((entry): entry is ServerBlock | Snippet => entry.kind !== EntryKind.IMPORT);
  const nested = withBodies
    .flatMap((entry) => entry.body.directives)
    .map((directive) => indentStep(source, directive.name, directive.block?.directives[0]?.name));
  const serverLevel = withBodies.map((entry) => indentStep(source, firstToken(entry), entry.body.directives[0]?.name));
  return [...nested, ...serverLevel].find((step) => step !== undefined) ?? DEFAULT_INDENT_UNIT;
}

function firstToken(entry: ServerBlock | Snippet): Token {
  return entry.kind === EntryKind.SNIPPET ? entry.nameToken : entry.keys[0];
}

function indentStep(source: string, owner: Token, child: Token | undefined): string | undefined {
  if (!child || !isFirstOnLine(source, child) || !isFirstOnLine(source, owner)) return undefined;
  const [outer, inner] = [lineIndent(source, owner.start), lineIndent(source, child.start)];
  return inner.startsWith(outer) && inner.length > outer.length ? inner.slice(outer.length) : undefined;
}
