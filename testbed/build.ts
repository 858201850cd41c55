/**
 * Builds the test bed's binaries from Go modules into the versioned cache directory
 * (see versions.ts). Each component is skipped when its binaries and success stamp exist, so a
 * second run takes seconds. The Go toolchain is in build-go.ts, the component recipes in
 * build-components.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Component, COMPONENTS, isBuilt, stamp } from './build-components';
import { BuildContext, findGo, formatMinutes, goVersionOf, Log } from './build-go';
import { buildDirs, BuildDirs, optionalErrorFile, RECIPE_REVISION, VERSIONS } from './versions';

export { COMPONENTS } from './build-components';
export { findGo, MissingToolError } from './build-go';
export type { Log } from './build-go';

const defaultLog: Log = (line) => process.stderr.write(`[testbed build] ${line}\n`);

export interface BuildResult {
  dirs: BuildDirs;
  /** absolute paths of the binaries */
  bin: {
    kubeApiserver: string;
    kubeControllerManager: string;
    kubeScheduler: string;
    etcd: string;
    kwok: string;
    coredns: string;
    /** CoreDNS with the external github.com/coredns/multicluster plugin, when it built */
    corednsMulticluster?: string;
  };
  kwokStages: string;
  kwokStorageClass: string;
  /** the recorded build error of the external plugin flavour, when it did not build */
  corednsMulticlusterError?: string;
  /** seconds per component built in this call (empty when everything was cached) */
  timings: Record<string, number>;
  goVersion?: string;
}

export interface BuildOptions {
  log?: Log;
  /** rebuild even when stamps exist */
  force?: boolean;
  /** retry the optional external-plugin CoreDNS build even when an earlier failure is recorded */
  retryOptional?: boolean;
}

function exists(p: string): boolean {
  return fs.existsSync(p);
}

/** Paths a (possibly partial) build would have; no building, no Go needed. */
export function cachedBuild(): BuildResult {
  const dirs = buildDirs();
  const b = (n: string) => path.join(dirs.bin, n);
  const mc = b('coredns-multicluster');
  const mcErr = b('coredns-multicluster.error.txt');
  let info: { goVersion?: string } = {};
  try {
    info = JSON.parse(fs.readFileSync(path.join(dirs.root, 'build-info.json'), 'utf8'));
  } catch {
    /* not built yet */
  }
  return {
    dirs,
    bin: {
      kubeApiserver: b('kube-apiserver'),
      kubeControllerManager: b('kube-controller-manager'),
      kubeScheduler: b('kube-scheduler'),
      etcd: b('etcd'),
      kwok: b('kwok'),
      coredns: b('coredns'),
      corednsMulticluster: exists(mc) && exists(stamp(dirs, 'coredns-multicluster')) ? mc : undefined,
    },
    kwokStages: b('kwok-stages.yaml'),
    kwokStorageClass: b('kwok-storage-class.yaml'),
    corednsMulticlusterError: exists(mcErr) ? fs.readFileSync(mcErr, 'utf8') : undefined,
    timings: {},
    goVersion: info.goVersion,
  };
}

/** True when every required component is in the cache (no Go needed to answer). */
export function isComplete(): boolean {
  const dirs = buildDirs();
  return COMPONENTS.filter((c) => !c.optional).every((c) => isBuilt(dirs, c));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A build lock so that two processes (e.g. two terminals) do not build into the same directory. */
async function withLock<T>(dirs: BuildDirs, log: Log, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(dirs.root, '.build.lock');
  fs.mkdirSync(dirs.root, { recursive: true });
  let warned = false;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const holder = Number(fs.readFileSync(lock, 'utf8')) || 0;
      if (!holder || !pidAlive(holder)) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (!warned) log(`waiting for another build (pid ${holder}) holding ${lock}`);
      warned = true;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** The environment every go command runs with: local toolchain only, static binaries, no VCS stamping, no workspace. */
function goEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
    GOFLAGS: '-trimpath -buildvcs=false',
    GOWORK: 'off',
    GO111MODULE: 'on',
  };
}


