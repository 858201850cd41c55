/**
 * The Corefile syntax tree. Every node keeps the exact source text and offsets of its tokens, so
 * edits can be spliced into the original text and everything untouched stays byte-for-byte intact.
 */

export enum TokenKind {
  /** An unquoted word: a plugin name, an argument, a server block key. */
  WORD = 'word',
  /** A double-quoted string; `value` has the quotes removed and `\"` unescaped. */
  QUOTED = 'quoted',
  /** A `{` standing alone as a word. `{$VAR}` and `foo{` are words, not braces. */
  OPEN = 'open',
  /** A `}` standing alone as a word. */
  CLOSE = 'close',
}

export interface Token {
  readonly kind: TokenKind;
  /** The token exactly as written, quotes included. */
  readonly raw: string;
  /** What CoreDNS sees before environment substitution: quotes removed, `\"` unescaped. */
  readonly value: string;
  /** Offset of the first character in the source. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
  /** 1-based line of the first character. */
  readonly line: number;
  /** 1-based column of the first character. */
  readonly column: number;
  /** 1-based line of the last character (differs from `line` only for quoted strings spanning lines). */
  readonly endLine: number;
  /** Whitespace and comments between the previous token (or the start of the file) and this one. */
  readonly leading: string;
  /** True when the token contains an environment substitution, `{$VAR}` or `{%VAR%}`. */
  readonly hasEnv: boolean;
}

export interface Comment {
  /** The comment including its `#`, without the line break. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

/** A `{ ... }` body, or the unbraced body of a lone server block (then `open`/`close` are absent). */
export interface Block {
  readonly open?: Token;
  readonly directives: readonly Directive[];
  readonly close?: Token;
}

/** A plugin line (at server-block level) or an option line (inside a plugin's block). */
export interface Directive {
  readonly name: Token;
  readonly args: readonly Token[];
  readonly block?: Block;
  readonly start: number;
  /** Offset just past the last argument, or past the closing brace when there is a block. */
  readonly end: number;
}

export enum EntryKind {
  SERVER_BLOCK = 'server-block',
  SNIPPET = 'snippet',
  IMPORT = 'import',
}

export interface ServerBlock {
  readonly kind: EntryKind.SERVER_BLOCK;
  /** `.:53`, `example.org:1053`, `dns://.:53` … A trailing comma stays part of the raw key. */
  readonly keys: readonly Token[];
  readonly body: Block;
  readonly start: number;
  readonly end: number;
}

/** `(name) { ... }`: tokens replayed wherever `import name` appears. */
export interface Snippet {
  readonly kind: EntryKind.SNIPPET;
  readonly name: string;
  readonly nameToken: Token;
  readonly body: Block;
  readonly start: number;
  readonly end: number;
}

/** An `import PATTERN` line at the top level (imports inside blocks are ordinary directives). */
export interface TopLevelImport {
  readonly kind: EntryKind.IMPORT;
  readonly directive: Directive;
  readonly start: number;
  readonly end: number;
}

export type Entry = ServerBlock | Snippet | TopLevelImport;

export interface Corefile {
  readonly source: string;
  readonly entries: readonly Entry[];
  readonly comments: readonly Comment[];
  /** Whitespace and comments after the last token. */
  readonly trailing: string;
}
