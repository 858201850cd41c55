/**
 * The outcome of one conformance run, per test, from the suite's own JUnit report: passed, failed
 * (with Ginkgo's failure message) or skipped (with the bed's reason, see skips.ts). The summary
 * line and the table `npm run conformance` prints. Pure.
 */
import { JUnitCase, splitCaseName } from './junit';
import { skipReason } from './skips';

export type TestResult = 'passed' | 'failed' | 'skipped';

export interface ConformanceTest {
  /** the test's full text, as in report.yaml's `desc` (whitespace collapsed) */
  readonly text: string;
  readonly labels: readonly string[];
  readonly result: TestResult;
  /** Ginkgo's state when it is more than passed/failed/skipped: timedout, interrupted, panicked, aborted */
  readonly state: string;
  readonly seconds: number;
  /** why it was skipped (the bed's reason), or the failure message */
  readonly reason?: string;
  /** failure location and stack, from the report */
  readonly detail?: string;
}

export interface Counts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly total: number;
}

/** One ConformanceTest per `It` of the report (suite set-up nodes are not tests). */
export function conformanceTests(cases: readonly JUnitCase[]): ConformanceTest[] {
  return cases.flatMap((c) => {
    const { nodeType, text, labels } = splitCaseName(c.name);
    if (nodeType !== 'It') {
      return [];
    }
    const result: TestResult = c.status === 'passed' ? 'passed' : c.status === 'skipped' || c.status === 'pending' ? 'skipped' : 'failed';
    const reason = result === 'skipped' ? (skipReason({ text, labels }) ?? c.message) : result === 'failed' ? c.message : undefined;
    return [{ text, labels, result, state: c.status, seconds: c.seconds, reason, detail: result === 'failed' ? c.detail : undefined }];
  });
}

/** Suite set-up nodes (BeforeSuite, ReportAfterSuite...) that did not pass: a broken run, whatever the tests say. */
export function failedSetupNodes(cases: readonly JUnitCase[]): string[] {
  return cases.filter((c) => splitCaseName(c.name).nodeType !== 'It' && c.status !== 'passed' && c.status !== 'skipped').map((c) => `${c.name}: ${c.status}: ${c.message ?? ''}`.trim());
}

export function countResults(tests: readonly ConformanceTest[]): Counts {
  const n = (r: TestResult) => tests.filter((t) => t.result === r).length;
  return { passed: n('passed'), failed: n('failed'), skipped: n('skipped'), total: tests.length };
}

/** The last line `npm run conformance` prints. */
export function summaryLine(c: Counts): string {
  return `conformance: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped of ${c.total}`;
}

/** A failure message on one line, at most `max` characters. */
export function oneLine(text: string, max = 400): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** The per-test table: result, labels, test; the reason (skip) or message (failure) on the line below. */
export function formatTable(tests: readonly ConformanceTest[]): string {
  const rows = tests.map((t) => ({ result: t.result === 'failed' ? `FAILED${t.state !== 'failed' ? ` (${t.state})` : ''}` : t.result, labels: t.labels.join(', '), t }));
  const resultWidth = Math.max('result'.length, ...rows.map((r) => r.result.length));
  const labelWidth = Math.max('labels'.length, ...rows.map((r) => r.labels.length));
  const line = (a: string, b: string, c: string) => `${a.padEnd(resultWidth)}  ${b.padEnd(labelWidth)}  ${c}`.trimEnd();
  const out = [line('result', 'labels', 'test'), line('-'.repeat(resultWidth), '-'.repeat(labelWidth), '----')];
  const order: Record<TestResult, number> = { failed: 0, passed: 1, skipped: 2 };
  for (const r of [...rows].sort((a, b) => order[a.t.result] - order[b.t.result] || a.t.text.localeCompare(b.t.text))) {
    out.push(line(r.result, r.labels, r.t.text));
    if (r.t.reason) {
      out.push(`${' '.repeat(resultWidth + labelWidth + 4)}${r.t.result === 'skipped' ? 'why skipped: ' : ''}${oneLine(r.t.reason)}`);
    }
  }
  return out.join('\n');
}