/**
 * Builds one component and writes its stamp; records its seconds in timings. An optional
 * component that fails is recorded in its error file instead of failing the build.
 */
async function buildComponent(c: Component, ctx: BuildContext, goVersion: string, timings: Record<string, number>): Promise<void> {
  const { dirs, log } = ctx;
  const mcErrFile = optionalErrorFile(dirs, c.name);
  const started = Date.now();
  log(`${c.name}: building (log: ${ctx.logFile})`);
  fs.rmSync(stamp(dirs, c.name), { force: true });
  try {
    await c.build(ctx);
    fs.writeFileSync(stamp(dirs, c.name), new Date().toISOString() + '\n');
    if (c.optional) fs.rmSync(mcErrFile, { force: true });
    timings[c.name] = (Date.now() - started) / 1000;
    log(`${c.name}: done in ${formatMinutes(timings[c.name])}`);
  } catch (e) {
    const msg = (e as Error).message;
    if (!c.optional) throw e;
    fs.writeFileSync(mcErrFile, `${new Date().toISOString()} ${goVersion}\n${msg}\n`);
    timings[c.name] = (Date.now() - started) / 1000;
    log(`${c.name}: optional component did not build; recorded in ${mcErrFile}; continuing without it.\n${msg}`);
  }
}

/** Writes <root>/build-info.json (timings merged with the earlier builds') and returns what it wrote. */
function writeBuildInfo(dirs: BuildDirs, goVersion: string, timings: Record<string, number>, t0: number) {
  let previous: { timings?: Record<string, number> } = {};
  try {
    previous = JSON.parse(fs.readFileSync(path.join(dirs.root, 'build-info.json'), 'utf8'));
  } catch {
    /* first build */
  }
  const info = {
    versions: VERSIONS,
    recipe: RECIPE_REVISION,
    goVersion,
    builtAt: new Date().toISOString(),
    /** seconds per component, from the call that built it */
    timings: { ...previous.timings, ...timings },
    totalSeconds: (Date.now() - t0) / 1000,
  };
  fs.writeFileSync(path.join(dirs.root, 'build-info.json'), JSON.stringify(info, null, 2) + '\n');
  return info;
}

/**
 * Builds whatever is missing from the cache and returns the binaries' paths. Needs Go only when
 * something is missing; throws MissingToolError naming `go` when it is absent.
 */
export async function ensureBuilt(opts: BuildOptions = {}): Promise<BuildResult> {
  const log = opts.log ?? defaultLog;
  const dirs = buildDirs();
  const todo = COMPONENTS.filter((c) => {
    if (opts.force) return true;
    if (isBuilt(dirs, c)) return false;
    if (c.optional && exists(optionalErrorFile(dirs, c.name)) && !opts.retryOptional) return false; // failure already recorded
    return true;
  });
  if (todo.length === 0) return cachedBuild();

  const go = findGo();
  const goVersion = goVersionOf(go);
  return withLock(dirs, log, async () => {
    fs.mkdirSync(dirs.bin, { recursive: true });
    fs.mkdirSync(dirs.src, { recursive: true });
    fs.mkdirSync(path.join(dirs.root, 'logs'), { recursive: true });
    const env = goEnv();
    const timings: Record<string, number> = {};
    const t0 = Date.now();
    log(`building into ${dirs.root} with ${goVersion} (${go}); components: ${todo.map((c) => c.name).join(', ')}`);
    for (const c of todo) {
      if (!opts.force && isBuilt(dirs, c)) continue; // built by another process meanwhile
      const logFile = path.join(dirs.root, 'logs', `${c.name}.log`);
      fs.writeFileSync(logFile, `# ${new Date().toISOString()} ${goVersion}\n`);
      await buildComponent(c, { go, env, dirs, log, logFile }, goVersion, timings);
    }
    const info = writeBuildInfo(dirs, goVersion, timings, t0);
    log(`build finished in ${formatMinutes(info.totalSeconds)} (${Object.entries(timings).map(([k, v]) => `${k} ${formatMinutes(v)}`).join(', ')})`);
    return { ...cachedBuild(), timings };
  });
}
