import { isQuantityPath, parseQuantity, sameQuantity } from '../../../lib/runner/apply/quantity';

describe('resource quantities', () => {
  it('treats the forms the API server normalises to as the same value', () => {
    expect(sameQuantity('0.5', '500m')).toBe(true);
    expect(sameQuantity(1, '1000m')).toBe(true);
    expect(sameQuantity('1Gi', '1024Mi')).toBe(true);
    expect(sameQuantity('1e3', '1k')).toBe(true);
    expect(sameQuantity('50Gi', '50Gi')).toBe(true);
  });

  it('tells different values apart, including decimal versus binary suffixes', () => {
    expect(sameQuantity('50Gi', '50G')).toBe(false);
    expect(sameQuantity('250m', '0.3')).toBe(false);
    expect(sameQuantity('1Ki', '1k')).toBe(false);
  });

  it('refuses text that is not a quantity', () => {
    expect(parseQuantity('fifty')).toBeUndefined();
    expect(parseQuantity('5 Gi')).toBeUndefined();
    expect(sameQuantity('abc', 'abc')).toBe(false);
  });

  it('recognises quantity fields by where they sit, not by their text', () => {
    expect(isQuantityPath(['spec', 'containers', 0, 'resources', 'requests', 'cpu'])).toBe(true);
    expect(isQuantityPath(['spec', 'volumes', 0, 'emptyDir', 'sizeLimit'])).toBe(true);
    expect(isQuantityPath(['data', 'cpu'])).toBe(false);
  });
});
