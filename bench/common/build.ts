/**
 * The benchmarks run the library as plain JavaScript compiled by tsc (bench/tsconfig.json ->
 * bench/results/build), so the processes whose time and memory are measured carry no
 * TypeScript compiler, as an installed package would not.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO } from './machine';

export const BUILD_DIR = path.join(REPO, 'bench', 'results', 'build');

/** Compiles lib/, imports/, testbed/ and bench/ (incremental: a second call takes seconds). */
export function compileForBench(log: (line: string) => void): void {
  const started = Date.now();
  const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(REPO, 'bench', 'tsconfig.json')], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (e) {
    const out = e as { stdout?: string; stderr?: string };
    throw new Error(`tsc -p bench/tsconfig.json failed:\n${out.stdout ?? ''}${out.stderr ?? ''}`);
  }
  log(`compiled the library and the benchmarks to ${path.relative(REPO, BUILD_DIR)} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

/** The compiled JavaScript of a repository TypeScript file, e.g. `bench/children/synth-child.ts`. */
export function compiled(repoRelativeTs: string): string {
  return path.join(BUILD_DIR, repoRelativeTs.replace(/\.ts$/, '.js'));
}
