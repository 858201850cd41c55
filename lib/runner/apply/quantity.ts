/**
 * Kubernetes resource quantities (`50Gi`, `500m`, `0.5`, `1e3`) compared by value, exactly, with
 * BigInt: the API server stores a quantity in canonical form, so `0.5` in dist reads back as `500m`.
 */

interface ParsedQuantity {
  readonly digits: bigint;
  readonly exp10: number;
  readonly exp2: number;
}

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|(n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;
const BINARY_EXP: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_EXP: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** Exponents beyond this are not real quantities; refusing them keeps BigInt powers small. */
const MAX_EXPONENT = 400;

/** The exact value of a quantity, or undefined when `text` is not one. */
export function parseQuantity(text: string | number): ParsedQuantity | undefined {
  const m = QUANTITY.exec(String(text).trim());
  if (!m) {
    return undefined;
  }
  const [, sign, number, binary, decimal, exponent] = m;
  const [whole, fraction = ''] = number.split('.');
  const exp10 = -fraction.length + (decimal ? DECIMAL_EXP[decimal] : 0) + (exponent ? Number(exponent) : 0);
  if (Math.abs(exp10) > MAX_EXPONENT) {
    return undefined;
  }
  const digits = BigInt(`${sign === '-' ? '-' : ''}${whole || '0'}${fraction}`);
  return { digits, exp10, exp2: binary ? BINARY_EXP[binary] : 0 };
}

/** True when both are quantities of the same value (`0.5` and `500m`; `1Gi` and `1024Mi`). */
export function sameQuantity(a: string | number, b: string | number): boolean {
  const pa = parseQuantity(a);
  const pb = parseQuantity(b);
  if (!pa || !pb) {
    return false;
  }
  const min10 = Math.min(pa.exp10, pb.exp10);
  const min2 = Math.min(pa.exp2, pb.exp2);
  return scaled(pa, min10, min2) === scaled(pb, min10, min2);
}

function scaled(q: ParsedQuantity, base10: number, base2: number): bigint {
  return q.digits * 10n ** BigInt(q.exp10 - base10) * 2n ** BigInt(q.exp2 - base2);
}

/** Maps whose values are quantities (resources.requests, ResourceQuota hard, LimitRange max, ...). */
const QUANTITY_MAPS = new Set(['requests', 'limits', 'capacity', 'allocatable', 'hard', 'overhead', 'default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio']);

/** Whether the field at `path` holds a quantity, judged by where it sits (no schema needed). */
export function isQuantityPath(path: readonly (string | number)[]): boolean {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  return last === 'sizeLimit' || (typeof last === 'string' && typeof parent === 'string' && QUANTITY_MAPS.has(parent));
}
