/**
 * Prints a syntax tree back to text by walking its nodes, each token preceded by the whitespace and
 * comments that came before it. For a tree straight from `parseCorefile` the output is the input,
 * byte for byte, which proves the tree accounts for every character.
 */
import { Block, Corefile, Directive, Entry, EntryKind, Token } from './syntax';

export function printCorefile(corefile: Corefile): string {
  return corefile.entries.map(printEntry).join('') + corefile.trailing;
}

function printToken(token: Token | undefined): string {
  return token ? token.leading + token.raw : '';
}

function printEntry(entry: Entry): string {
  switch (entry.kind) {
    case EntryKind.IMPORT:
      return printDirective(entry.directive);
    case EntryKind.SNIPPET:
      return printToken(entry.nameToken) + printBlock(entry.body);
    case EntryKind.SERVER_BLOCK:
      return entry.keys.map(printToken).join('') + printBlock(entry.body);
  }
}

function printBlock(block: Block): string {
  return printToken(block.open) + block.directives.map(printDirective).join('') + printToken(block.close);
}

function printDirective(directive: Directive): string {
  const line = [directive.name, ...directive.args].map(printToken).join('');
  return line + (directive.block ? printBlock(directive.block) : '');
}
