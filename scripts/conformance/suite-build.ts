/**
 * Builds the official MCS conformance suite (kubernetes-sigs/mcs-api `conformance/`) into a test
 * binary, cached by the content of its source. The source is third-party and read-only in
 * `shared/third_party/mcs-api-conformance/` next to the repository (the Go module proxy does not
 * serve that nested module, see its ORIGIN.md), so it is copied to a writable cache folder and
 * built there with `go test -c`, modules from the module proxy only, the local toolchain only.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BuildContext, findGo, formatMinutes, goVersionOf, Log, runGo } from '../../testbed/build-go';
import { REPO_ROOT } from '../../testbed/harness';
import { buildDirs, cacheRoot } from '../../testbed/versions';

/** Where the suite's source is: $MCS_CONFORMANCE_SRC, else ../shared/third_party/mcs-api-conformance relative to the repository. */
export function suiteSourceDir(): string {
  return path.resolve(process.env.MCS_CONFORMANCE_SRC ?? path.join(REPO_ROOT, '..', 'shared', 'third_party', 'mcs-api-conformance'));
}

export class MissingSuiteError extends Error {}

/** The suite's file names, sorted; throws naming the folder and the fix when it is not there. */
export function suiteSourceFiles(dir: string = suiteSourceDir()): string[] {
  const missing = ['go.mod', 'go.sum', 'ORIGIN.md', 'conformance_suite.go'].filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length > 0) {
    throw new MissingSuiteError(
      `the MCS conformance suite's source is missing: ${dir} lacks ${missing.join(', ')}. ` +
        'It is the shared/ folder next to the repository (../shared/third_party/mcs-api-conformance, a verbatim copy of kubernetes-sigs/mcs-api conformance/, see its ORIGIN.md). ' +
        'Fix: check out shared/ next to the repository, or set MCS_CONFORMANCE_SRC to a folder holding that source.',
    );
  }
  return fs.readdirSync(dir).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

/** First 16 hex digits of a SHA-256 over every file's name and bytes: the cache key. */
export function suiteContentHash(dir: string = suiteSourceDir()): string {
  const hash = crypto.createHash('sha256');
  for (const f of suiteSourceFiles(dir)) {
    hash.update(`${f}\0`);
    hash.update(fs.readFileSync(path.join(dir, f)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The suite commit ORIGIN.md names (40 hex digits), or undefined. */
export function suiteCommit(dir: string = suiteSourceDir()): string | undefined {
  return /commit\s+([0-9a-f]{40})/.exec(fs.readFileSync(path.join(dir, 'ORIGIN.md'), 'utf8'))?.[1];
}

export interface SuiteBuild {
  /** the test binary */
  readonly binary: string;
  /** `<cache>/conformance/<hash>` */
  readonly root: string;
  readonly hash: string;
  readonly commit?: string;
  /** seconds the build took; undefined when the binary came from the cache */
  readonly seconds?: number;
}

function suiteDirs(hash: string) {
  const root = path.join(cacheRoot(), 'conformance', hash);
  fs.mkdirSync(root, { recursive: true });
  return { root, src: path.join(root, 'src'), binary: path.join(root, 'mcs-conformance.test'), log: path.join(root, 'build.log') };
}

/** The environment `go` runs with: the local toolchain, modules from the proxy, no workspace, no VCS stamping. */
function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-trimpath -buildvcs=false -mod=readonly', GOWORK: 'off', GO111MODULE: 'on' };
}

/** Copies the read-only source to a fresh writable folder (files only: the suite is one flat Go package). */
function copySource(from: string, to: string): void {
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(to, { recursive: true });
  for (const f of suiteSourceFiles(from)) {
    fs.copyFileSync(path.join(from, f), path.join(to, f));
    fs.chmodSync(path.join(to, f), 0o644);
  }
}

/**
 * The suite's test binary: from the cache when this source was built before, else copied and
 * built (about 4 minutes cold on 2 cores; progress every 15 s through `log`).
 */
export async function ensureSuiteBuilt(o: { log: Log } = { log: (l) => process.stderr.write(`[conformance build] ${l}\n`) }): Promise<SuiteBuild> {
  const source = suiteSourceDir();
  const hash = suiteContentHash(source);
  const dirs = suiteDirs(hash);
  const commit = suiteCommit(source);
  if (fs.existsSync(dirs.binary)) {
    return { binary: dirs.binary, root: dirs.root, hash, commit };
  }
  const go = findGo();
  const goVersion = goVersionOf(go);
  const started = Date.now();
  // A folder of this process's own, so that two builds at once (a terminal and npm test) never share one.
  const work = `${dirs.src}.${process.pid}`;
  copySource(source, work);
  fs.writeFileSync(dirs.log, `# ${new Date().toISOString()} ${goVersion}, source ${source} (content ${hash})\n`);
  o.log(`building the MCS conformance suite (commit ${commit?.slice(0, 12) ?? 'unknown'}, content ${hash}) with ${goVersion}: about 4 minutes cold on 2 cores (log: ${dirs.log})`);
  const ctx: BuildContext = { go, env: goEnv(), dirs: buildDirs(), log: o.log, logFile: dirs.log };
  const tmp = `${dirs.binary}.${process.pid}`;
  try {
    await runGo(ctx, 'conformance suite: go test -c', ['test', '-c', '-o', tmp, '.'], { cwd: work });
    fs.renameSync(tmp, dirs.binary);
    fs.rmSync(dirs.src, { recursive: true, force: true });
    fs.renameSync(work, dirs.src);
  } finally {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  fs.writeFileSync(path.join(dirs.root, 'build-info.json'), `${JSON.stringify({ source, hash, commit, goVersion, builtAt: new Date().toISOString(), seconds }, null, 2)}\n`);
  o.log(`conformance suite built in ${formatMinutes(seconds)}: ${dirs.binary}`);
  return { binary: dirs.binary, root: dirs.root, hash, commit, seconds };
}
