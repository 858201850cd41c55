/**
 * Builds the test bed's binaries from Go modules into the versioned cache directory
 * (see versions.ts). Each component is skipped when its binaries and success stamp exist, so a
 * second run takes seconds.
 *
 *   kube-apiserver, kube-controller-manager, kube-scheduler  <- k8s.io/kubernetes (wrapper module,
 *                                                              staging replaces generated from the
 *                                                              release's own go.mod)
 *   etcd                                                     <- go.etcd.io/etcd/server/v3 (wrapper)
 *   kwok (+ kwok-stages.yaml, kwok-storage-class.yaml)       <- sigs.k8s.io/kwok
 *   coredns                                                  <- github.com/coredns/coredns
 *   coredns-multicluster (optional)                          <- coredns + github.com/coredns/multicluster
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildDirs, BuildDirs, RECIPE_REVISION, VERSIONS } from './versions';

export type Log = (line: string) => void;
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

export class MissingToolError extends Error {}

/** Finds the go binary: $GO, then PATH, then /usr/local/go/bin/go. Throws a clear error when absent. */
export function findGo(): string {
  const candidates: string[] = [];
  if (process.env.GO) candidates.push(process.env.GO);
  for (const dir of (process.env.PATH || '').split(path.delimiter)) if (dir) candidates.push(path.join(dir, 'go'));
  candidates.push('/usr/local/go/bin/go');
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      if (fs.statSync(c).isFile()) return c;
    } catch {
      /* next */
    }
  }
  throw new MissingToolError(
    'testbed: the Go toolchain is missing: `go` (>= 1.26) was not found on PATH, in $GO or at /usr/local/go/bin/go. ' +
      'It is needed to build kube-apiserver, kube-controller-manager, kube-scheduler, etcd, kwok and CoreDNS from Go modules ' +
      'into the test-bed cache. Install Go >= 1.26 (or set GO=/path/to/go) and retry.',
  );
}

function goVersionOf(go: string): string {
  const r = spawnSync(go, ['env', 'GOVERSION'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } });
  if (r.status !== 0) throw new MissingToolError(`testbed: \`${go} env GOVERSION\` failed: ${r.stderr || r.error}`);
  const v = r.stdout.trim();
  const m = /^go(\d+)\.(\d+)/.exec(v);
  if (!m || Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 26)) {
    throw new MissingToolError(`testbed: Go >= 1.26 is needed (k8s.io/kubernetes ${VERSIONS.kubernetes} and kwok ${VERSIONS.kwok} say go 1.26.0); found ${v} at ${go}`);
  }
  return v;
}

