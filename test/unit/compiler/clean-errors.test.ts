import { cleanMessage, isLibraryInputError } from '../../../lib/constructs/clean-errors';
import { DnsMethod, Fleet, HeadlessImport } from '../../../lib';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('which uncaught errors print without a stack trace', () => {
  it('an input check of the library: the message alone, with its fix', () => {
    const e = thrown(() => new Fleet({ outdir: '/nonexistent' }).addCluster('a', { kubeContext: '' }));
    expect(isLibraryInputError(e)).toBe(true);
    expect(cleanMessage(e as Error)).toBe('error: cluster "a": kubeContext must name a kubeconfig context, got "". Fix: omit it to use the cluster ID');
  });

  it('the batched problem list: as it is', () => {
    const bad = new Fleet({ outdir: '/nonexistent' });
    const a = bad.addCluster('a', { storageClass: 'x' });
    new HeadlessImport(bad, 'imp', { serviceName: 'db', namespace: 'db', consumers: [a], dnsMethods: [DnsMethod.AMCS] });
    const problems = thrown(() => bad.render()) as Error;
    expect(isLibraryInputError(problems)).toBe(true);
    expect(cleanMessage(problems)).toMatch(/^the fleet has 1 problem; nothing was written:\n {2}\[imp\] HeadlessImport of "db\/db"/);
  });

  it('not an error of the program itself, nor a TypeError anywhere: those keep their stack', () => {
    expect(isLibraryInputError(new Error('mine'))).toBe(false);
    expect(isLibraryInputError(thrown(() => (undefined as unknown as { x: number }).x))).toBe(false);
    expect(isLibraryInputError('a string')).toBe(false);
  });
});
