/** The result of `preflight`: one line per check per cluster, and how to print it. */

export type CheckLevel = 'ok' | 'warn' | 'FAIL';

export interface CheckResult {
  readonly clusterId: string;
  /** `reachable`, `coredns-version`, `corefile`, `crds`, `storage-classes`, `secrets`, `cluster-id`, `runner-rbac`. */
  readonly check: string;
  readonly level: CheckLevel;
  readonly message: string;
  /** What to do about a warn or FAIL. */
  readonly fix?: string;
}

export const ok = (clusterId: string, check: string, message: string): CheckResult => ({ clusterId, check, level: 'ok', message });
export const warn = (clusterId: string, check: string, message: string, fix?: string): CheckResult => ({ clusterId, check, level: 'warn', message, fix });
export const fail = (clusterId: string, check: string, message: string, fix?: string): CheckResult => ({ clusterId, check, level: 'FAIL', message, fix });

/** `[cluster-2] FAIL  storage-classes  StorageClass "fast" … Fix: …` */
export function formatCheck(r: CheckResult): string {
  const fix = r.fix ? `\n${' '.repeat(r.clusterId.length + 3)}Fix: ${r.fix}` : '';
  return `[${r.clusterId}] ${r.level.padEnd(4)}  ${r.check.padEnd(15)}  ${r.message}${fix}`;
}

export function summarize(results: readonly CheckResult[]): { ok: number; warn: number; fail: number } {
  return {
    ok: results.filter((r) => r.level === 'ok').length,
    warn: results.filter((r) => r.level === 'warn').length,
    fail: results.filter((r) => r.level === 'FAIL').length,
  };
}
