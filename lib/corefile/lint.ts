/**
 * Shapes the structural parser accepts but CoreDNS does not. A `}` on the line of the option before
 * it (`health { lameduck 5s }`) is read by CoreDNS as one more argument of that option, and after a
 * plugin at server-block level as a stray brace; either way CoreDNS refuses to start.
 */
import { Block, Corefile, Directive, EntryKind, Token } from './syntax';

export function lintCorefile(corefile: Corefile): string[] {
  const bodies = corefile.entries.flatMap((entry) => (entry.kind === EntryKind.IMPORT ? [] : [entry.body]));
  return bodies.flatMap(lintBlock);
}

function lintBlock(block: Block): string[] {
  const nested = block.directives.flatMap((directive) => (directive.block ? lintBlock(directive.block) : []));
  const last = block.directives[block.directives.length - 1];
  if (!block.close || !last || lastToken(last).endLine !== block.close.line) return nested;
  const warning =
    `Corefile line ${block.close.line}: "}" shares its line with "${last.name.value}"; CoreDNS reads it as part of that line ` +
    'and refuses the Corefile, so put "}" on a line of its own';
  return [...nested, warning];
}

function lastToken(directive: Directive): Token {
  return directive.block?.close ?? directive.args[directive.args.length - 1] ?? directive.name;
}
