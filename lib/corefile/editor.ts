/**
 * Structural edits on one parsed Corefile, recorded as text splices and applied together by
 * `result()`. New lines take the indentation of their neighbours, or of the file's own indentation
 * step, and the file's line ending; nothing outside the touched tokens changes.
 */
import { applyEdits, formatWord, TextEdit } from './edits';
import {
  detectIndentUnit,
  detectLineEnding,
  horizontalSpaceAfter,
  horizontalSpaceBefore,
  isFirstOnLine,
  lineEnd,
  lineIndent,
  lineStart,
  nextLineStart,
  restOfLineIsBlank,
} from './layout';
import { Block, Corefile, Directive, ServerBlock, Token, TokenKind } from './syntax';

export class CorefileEditor {
  private readonly edits: TextEdit[] = [];
  private readonly eol: string;
  private readonly unit: string;

  constructor(public readonly corefile: Corefile) {
    this.eol = detectLineEnding(corefile.source);
    this.unit = detectIndentUnit(corefile);
  }

  private get source(): string {
    return this.corefile.source;
  }

  /** The edited Corefile text. */
  public result(): string {
    return applyEdits(this.source, this.edits);
  }

  public replaceToken(token: Token, value: string): void {
    this.splice(token.start, token.end, formatWord(value));
  }

  /** Sets a directive's arguments, keeping its name and block. */
  public replaceArgs(directive: Directive, values: readonly string[]): void {
    const words = values.map(formatWord).join(' ');
    const [first, last] = [directive.args[0], directive.args[directive.args.length - 1]];
    if (first) this.splice(first.start, last.end, words);
    else this.splice(directive.name.end, directive.name.end, ` ${words}`);
  }

  public insertArgsAfter(token: Token, values: readonly string[]): void {
    this.splice(token.end, token.end, values.map((value) => ` ${formatWord(value)}`).join(''));
  }

  /** Removes an argument and the blank space in front of it. */
  public removeArg(arg: Token): void {
    this.splice(arg.start - horizontalSpaceBefore(this.source, arg.start), arg.end, '');
  }

  /** Removes a directive with its block; its whole line(s) when nothing else shares them. */
  public removeDirective(directive: Directive): void {
    const source = this.source;
    const ownsLines = isFirstOnLine(source, directive.name) && restOfLineIsBlank(source, directive.end);
    if (ownsLines) {
      this.splice(lineStart(source, directive.start), nextLineStart(source, directive.end), '');
    } else if (isFirstOnLine(source, directive.name)) {
      this.splice(directive.start, directive.end + horizontalSpaceAfter(source, directive.end), '');
    } else {
      this.splice(directive.start - horizontalSpaceBefore(source, directive.start), directive.end, '');
    }
  }

  /** Removes a directive's `{ ... }`, leaving the directive with its arguments. */
  public removeBlock(directive: Directive): void {
    const block = directive.block!;
    const lastWord = directive.args[directive.args.length - 1] ?? directive.name;
    this.splice(lastWord.end, block.close!.end, '');
  }

  /** True when a comment sits anywhere inside the block (removing the block would lose it). */
  public blockHasComments(block: Block): boolean {
    const [from, to] = [block.open?.end ?? 0, block.close?.start ?? this.source.length];
    return this.corefile.comments.some((comment) => comment.start >= from && comment.start < to);
  }

  /** Adds a sibling line just above a directive, at its indentation. */
  public insertLineBefore(directive: Directive, line: string): void {
    const source = this.source;
    if (isFirstOnLine(source, directive.name)) {
      const at = lineStart(source, directive.start);
      this.splice(at, at, lineIndent(source, directive.start) + line + this.eol);
      return;
    }
    const indent = lineIndent(source, directive.start) + this.unit;
    const gapStart = directive.start - horizontalSpaceBefore(source, directive.start);
    this.splice(gapStart, directive.start, this.eol + indent + line + this.eol + indent);
  }

  /** Adds lines at the top of a server block's body. */
  public insertFirstLinesInServerBlock(serverBlock: ServerBlock, lines: readonly string[]): void {
    const { keys, body } = serverBlock;
    this.insertAtTop(body, { owner: keys[0], anchor: body.open ?? keys[keys.length - 1] }, lines);
  }

  /** Adds lines at the top of a directive's block, creating the block when it has none. */
  public insertFirstLinesInDirective(directive: Directive, lines: readonly string[]): void {
    if (directive.block) {
      this.insertAtTop(directive.block, { owner: directive.name, anchor: directive.block.open! }, lines);
      return;
    }
    const indent = lineIndent(this.source, directive.start);
    const lastWord = directive.args[directive.args.length - 1] ?? directive.name;
    const body = lines.map((line) => this.eol + indent + this.unit + line).join('');
    this.splice(lastWord.end, lastWord.end, ` {${body}${this.eol}${indent}}`);
  }

  /**
   * `owner` is the first token of the line the block belongs to (it sets the indentation);
   * `anchor` is the token the block hangs from: its `{`, or the last key of an unbraced server block.
   */
  private insertAtTop(block: Block, { owner, anchor }: { owner: Token; anchor: Token }, lines: readonly string[]): void {
    const source = this.source;
    const parentIndent = lineIndent(source, owner.start);
    const first = block.directives[0]?.name;
    const childIndent = first && isFirstOnLine(source, first) ? lineIndent(source, first.start) : parentIndent + this.unit;
    const text = lines.map((line) => this.eol + childIndent + line).join('');
    const next = first ?? block.close;
    if (!next || next.line > anchor.endLine) {
      const at = lineEnd(source, anchor.end);
      this.splice(at, at, text);
      return;
    }
    const nextIndent = next.kind === TokenKind.CLOSE ? parentIndent : childIndent;
    this.splice(anchor.end, next.start, text + this.eol + nextIndent);
  }

  private splice(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text });
  }
}
