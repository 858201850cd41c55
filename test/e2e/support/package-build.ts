/**
 * The package as the Dockerfile builds and installs it, without a container engine: the build
 * context is what .dockerignore lets through, the build is `npm run build` + `npm pack`, and the
 * install is `npm install --omit=dev` of the tarball into an empty folder. A copy of the checkout
 * is built, so a test never writes build/ in the repository.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO = path.join(__dirname, '..', '..', '..');
export const NPM_QUIET = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

/**
 * The environment of a user's shell: this process's, without what jest adds (a child that
 * inherited JEST_WORKER_ID would take itself for a jest worker: cdk8s-mcs then leaves uncaught
 * errors to jest and prints their stack).
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', ...extra };
  delete env.JEST_WORKER_ID;
  return env;
}

/** Runs a command in a user's environment (plus `env`); on failure the error carries its output. */
export function sh(cwd: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(command, [...args], { cwd, encoding: 'utf8', stdio: 'pipe', env: userEnv(env), timeout: 900_000 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

/** The top-level entries .dockerignore lets into the build context (`*` then `!entry` lines). */
export function dockerBuildContext(): string[] {
  const lines = fs.readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines[0] !== '*') {
    throw new Error('.dockerignore must start with "*" and list what the build needs as "!path" lines');
  }
  return lines.slice(1).map((l) => l.replace(/^!/, '').replace(/\/$/, ''));
}

/** The Dockerfile's build stage: the build context copied into `work/package-src`, built and packed; returns the tarball. */
export function packLikeTheImage(work: string): string {
  const copy = path.join(work, 'package-src');
  for (const entry of dockerBuildContext()) {
    fs.cpSync(path.join(REPO, entry), path.join(copy, entry), { recursive: true });
  }
  // the build stage's `npm ci` installs exactly the lockfile's packages; the checkout already has them
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'));
  sh(copy, 'npm', ['run', 'build', '--loglevel=error']);
  const out = sh(copy, 'npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--loglevel=error']).trim().split('\n').pop() as string;
  return path.join(work, out);
}

/** The Dockerfile's install stage: the tarball with production dependencies only, into the empty folder `dir`. */
export function installProduction(tarball: string, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0) {
    throw new Error(`${dir} is not empty`);
  }
  sh(dir, 'npm', ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock', ...NPM_QUIET, tarball]);
}
