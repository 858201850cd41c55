/**
 * `npm run demo [-- --dist DIR | --gitops flux]`: the flags of the demo. `--dist` is read relative to the folder
 * npm was started in (INIT_CWD), since `npm run` itself runs in this repository.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface DemoArgs {
  /** A project's synth output; undefined: this repository's main.ts, synthesized by the demo. */
  readonly dist?: string;
  /** The GitOps engine that applies the fleet instead of `cdk8s-mcs apply`; undefined: apply. */
  readonly gitops?: GitOpsEngine;
  readonly help: boolean;
}

/** The engines the demo can run here. Argo CD is not one of them: docs/gitops.md says why. */
export const GITOPS_ENGINES = ['flux'] as const;
export type GitOpsEngine = typeof GITOPS_ENGINES[number];

export const DEMO_USAGE = `usage: npm run demo [-- --dist DIR | --gitops flux]

  (no flags)   the reference scenario (main.ts): synthesized, applied and resolved on two local clusters
  --dist DIR   your own fleet: the synth output of any cdk8s-mcs project (fleet.json, fleet.md, one folder
               per cluster), relative to the folder you run npm in. A bed with the fleet's cluster IDs,
               its StorageClasses and Secrets, apply, the runner, and every name of its fleet.md resolved
               by the consumer cluster's CoreDNS running the Corefile you applied
  --gitops flux
               the reference scenario through Git and Flux instead of apply: synthesized with GitOps.FLUX,
               committed to a Git server on 127.0.0.1, applied by Flux's controllers (built with the test
               bed), synced by the runner; then a commit scaling mysql to 3 replicas (mysql-2 resolves)
               and a commit removing the import (Flux prunes it, the runner removes its slices)
  --help       this text

Environment: DEMO_DIR (state, default .demo), DEMO_PORT_BASE (first port, default 27000; with
--gitops flux, Flux takes DEMO_PORT_BASE+900..904 and the Git server DEMO_PORT_BASE+910).
`;

export class DemoUsageError extends Error {}

export function parseDemoArgs(argv: readonly string[], cwd = process.env.INIT_CWD ?? process.cwd()): DemoArgs {
  let dist: string | undefined;
  let gitops: GitOpsEngine | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      help = true;
    } else if (a === '--dist' || a.startsWith('--dist=')) {
      const value = a === '--dist' ? argv[++i] : a.slice('--dist='.length);
      if (!value) {
        throw new DemoUsageError('--dist needs a folder, e.g. --dist ../my-fleet/dist');
      }
      dist = path.resolve(cwd, value);
    } else if (a === '--gitops' || a.startsWith('--gitops=')) {
      const value = a === '--gitops' ? argv[++i] : a.slice('--gitops='.length);
      if (!(GITOPS_ENGINES as readonly string[]).includes(value ?? '')) {
        throw new DemoUsageError(`--gitops ${value ?? ''}: the demo runs ${GITOPS_ENGINES.join(', ')} (Argo CD is not run here; docs/gitops.md says why). Try --gitops flux`);
      }
      gitops = value as GitOpsEngine;
    } else {
      throw new DemoUsageError(`unknown argument "${a}"; the demo takes --dist DIR, --gitops flux and --help`);
    }
  }
  if (dist !== undefined && gitops !== undefined) {
    throw new DemoUsageError('--dist and --gitops do not go together: --gitops runs the reference scenario (demo/flux-fleet.ts) through Git. Drop one of them');
  }
  if (dist !== undefined) {
    checkDist(dist);
  }
  return { dist, gitops, help };
}

/** A synth output: fleet.json and fleet.md, written by `npm run synth` of a cdk8s-mcs project. */
function checkDist(dist: string): void {
  if (!fs.existsSync(dist) || !fs.statSync(dist).isDirectory()) {
    throw new DemoUsageError(`--dist ${dist}: no such folder. Run \`npm run synth\` in your project and pass its dist folder`);
  }
  for (const file of ['fleet.json', 'fleet.md']) {
    if (!fs.existsSync(path.join(dist, file))) {
      throw new DemoUsageError(`--dist ${dist} has no ${file}: not the output of a cdk8s-mcs synth. Run \`npm run synth\` in your project (it writes dist/fleet.json and dist/fleet.md) and pass that dist folder`);
    }
  }
}
