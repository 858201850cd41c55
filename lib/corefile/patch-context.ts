/** What every flavour's patch step works with. */
import { CorefileEditor } from './editor';
import { ResolvedPatchOptions } from './options';
import { normalizeZone } from './query';
import { Directive, Token } from './syntax';

export interface PatchContext {
  readonly editor: CorefileEditor;
  readonly options: ResolvedPatchOptions;
  readonly warnings: string[];
}

/** The arguments of a directive that name `zone` (compared normalized). */
export function argsNaming(directive: Directive, zone: string): Token[] {
  return directive.args.filter((arg) => normalizeZone(arg.value) === zone);
}

/** True when every argument of the directive names `zone`. */
export function namesOnly(directive: Directive, zone: string): boolean {
  return directive.args.length > 0 && argsNaming(directive, zone).length === directive.args.length;
}
