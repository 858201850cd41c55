/**
 * Layout must not change meaning: the same Corefile with extra blank lines, comments and different
 * indentation patches to the same directive tree, and its patch is still idempotent.
 */
import * as fc from 'fast-check';
import { CoreDnsFlavour, patchCorefile, printCorefile, parseCorefile } from '../../../lib/corefile';
import { fixture, FixtureName, outline } from './helpers';

const NOISE = fc.record({
  indent: fc.constantFrom('', ' ', '  ', '\t', '        '),
  trailing: fc.constantFrom('', ' ', '\t', ' # note', '   #}{ "quoted" in a comment'),
  linesAfter: fc.constantFrom('', '\n', '\n   \n', '\n# a comment line\n', '\n\t# { brace in comment\n'),
});

/** Re-lays out every line of the Corefile with the generated noise. */
function relayout(text: string, noise: Array<{ indent: string; trailing: string; linesAfter: string }>): string {
  return text
    .split('\n')
    .map((line, index) => {
      const { indent, trailing, linesAfter } = noise[index % noise.length];
      const body = line.trim();
      const comment = body.includes('#') || body === '' ? '' : trailing;
      return indent + body + comment + linesAfter;
    })
    .join('\n');
}

const BASES: FixtureName[] = ['kubeadm', 'custom-two-blocks', 'reference-external-patched', 'kubeadm-in-tree-patched', 'k3s'];

describe.each([CoreDnsFlavour.IN_TREE, CoreDnsFlavour.EXTERNAL_PLUGIN])('%s patch under random layout', (flavour) => {
  const options = { flavour, version: '1.12.2' };

  test.each(BASES)('%s: patches to the same tree, idempotently, and reprints exactly', (name) => {
    const base = fixture(name);
    const expected = outline(patchCorefile(base, options).corefile);
    fc.assert(
      fc.property(fc.array(NOISE, { minLength: 1, maxLength: 12 }), (noise) => {
        const input = relayout(base, noise);
        expect(printCorefile(parseCorefile(input))).toBe(input);
        const patched = patchCorefile(input, options).corefile;
        expect(outline(patched)).toEqual(expected);
        expect(patchCorefile(patched, options).changed).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});
