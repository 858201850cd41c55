import { CommandSpec, ParsedArgs } from './args';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** A `cdk8s-mcs` sub-command. `run` returns the process exit code. */
export interface Command {
  readonly spec: CommandSpec;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
