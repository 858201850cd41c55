/** Where benchmark results go: bench/results/<name>-<time>.json and <name>-latest.json (git-ignored). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MachineInfo, REPO } from './machine';

export const RESULTS_DIR = path.join(REPO, 'bench', 'results');

export interface BenchReport<P, R> {
  readonly benchmark: string;
  /** The command that produced it, as documented in BENCHMARKS.md. */
  readonly command: string;
  readonly machine: MachineInfo;
  readonly params: P;
  readonly results: R;
  readonly durationSeconds: number;
}

export function writeReport(report: BenchReport<unknown, unknown>, file?: string): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = report.machine.date.replace(/[:.]/g, '-').replace(/Z$/, '');
  const target = file ?? path.join(RESULTS_DIR, `${report.benchmark}-${stamp}.json`);
  const text = `${JSON.stringify(report, null, 2)}\n`;
  fs.writeFileSync(target, text);
  if (!file) {
    fs.writeFileSync(path.join(RESULTS_DIR, `${report.benchmark}-latest.json`), text);
  }
  return target;
}