function stamp(dirs: BuildDirs, component: string): string {
  return path.join(dirs.bin, `.${component}.ok`);
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

interface Component {
  name: string;
  outputs: string[];
  optional?: boolean;
  build: (ctx: Ctx) => Promise<void>;
}

interface Ctx {
  go: string;
  env: NodeJS.ProcessEnv;
  dirs: BuildDirs;
  log: Log;
  logFile: string;
}

const fmt = (s: number) => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;

/**
 * Runs a go command, appending its output to ctx.logFile and printing a progress line every 15 s.
 * `total` (packages) turns `go build -v` output into a percentage.
 */
function runGo(ctx: Ctx, label: string, args: string[], cwd: string, opts: { env?: NodeJS.ProcessEnv; total?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    fs.appendFileSync(ctx.logFile, `\n$ (cd ${cwd} && go ${args.join(' ')})\n`);
    const child = spawn(ctx.go, args, { cwd, env: { ...ctx.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let tail: string[] = [];
    let compiled = 0;
    let downloads = 0;
    let partial = '';
    const onData = (buf: Buffer) => {
      const text = buf.toString();
      out += text;
      fs.appendFileSync(ctx.logFile, text);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        if (l.startsWith('go: downloading')) downloads++;
        else if (/^[\w./~-]+$/.test(l)) compiled++;
        tail.push(l);
      }
      if (tail.length > 80) tail = tail.slice(-80);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setInterval(() => {
      const secs = (Date.now() - started) / 1000;
      const parts = [`${label}: ${fmt(secs)} elapsed`];
      if (downloads) parts.push(`${downloads} modules downloaded`);
      if (compiled) parts.push(opts.total ? `${compiled}/${opts.total} packages compiled (~${Math.min(99, Math.round((100 * compiled) / opts.total))}%)` : `${compiled} packages compiled`);
      ctx.log(parts.join(', '));
    }, 15000);
    child.on('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) resolve(out);
      else {
        const err = new Error(`${label}: \`go ${args.join(' ')}\` in ${cwd} failed (exit ${code}). Last output:\n${tail.join('\n')}\n(full log: ${ctx.logFile})`);
        (err as Error & { output?: string }).output = out;
        reject(err);
      }
    });
  });
}

async function countDeps(ctx: Ctx, cwd: string, pkgs: string[]): Promise<number | undefined> {
  try {
    const out = await runGo(ctx, 'go list', ['list', '-deps', ...pkgs], cwd);
    return out.split('\n').filter((l) => l && !l.startsWith('go:')).length;
  } catch {
    return undefined;
  }
}

function freshDir(d: string) {
  fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(d, { recursive: true });
}

function goModDownloadJson(ctx: Ctx, mod: string, cwd: string): Promise<{ Dir: string; GoMod: string }> {
  return runGo(ctx, `download ${mod}`, ['mod', 'download', '-json', mod], cwd).then((out) => JSON.parse(out.slice(out.indexOf('{'))));
}

/** Moves finished binaries from a temporary output dir into bin/ (so bin/ never holds a half-written file). */
function install(tmpDir: string, dirs: BuildDirs, names: string[]) {
  for (const n of names) fs.renameSync(path.join(tmpDir, n), path.join(dirs.bin, n));
  fs.rmSync(tmpDir, { recursive: true, force: true });
}

const k8sComponent: Component = {
  name: 'kubernetes',
  outputs: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
  async build(ctx) {
    const K8S = VERSIONS.kubernetes;
    const m = /^v1\.(\d+)\.(\d+)$/.exec(K8S);
    if (!m) throw new Error(`unexpected kubernetes version ${K8S}`);
    const staging = `v0.${m[1]}.${m[2]}`;
    const dir = path.join(ctx.dirs.src, 'k8s');
    freshDir(dir);
    await runGo(ctx, 'k8s: go mod init', ['mod', 'init', 'testbed/k8sbins'], dir);
    await runGo(ctx, 'k8s: go mod edit', ['mod', 'edit', '-go=1.26.0', '-godebug=default=go1.26'], dir);
    // The staging list comes from the release's own go.mod (fetched through the module proxy):
    // every `k8s.io/<m> => ./staging/src/k8s.io/<m>` becomes `k8s.io/<m> => k8s.io/<m> v0.<minor>.<patch>`.
    const dl = await goModDownloadJson(ctx, `k8s.io/kubernetes@${K8S}`, dir);
    const upstream = fs.readFileSync(dl.GoMod, 'utf8');
    const mods = [...new Set([...upstream.matchAll(/^\s*(k8s\.io\/[A-Za-z0-9._-]+)\s+=>\s+\.\/staging\//gm)].map((x) => x[1]))].sort();
    if (mods.length < 20) throw new Error(`k8s: found only ${mods.length} staging replaces in ${dl.GoMod}; the release's go.mod layout changed?`);
    ctx.log(`k8s: ${mods.length} staging modules from k8s.io/kubernetes@${K8S}'s go.mod -> ${staging}`);
    await runGo(ctx, 'k8s: go mod edit', ['mod', 'edit', ...mods.map((x) => `-replace=${x}=${x}@${staging}`), `-require=k8s.io/kubernetes@${K8S}`], dir);
    fs.writeFileSync(
      path.join(dir, 'tools.go'),
      '//go:build tools\n\npackage tools\n\nimport (\n' +
        '\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n\t_ "k8s.io/kubernetes/cmd/kube-controller-manager"\n\t_ "k8s.io/kubernetes/cmd/kube-scheduler"\n)\n',
    );
    await runGo(ctx, 'k8s: go mod tidy (downloads ~1 GB of modules on a cold cache)', ['mod', 'tidy'], dir);
    const pkgs = ['k8s.io/kubernetes/cmd/kube-apiserver', 'k8s.io/kubernetes/cmd/kube-controller-manager', 'k8s.io/kubernetes/cmd/kube-scheduler'];
    const total = await countDeps(ctx, dir, pkgs);
    const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const ld = ['-s', '-w'];
    for (const p of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
      ld.push(`-X ${p}.gitVersion=${K8S}`, `-X ${p}.gitMajor=1`, `-X ${p}.gitMinor=${m[1]}`, `-X ${p}.gitTreeState=clean`, `-X ${p}.buildDate=${date}`);
    }
    const tmp = path.join(ctx.dirs.bin, '.tmp-k8s');
    freshDir(tmp);
    ctx.log(`k8s: compiling kube-apiserver, kube-controller-manager, kube-scheduler (${total ?? '?'} packages; ~10 min cold on 2 cores)`);
    await runGo(ctx, 'k8s: go build', ['build', '-v', '-ldflags', ld.join(' '), '-o', tmp + '/', ...pkgs], dir, { total });
    install(tmp, ctx.dirs, this.outputs);
  },
};

const etcdComponent: Component = {
  name: 'etcd',
  outputs: ['etcd'],
  async build(ctx) {
    // `go install go.etcd.io/etcd/server/v3@...` is refused (its go.mod has replace directives);
    // a wrapper main calling etcdmain.Main needs none, the sibling modules are tagged alike.
    const dir = path.join(ctx.dirs.src, 'etcd');
    freshDir(dir);
    fs.writeFileSync(
      path.join(dir, 'main.go'),
      'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n',
    );
    await runGo(ctx, 'etcd: go mod init', ['mod', 'init', 'testbed/etcdbin'], dir);
    await runGo(ctx, 'etcd: go get', ['get', `go.etcd.io/etcd/server/v3@${VERSIONS.etcd}`], dir);
    await runGo(ctx, 'etcd: go mod tidy', ['mod', 'tidy'], dir);
    const total = await countDeps(ctx, dir, ['.']);
    const tmp = path.join(ctx.dirs.bin, '.tmp-etcd');
    freshDir(tmp);
    await runGo(ctx, 'etcd: go build', ['build', '-v', '-ldflags', '-s -w', '-o', path.join(tmp, 'etcd'), '.'], dir, { total });
    install(tmp, ctx.dirs, this.outputs);
  },
};

/** Stage files shipped in the kwok module, concatenated into one --config file. */
const KWOK_STAGES = [
  'kustomize/stage/node/fast/node-initialize.yaml',
  'kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'kustomize/stage/pod/fast/pod-ready.yaml',
  'kustomize/stage/pod/fast/pod-complete.yaml',
  'kustomize/stage/pod/fast/pod-delete.yaml',
  'kustomize/stage/volume/fast/pvc-provision.yaml',
  'kustomize/stage/volume/fast/pv-bind.yaml',
  'kustomize/stage/volume/fast/pvc-delete.yaml',
  'kustomize/stage/volume/fast/pv-delete.yaml',
];

const kwokComponent: Component = {
  name: 'kwok',
  outputs: ['kwok', 'kwok-stages.yaml', 'kwok-storage-class.yaml'],
  async build(ctx) {
    const tmp = path.join(ctx.dirs.bin, '.tmp-kwok');
    freshDir(tmp);
    const mod = `sigs.k8s.io/kwok@${VERSIONS.kwok}`;
    await runGo(ctx, 'kwok: go install', ['install', '-v', '-ldflags', '-s -w', `sigs.k8s.io/kwok/cmd/kwok@${VERSIONS.kwok}`], tmp, { env: { GOBIN: tmp } });
    const dl = await goModDownloadJson(ctx, mod, tmp);
    const stages = KWOK_STAGES.map((f) => `# from ${mod}/${f}\n` + fs.readFileSync(path.join(dl.Dir, f), 'utf8').trim() + '\n');
    fs.writeFileSync(path.join(tmp, 'kwok-stages.yaml'), stages.join('---\n'));
    fs.copyFileSync(path.join(dl.Dir, 'kustomize/stage/volume/fast/storage-class.yaml'), path.join(tmp, 'kwok-storage-class.yaml'));
    install(tmp, ctx.dirs, this.outputs);
  },
};

const corednsComponent: Component = {
  name: 'coredns',
  outputs: ['coredns'],
  async build(ctx) {
    const tmp = path.join(ctx.dirs.bin, '.tmp-coredns');
    freshDir(tmp);
    await runGo(ctx, 'coredns: go install', ['install', '-v', '-ldflags', '-s -w', `github.com/coredns/coredns@${VERSIONS.coredns}`], tmp, { env: { GOBIN: tmp } });
    install(tmp, ctx.dirs, this.outputs);
  },
};

const corednsMcComponent: Component = {
  name: 'coredns-multicluster',
  outputs: ['coredns-multicluster'],
  optional: true,
  async build(ctx) {
    // Stock CoreDNS plus the external github.com/coredns/multicluster plugin, ordered right
    // before `kubernetes` in the plugin chain (what its README asks for in plugin.cfg).
    const dir = path.join(ctx.dirs.src, 'coredns-multicluster');
    freshDir(dir);
    fs.writeFileSync(
      path.join(dir, 'main.go'),
      `package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	_ "github.com/coredns/coredns/core/plugin"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/multicluster"
)

// Put "multicluster" right before "kubernetes" in the directive (plugin chain) order.
func init() {
	out := make([]string, 0, len(dnsserver.Directives)+1)
	for _, d := range dnsserver.Directives {
		if d == "kubernetes" {
			out = append(out, "multicluster")
		}
		out = append(out, d)
	}
	dnsserver.Directives = out
}

func main() { coremain.Run() }
`,
    );
    // Only the Go module proxy may be used. On this project's machines it answers 403 "This module
    // version is not available" for github.com/coredns/multicluster (no tags; every query refused),
    // so this optional build fails there, its error is recorded, and the bed offers stock CoreDNS
    // only. Where the proxy serves the module, the build works unchanged.
    await runGo(ctx, 'coredns-multicluster: go mod init', ['mod', 'init', 'testbed/corednsmc'], dir);
    await runGo(ctx, 'coredns-multicluster: go mod edit', ['mod', 'edit', '-go=1.26.0'], dir);
    await runGo(ctx, 'coredns-multicluster: go get plugin', ['get', `github.com/coredns/multicluster@${VERSIONS.corednsMulticluster}`], dir);
    await runGo(ctx, 'coredns-multicluster: go get coredns', ['get', `github.com/coredns/coredns@${VERSIONS.coredns}`], dir);
    await runGo(ctx, 'coredns-multicluster: go mod tidy', ['mod', 'tidy'], dir);
    const tmp = path.join(ctx.dirs.bin, '.tmp-coredns-multicluster');
    freshDir(tmp);
    await runGo(ctx, 'coredns-multicluster: go build', ['build', '-v', '-ldflags', '-s -w', '-o', path.join(tmp, 'coredns-multicluster'), '.'], dir);
    install(tmp, ctx.dirs, this.outputs);
  },
};

export const COMPONENTS: Component[] = [k8sComponent, etcdComponent, kwokComponent, corednsComponent, corednsMcComponent];

function isBuilt(dirs: BuildDirs, c: Component): boolean {
  return exists(stamp(dirs, c.name)) && c.outputs.every((o) => exists(path.join(dirs.bin, o)));
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

/**
 * Builds whatever is missing from the cache and returns the binaries' paths. Needs Go only when
 * something is missing; throws MissingToolError naming `go` when it is absent.
 */
export async function ensureBuilt(opts: BuildOptions = {}): Promise<BuildResult> {
  const log = opts.log ?? defaultLog;
  const dirs = buildDirs();
  const mcErrFile = path.join(dirs.bin, 'coredns-multicluster.error.txt');
  const todo = COMPONENTS.filter((c) => {
    if (opts.force) return true;
    if (isBuilt(dirs, c)) return false;
    if (c.optional && exists(mcErrFile) && !opts.retryOptional) return false; // failure already recorded
    return true;
  });
  if (todo.length === 0) return cachedBuild();

  const go = findGo();
  const goVersion = goVersionOf(go);
  return withLock(dirs, log, async () => {
    fs.mkdirSync(dirs.bin, { recursive: true });
    fs.mkdirSync(dirs.src, { recursive: true });
    fs.mkdirSync(path.join(dirs.root, 'logs'), { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GOTOOLCHAIN: 'local',
      CGO_ENABLED: '0',
      GOFLAGS: '-trimpath -buildvcs=false',
      GOWORK: 'off',
      GO111MODULE: 'on',
    };
    const timings: Record<string, number> = {};
    const t0 = Date.now();
    log(`building into ${dirs.root} with ${goVersion} (${go}); components: ${todo.map((c) => c.name).join(', ')}`);
    for (const c of todo) {
      if (!opts.force && isBuilt(dirs, c)) continue; // built by another process meanwhile
      const logFile = path.join(dirs.root, 'logs', `${c.name}.log`);
      fs.writeFileSync(logFile, `# ${new Date().toISOString()} ${goVersion}\n`);
      const ctx: Ctx = { go, env, dirs, log, logFile };
      const started = Date.now();
      log(`${c.name}: building (log: ${logFile})`);
      fs.rmSync(stamp(dirs, c.name), { force: true });
      try {
        await c.build(ctx);
        fs.writeFileSync(stamp(dirs, c.name), new Date().toISOString() + '\n');
        if (c.optional) fs.rmSync(mcErrFile, { force: true });
        timings[c.name] = (Date.now() - started) / 1000;
        log(`${c.name}: done in ${fmt(timings[c.name])}`);
      } catch (e) {
        const msg = (e as Error).message;
        if (!c.optional) throw e;
        fs.writeFileSync(mcErrFile, `${new Date().toISOString()} ${goVersion}\n${msg}\n`);
        timings[c.name] = (Date.now() - started) / 1000;
        log(`${c.name}: optional component did not build; recorded in ${mcErrFile}; continuing with stock CoreDNS only.\n${msg}`);
      }
    }
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
    log(`build finished in ${fmt(info.totalSeconds)} (${Object.entries(timings).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')})`);
    return { ...cachedBuild(), timings };
  });
}
