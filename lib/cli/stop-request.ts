/**
 * When a long-running command (`sync`) should stop: on SIGINT or SIGTERM, and also when the npm
 * process that started it (`npx cdk8s-mcs sync`, `npm run sync`) is gone. npm runs the command
 * through `sh -c`; on SIGTERM npm and that shell exit without passing the signal on, so
 * `npx cdk8s-mcs sync & ... kill $!` used to leave the runner running, orphaned, and logging
 * against clusters that were gone. A runner not started through npm (a container, systemd,
 * `node_modules/.bin/cdk8s-mcs sync`, nohup) is never stopped this way.
 */
import * as fs from 'node:fs';

export interface StopRequestOptions {
  /** Told why the command stops when it is not a signal. */
  readonly onOrphaned?: (why: string) => void;
  /** @default 500 */
  readonly pollMs?: number;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Resolves with the reason (`SIGINT`, `SIGTERM`, or why the npm parent counts as gone); cleans up its listeners. */
export function untilStopRequested(o: StopRequestOptions = {}): Promise<string> {
  return new Promise((resolve) => {
    const watch = startedByNpm(o.env ?? process.env) ? npmParentWatch() : undefined;
    let timer: NodeJS.Timeout | undefined;
    const done = (why: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (timer) clearInterval(timer);
      resolve(why);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    if (watch) {
      timer = setInterval(() => {
        const gone = watch();
        if (gone) {
          o.onOrphaned?.(gone);
          done(gone);
        }
      }, o.pollMs ?? 500);
    }
  });
}

/** npm sets npm_command (`exec` for npx, `run-script` for npm run) in the environment of what it runs. */
export function startedByNpm(env: NodeJS.ProcessEnv): boolean {
  return env.npm_command !== undefined || env.npm_lifecycle_event !== undefined;
}

/**
 * A check that returns why the npm process that started this one is gone, or undefined while it
 * lives: this process was re-parented (its shell exited), or (Linux) the nearest npm ancestor exited.
 */
export function npmParentWatch(ppid: () => number = () => process.ppid): () => string | undefined {
  const firstParent = ppid();
  const npmPid = npmAncestor(firstParent);
  return () => {
    if (ppid() !== firstParent) {
      return `the process that started it (pid ${firstParent}, through npm) exited without passing a signal on`;
    }
    if (npmPid !== undefined && !alive(npmPid)) {
      return `npm (pid ${npmPid}), which started it, exited without passing a signal on`;
    }
    return undefined;
  };
}

/** The nearest ancestor (up to 4 levels) whose command line is npm's, from /proc; undefined elsewhere. */
function npmAncestor(start: number): number | undefined {
  let pid = start;
  for (let level = 0; level < 4 && pid > 1; level++) {
    const cmdline = read(`/proc/${pid}/cmdline`)?.split('\0') ?? [];
    if (cmdline.some((arg) => /(^|\/)(npm|npx)(-cli\.js)?$/.test(arg))) {
      return pid;
    }
    const stat = read(`/proc/${pid}/stat`);
    pid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : 0;
  }
  return undefined;
}

function alive(pid: number): boolean {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
