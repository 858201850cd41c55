/**
 * Splits a Corefile into tokens the way CoreDNS's Caddyfile lexer does: words separated by
 * whitespace, `"quoted strings"` (may span lines, only `\"` is an escape), and `#` comments to the
 * end of the line. A `#` outside quotes starts a comment even in the middle of a word, as in
 * CoreDNS. Unlike CoreDNS, an unterminated quote is an error rather than silently closed at EOF.
 */
import { Comment, Token, TokenKind } from './syntax';

export interface LexedCorefile {
  readonly tokens: readonly Token[];
  readonly comments: readonly Comment[];
  /** Whitespace and comments after the last token. */
  readonly trailing: string;
}

const BYTE_ORDER_MARK = '\uFEFF';
const ENV_SUBSTITUTION = /\{\$[^}]+\}|\{%.+?%\}/;

/** A position in the source that knows its line and column. */
class Cursor {
  public pos = 0;
  public line = 1;
  public column = 1;

  constructor(public readonly source: string) {}

  public peek(): string {
    return this.source[this.pos];
  }

  public atEnd(): boolean {
    return this.pos >= this.source.length;
  }

  public advance(): void {
    if (this.peek() === '\n') {
      this.line += 1;
      this.column = 1;
    } else {
      this.column += 1;
    }
    this.pos += 1;
  }
}

export function tokenize(source: string): LexedCorefile {
  const cursor = new Cursor(source);
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  let triviaStart = 0;
  for (;;) {
    skipTrivia(cursor, comments);
    if (cursor.atEnd()) break;
    tokens.push(readToken(cursor, source.slice(triviaStart, cursor.pos)));
    triviaStart = cursor.pos;
  }
  return { tokens, comments, trailing: source.slice(triviaStart) };
}

function isWhitespace(char: string): boolean {
  return /\s/.test(char) || char === BYTE_ORDER_MARK;
}

function skipTrivia(cursor: Cursor, comments: Comment[]): void {
  while (!cursor.atEnd()) {
    if (cursor.peek() === '#') {
      comments.push(readComment(cursor));
    } else if (isWhitespace(cursor.peek())) {
      cursor.advance();
    } else {
      return;
    }
  }
}

function readComment(cursor: Cursor): Comment {
  const { pos: start, line, column } = cursor;
  while (!cursor.atEnd() && cursor.peek() !== '\n') cursor.advance();
  const text = cursor.source.slice(start, cursor.pos).replace(/\r$/, '');
  return { text, start, end: start + text.length, line, column };
}

function readToken(cursor: Cursor, leading: string): Token {
  const { pos: start, line, column } = cursor;
  const value = cursor.peek() === '"' ? readQuoted(cursor) : readWord(cursor);
  const raw = cursor.source.slice(start, cursor.pos);
  return {
    kind: classify(raw),
    raw,
    value,
    start,
    end: cursor.pos,
    line,
    column,
    endLine: cursor.line,
    leading,
    hasEnv: ENV_SUBSTITUTION.test(value),
  };
}

function classify(raw: string): TokenKind {
  if (raw === '{') return TokenKind.OPEN;
  if (raw === '}') return TokenKind.CLOSE;
  return raw.startsWith('"') ? TokenKind.QUOTED : TokenKind.WORD;
}

function readWord(cursor: Cursor): string {
  const start = cursor.pos;
  while (!cursor.atEnd() && cursor.peek() !== '#' && !isWhitespace(cursor.peek())) cursor.advance();
  return cursor.source.slice(start, cursor.pos);
}

/** Reads `"..."` and returns its value; the cursor ends just past the closing quote. */
function readQuoted(cursor: Cursor): string {
  const { line, column } = cursor;
  let value = '';
  cursor.advance();
  while (!cursor.atEnd() && cursor.peek() !== '"') {
    if (cursor.peek() === '\\') {
      cursor.advance();
      if (cursor.atEnd()) break;
      if (cursor.peek() !== '"') value += '\\';
    }
    value += cursor.peek();
    cursor.advance();
  }
  if (cursor.atEnd()) {
    throw new Error(`Corefile ${line}:${column}: quoted string is never closed; expected a closing '"' before the end of the Corefile`);
  }
  cursor.advance();
  return value;
}
