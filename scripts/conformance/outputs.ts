/**
 * What a conformance run leaves in its output folder (`conformance/`, git-ignored): the suite's own
 * report.yaml and report.html (the files SIG Multicluster publishes), its JUnit report and log, and
 * results.json (per test: result, labels, skip reason or failure message) for scripts and tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { parseJUnit } from './junit';
import { ConformanceTest, conformanceTests, countResults, Counts, failedSetupNodes } from './results';
import { SuiteRun } from './suite-run';

export interface RunResults {
  readonly tests: ConformanceTest[];
  readonly counts: Counts;
  /** suite set-up nodes that did not pass (e.g. BeforeSuite could not reach a cluster) */
  readonly setupFailures: string[];
  /** what the suite's own report.yaml says: `passed` of `total`, and its suite failure, if any */
  readonly report?: { readonly passed: number; readonly total: number; readonly suiteFailure?: string };
}

/** Reads the run's JUnit report (the results) and report.yaml (the suite's own verdict). */
export function readRunResults(run: Pick<SuiteRun, 'junit' | 'reportYaml' | 'log' | 'exitCode'>): RunResults {
  if (!fs.existsSync(run.junit)) {
    throw new Error(`the conformance suite exited with ${run.exitCode} and wrote no JUnit report (${run.junit}); its log: ${run.log}`);
  }
  const cases = parseJUnit(fs.readFileSync(run.junit, 'utf8'));
  const tests = conformanceTests(cases);
  return { tests, counts: countResults(tests), setupFailures: failedSetupNodes(cases), report: readReportYaml(run.reportYaml) };
}

/** report.yaml as the suite writes it (gopkg.in/yaml.v3: lower-cased Go field names). */
function readReportYaml(file: string): RunResults['report'] {
  if (!fs.existsSync(file)) {
    return undefined;
  }
  const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as { passed?: number; total?: number; suitefailure?: string };
  return { passed: Number(doc.passed ?? 0), total: Number(doc.total ?? 0), suiteFailure: doc.suitefailure || undefined };
}

export interface RunMeta {
  readonly suite: { readonly commit?: string; readonly hash: string; readonly binary: string };
  readonly implementation: Record<string, string>;
  readonly contexts: readonly string[];
  readonly startedAt: string;
  readonly seconds: { readonly suite: number; readonly total: number };
}

/** Copies the suite's reports into `outDir` and writes results.json there; returns the paths written. */
export function writeOutputs(outDir: string, run: SuiteRun, results: RunResults, meta: RunMeta): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const f of [run.reportYaml, run.reportHtml, run.junit, run.log]) {
    if (fs.existsSync(f)) {
      const to = path.join(outDir, path.basename(f));
      fs.copyFileSync(f, to);
      written.push(to);
    }
  }
  const json = path.join(outDir, 'results.json');
  fs.writeFileSync(json, `${JSON.stringify({ ...meta, counts: results.counts, report: results.report, setupFailures: results.setupFailures, tests: results.tests }, null, 2)}\n`);
  written.push(json);
  return written;
}
