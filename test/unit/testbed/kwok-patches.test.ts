import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyPatches, KWOK_PATCHES, patchesRecord } from '../../../testbed/kwok-patches';
import { tempDir } from '../support/temp-dir';

describe('the fixes the bed applies to kwok before building it', () => {
  const moduleDir = tempDir('kwok-src-');
  const file = path.join(moduleDir, KWOK_PATCHES[0].file);

  it('give an exec with a TTY and no stdin an empty stdin instead of a nil one', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `func f() {\n${KWOK_PATCHES[0].from}\n}\n`, { mode: 0o444 });
    applyPatches(moduleDir);
    const patched = fs.readFileSync(file, 'utf8');
    expect(patched).toContain('var stdin io.Reader = io.MultiReader()');
    expect(patched).toContain('}{stdin, out}');
    expect(patched).not.toContain('}{in, out}');
  });

  it('fail the build, naming the file, when kwok\'s code no longer matches', () => {
    fs.writeFileSync(file, 'package server\n');
    expect(() => applyPatches(moduleDir)).toThrow(`kwok patch for ${KWOK_PATCHES[0].file} does not apply: the text to replace occurs 0 times`);
  });

  it('are recorded next to the binary with the reason for each', () => {
    expect(patchesRecord()).toMatch(/^pkg\/kwok\/server\/debugging_exec_other\.go: kwok 0\.8 crashes/);
  });
});
