/**
 * The Go toolchain for the test-bed build: finding `go`, checking its version, and running go
 * commands with their output in a log file and a progress line every 15 s.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BuildDirs, VERSIONS } from './versions';

export type Log = (line: string) => void;

export class MissingToolError extends Error {}

/** What a component's build runs with. */
export interface BuildContext {
  go: string;
  env: NodeJS.ProcessEnv;
  dirs: BuildDirs;
  log: Log;
  /** every go command's output is appended here */
  logFile: string;
}

export interface RunGoOptions {
  /** directory the command runs in */
  cwd: string;
  /** added to the context's environment */
  env?: NodeJS.ProcessEnv;
  /** packages `go build -v` will compile, for a percentage in the progress line */
  total?: number;
}

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

export function goVersionOf(go: string): string {
  const r = spawnSync(go, ['env', 'GOVERSION'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } });
  if (r.status !== 0) throw new MissingToolError(`testbed: \`${go} env GOVERSION\` failed: ${r.stderr || r.error}`);
  const v = r.stdout.trim();
  const m = /^go(\d+)\.(\d+)/.exec(v);
  if (!m || Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 26)) {
    throw new MissingToolError(`testbed: Go >= 1.26 is needed (k8s.io/kubernetes ${VERSIONS.kubernetes} and kwok ${VERSIONS.kwok} say go 1.26.0); found ${v} at ${go}`);
  }
  return v;
}

/** Seconds as `<m>m<ss>s`. */
export const formatMinutes = (s: number) => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;

/**
 * Runs a go command, appending its output to ctx.logFile and printing a progress line every 15 s.
 * `total` (packages) turns `go build -v` output into a percentage.
 */
export function runGo(ctx: BuildContext, label: string, args: string[], opts: RunGoOptions): Promise<string> {
  const { cwd } = opts;
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
      const parts = [`${label}: ${formatMinutes(secs)} elapsed`];
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

/** How many packages `go list -deps` says pkgs need (undefined when it fails). */
export async function countDeps(ctx: BuildContext, cwd: string, pkgs: string[]): Promise<number | undefined> {
  try {
    const out = await runGo(ctx, 'go list', ['list', '-deps', ...pkgs], { cwd });
    return out.split('\n').filter((l) => l && !l.startsWith('go:')).length;
  } catch {
    return undefined;
  }
}

export function goModDownloadJson(ctx: BuildContext, mod: string, cwd: string): Promise<{ Dir: string; GoMod: string }> {
  return runGo(ctx, `download ${mod}`, ['mod', 'download', '-json', mod], { cwd }).then((out) => JSON.parse(out.slice(out.indexOf('{'))));
}

/**
 * A wrapper module in `dir` for building `module@version` whose go.mod replaces some of its own
 * modules with local folders the module zip lacks: the release's go.mod under the module path
 * `name` (same requirements, same non-local replaces), every `=> ./...` replace dropped, its
 * go.sum, `require module@version`, and `replaces` (module -> version) for what the proxy refuses.
 * Returns the downloaded module's folder (its CRDs and scripts are read from there).
 */
export async function writeWrapperModule(ctx: BuildContext, o: { module: string; version: string; name: string; dir: string; replaces: Record<string, string> }): Promise<string> {
  fs.rmSync(o.dir, { recursive: true, force: true });
  fs.mkdirSync(o.dir, { recursive: true });
  const dl = await goModDownloadJson(ctx, `${o.module}@${o.version}`, o.dir);
  const goMod = fs.readFileSync(path.join(dl.Dir, 'go.mod'), 'utf8')
    .replace(/^module .*$/m, `module ${o.name}`)
    .split('\n')
    .filter((l) => !/=>\s*\.\.?\//.test(l))
    .join('\n');
  fs.writeFileSync(path.join(o.dir, 'go.mod'), goMod);
  fs.copyFileSync(path.join(dl.Dir, 'go.sum'), path.join(o.dir, 'go.sum'));
  fs.chmodSync(path.join(o.dir, 'go.sum'), 0o644);
  const edits = [`-require=${o.module}@${o.version}`, ...Object.entries(o.replaces).map(([m, v]) => `-replace=${m}=${m}@${v}`)];
  await runGo(ctx, `${o.name}: go mod edit`, ['mod', 'edit', ...edits], { cwd: o.dir });
  return dl.Dir;
}
