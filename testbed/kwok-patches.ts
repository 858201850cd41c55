/**
 * Fixes the bed applies to kwok's source before building it (a copy of the module from the Go
 * module cache, in the build's src/ folder; nothing of kwok is kept in this repository). Each is
 * an exact text replacement that must apply, so a kwok upgrade that changes the code fails the
 * build loudly instead of silently building an unfixed binary.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SourcePatch {
  /** file inside the module */
  readonly file: string;
  readonly why: string;
  readonly from: string;
  readonly to: string;
}

export const KWOK_PATCHES: readonly SourcePatch[] = [
  {
    file: 'pkg/kwok/server/debugging_exec_other.go',
    why:
      'kwok 0.8 crashes (nil pointer dereference in Tunnel, the whole kwok process exits) on an exec with a TTY but without stdin, ' +
      'because it reads the absent stdin stream. The MCS conformance suite execs so (TTY=true, Stdin=false); an empty stdin stands in.',
    from: `		stm := struct {
			io.Reader
			io.Writer
		}{in, out}`,
    to: `		var stdin io.Reader = io.MultiReader() // testbed patch: an exec with a TTY and no stdin has a nil \`in\`; read EOF instead
		if in != nil {
			stdin = in
		}
		stm := struct {
			io.Reader
			io.Writer
		}{stdin, out}`,
  },
];

/** Applies every patch to the module copy in `moduleDir`; throws naming the file when one does not apply exactly once. */
export function applyPatches(moduleDir: string, patches: readonly SourcePatch[] = KWOK_PATCHES): void {
  for (const p of patches) {
    const file = path.join(moduleDir, p.file);
    const text = fs.readFileSync(file, 'utf8');
    const count = text.split(p.from).length - 1;
    if (count !== 1) {
      throw new Error(`kwok patch for ${p.file} does not apply: the text to replace occurs ${count} times (expected once); the kwok version changed? (${p.why})`);
    }
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, text.replace(p.from, p.to));
  }
}

/** What the build records next to the binary (`bin/kwok.patches`): which patches it carries and why. */
export function patchesRecord(patches: readonly SourcePatch[] = KWOK_PATCHES): string {
  return patches.map((p) => `${p.file}: ${p.why}\n`).join('');
}
