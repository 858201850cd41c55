/**
 * What a newcomer does before running anything: `npm pack` of this checkout (a copy, so the build
 * prepack runs never touches the repository), then a project made by `cdk8s-mcs init` from that
 * tarball and installed with `npm install`; cdk8s-mcs comes from the tarball, never a registry.
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dockerBuildContext, REPO, sh, userEnv } from './package-build';

export { NPM_QUIET, REPO, sh, userEnv } from './package-build';

/** Runs a command that may fail: status and both outputs. */
export function run(cwd: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 900_000): SpawnSyncReturns<string> {
  return spawnSync(command, [...args], { cwd, encoding: 'utf8', env: userEnv(env), timeout: timeoutMs });
}

/**
 * `npm pack` of a copy of the checkout into `work` (its prepack builds, as in a clone); returns the
 * tarball. The copy holds what the image's build stage gets too (.dockerignore), node_modules linked.
 */
export function packCheckout(work: string): string {
  const copy = path.join(work, 'cdk8s-mcs');
  for (const entry of dockerBuildContext()) {
    fs.cpSync(path.join(REPO, entry), path.join(copy, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'));
  const out = sh(copy, 'npm', ['pack', '--pack-destination', work, '--loglevel=error']).trim().split('\n').pop() as string;
  return path.join(work, out);
}
