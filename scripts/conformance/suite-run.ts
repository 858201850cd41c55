/**
 * Runs the built conformance suite against two clusters: the report flags SIG Multicluster asks
 * for, the bed's skips (skips.ts), verbose Ginkgo output into a log, and a JUnit report to read the
 * results from. The suite writes report.yaml and report.html into its working folder.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ginkgoSkipFlags } from './skips';

export interface SuiteRunOptions {
  readonly binary: string;
  /** working folder: report.yaml, report.html, junit.xml and suite.log end up here */
  readonly workDir: string;
  /** an admin kubeconfig with one context per cluster */
  readonly kubeconfig: string;
  /** exporting cluster first */
  readonly contexts: readonly string[];
  /** `-organization -project -version -url` of the report */
  readonly implementation: { readonly organization: string; readonly project: string; readonly version: string; readonly url: string };
  /** called with a line per finished test (from Ginkgo's verbose output) and every `progressMs` */
  readonly progress: (line: string) => void;
  readonly progressMs?: number;
}

export interface SuiteRun {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly seconds: number;
  readonly junit: string;
  readonly reportYaml: string;
  readonly reportHtml: string;
  readonly log: string;
}

export function suiteArgs(o: Pick<SuiteRunOptions, 'kubeconfig' | 'contexts' | 'implementation'>, junit: string): string[] {
  const i = o.implementation;
  return [
    `-kubeconfig=${o.kubeconfig}`,
    `-contexts=${o.contexts.join(',')}`,
    `-organization=${i.organization}`,
    `-project=${i.project}`,
    `-version=${i.version}`,
    `-url=${i.url}`,
    ...ginkgoSkipFlags(),
    '-ginkgo.v',
    '-ginkgo.no-color',
    `-ginkgo.junit-report=${junit}`,
  ];
}

let running: ChildProcess | undefined;

/** Stops a suite run in progress (Ctrl-C of the harness): SIGINT first, so Ginkgo still writes its reports. */
export async function stopSuite(graceMs = 10_000): Promise<void> {
  const child = running;
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
}

/**
 * Progress from Ginkgo's verbose output (progress only: results come from the JUnit report). Each
 * spec starts after a `------------------------------` line with its text and labels, and ends with
 * `• [12.3 seconds]` or `• [FAILED] [20.1 seconds]`.
 */
export class SpecProgress {
  private current?: string;
  private afterSeparator = false;
  public finished = 0;

  /** One line of output; returns a progress line when it ends a spec. */
  public line(line: string): string | undefined {
    if (/^-{20,}$/.test(line.trim())) {
      this.afterSeparator = true;
      return undefined;
    }
    if (this.afterSeparator && line.trim() !== '') {
      this.afterSeparator = false;
      this.current = line.replace(/\s+/g, ' ').trim();
    }
    const done = /^\s*•\s*(?:\[([A-Z]+)\]\s*)?\[([\d.]+) seconds\]/.exec(line);
    if (!done || !this.current) {
      return undefined;
    }
    const name = this.current;
    this.current = undefined;
    return `test ${++this.finished} ${(done[1] ?? 'PASSED').toLowerCase()} in ${Number(done[2]).toFixed(1)}s: ${name}`;
  }
}

/** Runs the suite to its end; resolves with its exit and where its reports are. Never throws for failing tests. */
export function runSuite(o: SuiteRunOptions): Promise<SuiteRun> {
  fs.mkdirSync(o.workDir, { recursive: true });
  const files = {
    junit: path.join(o.workDir, 'junit.xml'),
    reportYaml: path.join(o.workDir, 'report.yaml'),
    reportHtml: path.join(o.workDir, 'report.html'),
    log: path.join(o.workDir, 'suite.log'),
  };
  for (const f of Object.values(files)) {
    fs.rmSync(f, { force: true });
  }
  const started = Date.now();
  const out = fs.openSync(files.log, 'a');
  const child = spawn(o.binary, suiteArgs(o, files.junit), { cwd: o.workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  running = child;
  let partial = '';
  const specs = new SpecProgress();
  const onData = (buf: Buffer) => {
    fs.writeSync(out, buf);
    const lines = (partial + buf.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const done = specs.line(line);
      if (done) {
        o.progress(`  ${done}`);
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timer = setInterval(() => o.progress(`  suite running for ${Math.round((Date.now() - started) / 1000)}s, ${specs.finished} tests finished (log: ${files.log})`), o.progressMs ?? 60_000);
  return new Promise((resolve, reject) => {
    child.once('error', (e) => {
      clearInterval(timer);
      fs.closeSync(out);
      reject(new Error(`could not start the conformance suite ${o.binary}: ${e.message}`));
    });
    child.once('close', (exitCode, signal) => {
      clearInterval(timer);
      fs.closeSync(out);
      running = undefined;
      resolve({ exitCode, signal, seconds: (Date.now() - started) / 1000, ...files });
    });
  });
}
