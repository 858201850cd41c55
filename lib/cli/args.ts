/** A small, strict command-line parser: `--name value`, `--name=value`, boolean `--flag`, and `--help`. */

export interface FlagSpec {
  readonly name: string;
  readonly description: string;
  /** Boolean flags take no value. */
  readonly boolean?: boolean;
  /** Shown in help as the value placeholder. */
  readonly value?: string;
  readonly default?: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
}

export interface ParsedArgs {
  readonly flags: Readonly<Record<string, string | boolean>>;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

/** Thrown for bad usage; the CLI prints it with the command's usage and exits 2. */
export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const flags: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const flag = spec.flags.find((f) => f.name === name);
    if (!flag) {
      throw new UsageError(`unknown flag --${name} for "${spec.name}" (flags: ${spec.flags.map((f) => `--${f.name}`).join(', ')})`);
    }
    if (flag.boolean) {
      flags[name] = inline === undefined ? true : inline !== 'false';
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`flag --${name} needs a value (${flag.value ?? 'value'})`);
    }
    flags[name] = value;
  }
  for (const f of spec.flags) {
    if (f.default !== undefined && flags[f.name] === undefined) {
      flags[f.name] = f.default;
    }
  }
  return { flags, positionals, help };
}

export function helpText(spec: CommandSpec): string {
  const width = Math.max(...spec.flags.map((f) => f.name.length + (f.value ? f.value.length + 1 : 0)), 10) + 4;
  const lines = spec.flags.map((f) => {
    const left = `--${f.name}${f.value ? ` ${f.value}` : ''}`;
    return `  ${left.padEnd(width)}${f.description}${f.default !== undefined ? ` (default: ${f.default})` : ''}`;
  });
  return `${spec.summary}\n\nUsage: ${spec.usage}\n\nFlags:\n${lines.join('\n')}\n  ${'--help'.padEnd(width)}Show this help\n`;
}

/** `a=b,c=d` -> { a: 'b', c: 'd' } */
export function parseMap(value: string | undefined, flag: string): Record<string, string> {
  if (!value) {
    return {};
  }
  const out: Record<string, string> = {};
  for (const pair of value.split(',').filter(Boolean)) {
    const [k, v] = pair.split('=');
    if (!k || !v) {
      throw new UsageError(`--${flag} expects cluster=context pairs separated by commas, got "${pair}"`);
    }
    out[k] = v;
  }
  return out;
}

/** `30s`, `2m`, `1500ms`, `60` (seconds) -> milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) {
    throw new UsageError(`--${flag} expects a duration such as 30s, 2m or 1500ms, got "${value}"`);
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}
