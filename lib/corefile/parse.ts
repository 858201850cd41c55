/**
 * Builds the syntax tree from tokens, following CoreDNS's Caddyfile grammar:
 * server keys (continued on the next line after a trailing comma) followed by a `{ ... }` body,
 * directives made of the words on one line plus an optional block opened on that same line,
 * `(name) { ... }` snippets, and `import` lines. A lone server block may omit its braces.
 */
import { tokenize } from './lexer';
import { Block, Corefile, Directive, Entry, EntryKind, ServerBlock, Snippet, Token, TokenKind, TopLevelImport } from './syntax';

const SNIPPET_KEY = /^\((.+)\)$/;

export function parseCorefile(text: string): Corefile {
  const lexed = tokenize(text);
  const entries = new Parser(lexed.tokens).entries();
  return { source: text, entries, comments: lexed.comments, trailing: lexed.trailing };
}

function where(token: Token): string {
  return `Corefile ${token.line}:${token.column}`;
}

function startsNewLine(previous: Token, token: Token): boolean {
  return token.line > previous.endLine;
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  public entries(): Entry[] {
    const entries: Entry[] = [];
    while (this.peek()) entries.push(this.entry());
    return entries;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private take(): Token {
    const token = this.tokens[this.index];
    this.index += 1;
    return token;
  }

  private entry(): Entry {
    const first = this.peek()!;
    rejectStrayBrace(first, 'server block keys such as ".:53"');
    if (first.value === 'import' && first.kind === TokenKind.WORD) return this.topLevelImport();
    const keys = this.keys();
    const snippetName = keys.length === 1 ? SNIPPET_KEY.exec(keys[0].value)?.[1] : undefined;
    if (snippetName !== undefined) return this.snippet(keys[0], snippetName);
    return this.serverBlock(keys);
  }

  private topLevelImport(): TopLevelImport {
    const directive = this.directive();
    if (directive.block) {
      throw new Error(`${where(directive.block.open!)}: unexpected '{' after import: an import line takes only a file pattern or snippet name`);
    }
    return { kind: EntryKind.IMPORT, directive, start: directive.start, end: directive.end };
  }

  private keys(): Token[] {
    const keys = [this.take()];
    for (let next = this.peek(); next && next.kind !== TokenKind.OPEN; next = this.peek()) {
      const previous = keys[keys.length - 1];
      if (!previous.value.endsWith(',') && startsNewLine(previous, next)) break;
      rejectStrayBrace(next, 'another server block key or "{"');
      keys.push(this.take());
    }
    const last = keys[keys.length - 1];
    if (last.value.endsWith(',')) {
      throw new Error(`${where(last)}: server block key "${last.value}" ends with a comma; expected another key after it`);
    }
    return keys;
  }

  private snippet(nameToken: Token, name: string): Snippet {
    const open = this.peek();
    if (open?.kind !== TokenKind.OPEN) {
      throw new Error(`${where(nameToken)}: snippet ${nameToken.value} must be followed by '{' on its line, got ${open ? `"${open.raw}"` : 'the end of the Corefile'}`);
    }
    const body = this.bracedBlock(this.take(), `snippet ${nameToken.value}`);
    return { kind: EntryKind.SNIPPET, name, nameToken, body, start: nameToken.start, end: body.close!.end };
  }

  private serverBlock(keys: Token[]): ServerBlock {
    const label = `server block "${keys.map((key) => key.raw).join(' ')}"`;
    const next = this.peek();
    const body = next?.kind === TokenKind.OPEN ? this.bracedBlock(this.take(), label) : this.unbracedBlock();
    const lastDirective = body.directives[body.directives.length - 1];
    const end = body.close?.end ?? lastDirective?.end ?? keys[keys.length - 1].end;
    return { kind: EntryKind.SERVER_BLOCK, keys, body, start: keys[0].start, end };
  }

  private bracedBlock(open: Token, owner: string): Block {
    const directives: Directive[] = [];
    for (let next = this.peek(); next; next = this.peek()) {
      if (next.kind === TokenKind.CLOSE) return { open, directives, close: this.take() };
      rejectStrayBrace(next, 'a directive or "}"');
      directives.push(this.directive());
    }
    throw new Error(`${where(open)}: the '{' of ${owner} is never closed; expected '}' before the end of the Corefile`);
  }

  /** A lone server block without braces runs to the end of the Corefile. */
  private unbracedBlock(): Block {
    const directives: Directive[] = [];
    for (let next = this.peek(); next; next = this.peek()) {
      rejectStrayBrace(next, 'a directive');
      directives.push(this.directive());
    }
    return { directives };
  }

  private directive(): Directive {
    const name = this.take();
    const args: Token[] = [];
    let last = name;
    let block: Block | undefined;
    for (let next = this.peek(); next && !startsNewLine(last, next); next = this.peek()) {
      if (next.kind === TokenKind.CLOSE) break;
      if (next.kind === TokenKind.OPEN) {
        block = this.bracedBlock(this.take(), `"${name.value}"`);
        break;
      }
      last = this.take();
      args.push(last);
    }
    return { name, args, block, start: name.start, end: block?.close?.end ?? last.end };
  }
}

function rejectStrayBrace(token: Token, expected: string): void {
  if (token.kind === TokenKind.CLOSE) {
    throw new Error(`${where(token)}: unexpected '}': no block is open here; expected ${expected}`);
  }
  if (token.kind === TokenKind.OPEN) {
    throw new Error(`${where(token)}: unexpected '{': a block must open on the line of its directive or server keys; expected ${expected}`);
  }
}
