/** `cdk8s-mcs <command> [flags]`: the runner's command line. */
import { messageOf } from '../kube/errors';
import { helpText, parseArgs, UsageError } from './args';
import { CliIo, Command, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './command';
import { syncCommand } from './sync';

const COMMANDS: Command[] = [syncCommand];

/** Registers more commands (kept open so each command lives in its own module). */
export function registerCommand(command: Command): void {
  COMMANDS.push(command);
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length)) + 2;
  return `cdk8s-mcs: compile and run Kubernetes Multi-Cluster Services fleets\n\nUsage: cdk8s-mcs <command> [flags]\n\nCommands:\n${COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`).join('\n')}\n\nRun "cdk8s-mcs <command> --help" for a command's flags.\n`;
}

export async function main(argv: readonly string[], io: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name ? EXIT_OK : EXIT_USAGE;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
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
