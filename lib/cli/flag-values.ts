/**
 * The value forms a flag can take. Each parser names the flag, the value it got and the form it
 * expected, so `--workers abc` says exactly what is wrong instead of becoming NaN downstream.
 */
import { UsageError } from './usage-error';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_FORM = 'a duration such as 30s, 2m, 1h30m or 1500ms (a bare number is seconds)';

/** A whole number in [min, max]. */
export function parseInteger(value: string, flag: string, range: { min?: number; max?: number } = {}): number {
  const min = range.min ?? Number.MIN_SAFE_INTEGER;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} expects a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/** `30s`, `2m`, `1h30m`, `1500ms`, `60` (seconds) -> milliseconds (Go-style units, as kubectl takes them). */
export function parseDuration(value: string, flag: string): number {
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    return Math.round(Number(text) * 1000);
  }
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`--${flag} expects ${DURATION_FORM}, got "${value}"`);
  }
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * DURATION_UNITS[p[2]], 0));
}

/** One of a fixed set of words. */
export function parseChoice<T extends string>(value: string, flag: string, choices: readonly T[]): T {
  if (!choices.includes(value as T)) {
    throw new UsageError(`--${flag} expects one of ${choices.map((c) => `"${c}"`).join(', ')}, got "${value}"`);
  }
  return value as T;
}

/**
 * `a=b,c=d` -> { a: 'b', c: 'd' }. Each pair splits at its first `=`, so a value keeps any `=`
 * of its own; an empty key or value, or a key given twice, is refused.
 */
export function parseMap(value: string | undefined, flag: string, form = 'cluster=context'): Record<string, string> {
  const out = new Map<string, string>();
  for (const pair of value ? value.split(',') : []) {
    const eq = pair.indexOf('=');
    const [k, v] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    if (!k || !v) {
      throw new UsageError(`--${flag} expects ${form} pairs separated by commas, got "${pair}"`);
    }
    if (out.has(k)) {
      throw new UsageError(`--${flag} names "${k}" twice ("${k}=${out.get(k)}" and "${pair}"); give each key once`);
    }
    out.set(k, v);
  }
  return Object.fromEntries(out);
}

/** `a,b` -> ['a', 'b']; empty items are refused. */
export function parseList(value: string, flag: string, form = 'ID'): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) {
    throw new UsageError(`--${flag} expects ${form},${form},... with no empty item, got "${value}"`);
  }
  return items;
}
