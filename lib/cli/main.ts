/**
 * `cdk8s-mcs <command> [flags]`: the one registry of commands and the dispatch to them. A command
 * is registered by one line in COMMANDS, not by importing its module for a side effect, so what
 * the CLI offers is what this file says.
 */
import { messageOf } from '../kube/errors';
import { applyCommand } from './apply';
import { helpText, parseArgs, UsageError } from './args';
import { CliIo, Command, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './command';
import { corefileCommand } from './corefile';
import { diffCommand } from './diff';
import { initCommand } from './init';
import { kubeconfigCommand } from './kubeconfig';
import { preflightCommand } from './preflight';
import { statusCommand } from './status';
import { syncCommand } from './sync';

/** Every command, in the order `cdk8s-mcs --help` lists them. */
export const COMMANDS: readonly Command[] = [
  syncCommand,
  kubeconfigCommand,
  applyCommand,
  diffCommand,
  corefileCommand,
  preflightCommand,
  statusCommand,
  initCommand,
];

const PROCESS_IO: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length)) + 2;
  return `cdk8s-mcs: compile and run Kubernetes Multi-Cluster Services fleets\n\nUsage: cdk8s-mcs <command> [flags]\n\nCommands:\n${COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`).join('\n')}\n\nRun "cdk8s-mcs <command> --help" for a command's flags.\n`;
}

/** The registered command of that name. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.spec.name === name);
}

/** Runs `cdk8s-mcs <argv>`; resolves to the exit code (0 ok, 1 failed, 2 bad usage; commands may define more). */
export async function main(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && rest[0] ? findCommand(rest[0]) : undefined;
    io.stdout(topic ? helpText(topic.spec) : usage());
    return name ? EXIT_OK : EXIT_USAGE;
  }
  const command = findCommand(name);
  if (!command) {
    io.stderr(`unknown command "${name}"\n\n${usage()}`);
    return EXIT_USAGE;
  }
  try {
    const args = parseArgs(rest, command.spec);
    if (args.help) {
      io.stdout(helpText(command.spec));
      return EXIT_OK;
    }
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`error: ${e.message}\n\n${helpText(command.spec)}`);
      return EXIT_USAGE;
    }
    io.stderr(`error: ${messageOf(e)}\n`);
    return EXIT_FAILED;
  }
}
