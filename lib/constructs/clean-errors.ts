/**
 * Fleet errors without stack traces. Under `npm run synth` (cdk8s synth running `ts-node main.ts`)
 * a fleet problem used to reach the user between ~18 lines of frames of this library, main.ts and
 * ts-node. A Fleet installs, once per process, a handler for uncaught exceptions that prints an
 * error thrown by this library's input checks (a plain Error whose first frame is in this
 * library: the batched problem list, or a construct's input check, each naming the construct, the
 * value and the fix) as its message alone, and exits 1. Any other error is printed with its stack
 * as Node would. CDK8S_MCS_STACK=1 keeps Node's own handling (stack traces of everything).
 */
import * as path from 'node:path';

const INSTALLED = Symbol.for('cdk8s-mcs.clean-errors');
/** `lib/` in a checkout, `build/lib/` when installed. */
const LIBRARY_ROOT = path.resolve(__dirname, '..') + path.sep;

/** Installs the handler unless it is there (any copy of the library), the stack is asked for, or jest runs (it handles errors itself). */
export function installCleanErrors(env: NodeJS.ProcessEnv = process.env): void {
  const registry = globalThis as unknown as Record<symbol, boolean>;
  if (registry[INSTALLED] || env.CDK8S_MCS_STACK === '1' || env.JEST_WORKER_ID !== undefined) {
    return;
  }
  registry[INSTALLED] = true;
  process.on('uncaughtException', onUncaught);
}

function onUncaught(error: unknown): void {
  if (isLibraryInputError(error)) {
    process.stderr.write(`${cleanMessage(error)}\n`);
    process.exit(1);
  }
  if (process.listenerCount('uncaughtException') > 1) {
    return; // the program handles uncaught exceptions itself
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}

/** A plain Error thrown by this library's own code: a check of the fleet's input, not a bug elsewhere. */
export function isLibraryInputError(error: unknown): error is Error {
  if (!(error instanceof Error) || error.constructor !== Error) {
    return false;
  }
  const firstFrame = (error.stack ?? '').split('\n').find((line) => line.trimStart().startsWith('at '));
  return firstFrame !== undefined && firstFrame.includes(LIBRARY_ROOT);
}

/** The batched list as it is; a single construct's error as `error: <message>`. */
export function cleanMessage(error: Error): string {
  return /^the fleet has \d+ problems?/.test(error.message) ? error.message : `error: ${error.message}`;
}
