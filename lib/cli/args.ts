/**
 * Command-line parsing on Node's `util.parseArgs` (it splits `--name value`, `--name=value`, `-h`
 * and `--`), plus what it leaves to us: every flag checked against the command's spec at parse
 * time (unknown flags, missing values, flags given twice, integers, durations, choices, maps), so
 * a bad value stops the command with exit 2 before it connects to anything.
 */
import { parseArgs as tokenize } from 'node:util';
import { parseChoice, parseDuration, parseInteger, parseList, parseMap } from './flag-values';
import { UsageError } from './usage-error';

export { UsageError } from './usage-error';
export { parseChoice, parseDuration, parseInteger, parseList, parseMap } from './flag-values';

/** What a flag's value must look like; checked before the command runs. */
export type FlagKind = 'string' | 'boolean' | 'integer' | 'duration' | 'choice' | 'map' | 'list';

export interface FlagSpec {
  readonly name: string;
  readonly description: string;
  /** Boolean flags take no value (same as `kind: 'boolean'`). */
  readonly boolean?: boolean;
  /** @default 'boolean' with `boolean: true`, else 'string' (any value) */
  readonly kind?: FlagKind;
  /** `kind: 'choice'`: the accepted words. */
  readonly choices?: readonly string[];
  /** `kind: 'integer'`: the smallest accepted value. */
  readonly min?: number;
  /** `kind: 'integer'`: the largest accepted value. */
  readonly max?: number;
  /** Shown in help as the value placeholder (`kind: 'map'`: the form of one pair, e.g. `ID=CTX`). */
  readonly value?: string;
  readonly default?: string;
  /** The command cannot run without it. */
  readonly required?: boolean;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  /** Words the command takes besides flags, for help (e.g. `pull`); without it, any such word is refused. */
  readonly positionals?: string;
}

export interface ParsedArgs {
  /** Flag values as given (validated), defaults filled in; boolean flags are `true` or `false`. */
  readonly flags: Readonly<Record<string, string | boolean>>;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

const isBoolean = (f: FlagSpec) => f.boolean === true || f.kind === 'boolean';

/** Throws a UsageError naming the flag, the value and the expected form when `value` does not fit `flag`. */
export function checkFlagValue(flag: FlagSpec, value: string): void {
  switch (flag.kind) {
    case 'integer':
      parseInteger(value, flag.name, flag);
      break;
    case 'duration':
      parseDuration(value, flag.name);
      break;
    case 'choice':
      parseChoice(value, flag.name, flag.choices ?? []);
      break;
    case 'map':
      parseMap(value, flag.name, flag.value?.replace(/,\.\.\.$/, ''));
      break;
    case 'list':
      parseList(value, flag.name, flag.value?.replace(/,\.\.\.$/, ''));
      break;
    default:
      break;
  }
}

function flagList(spec: CommandSpec): string {
  return [...spec.flags.map((f) => `--${f.name}`), '--help'].join(', ');
}

/** The value of one option token, checked; `undefined` value means the flag was given bare. */
function optionValue(spec: CommandSpec, flag: FlagSpec, token: { rawName: string; value?: string; inlineValue?: boolean }): string | boolean {
  if (isBoolean(flag)) {
    if (token.value === undefined) {
      return true;
    }
    if (token.value !== 'true' && token.value !== 'false') {
      throw new UsageError(`--${flag.name} is a switch: give it bare, or as --${flag.name}=true / --${flag.name}=false, got "${token.value}"`);
    }
    return token.value === 'true';
  }
  if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
    throw new UsageError(`--${flag.name} needs a value (${flag.value ?? 'value'})${token.value ? `, got the flag ${token.value}` : ''}; "${spec.name} --help" lists the flags`);
  }
  checkFlagValue(flag, token.value);
  return token.value;
}

export function parseArgs(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const options = Object.fromEntries(spec.flags.map((f) => [f.name, { type: isBoolean(f) ? ('boolean' as const) : ('string' as const) }]));
  const { tokens } = tokenize({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: false, allowPositionals: true, tokens: true });
  const flags: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  let help = false;
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
    } else if (token.kind === 'option' && token.name === 'help') {
      help = true;
    } else if (token.kind === 'option') {
      const flag = spec.flags.find((f) => f.name === token.name);
      if (!flag) {
        throw new UsageError(`unknown flag ${token.rawName} for "${spec.name}" (flags: ${flagList(spec)})`);
      }
      if (Object.hasOwn(flags, flag.name)) {
        throw new UsageError(`--${flag.name} is given twice; give it once`);
      }
      flags[flag.name] = optionValue(spec, flag, token);
    }
  }
  if (help) {
    return { flags, positionals, help };
  }
  if (positionals.length > 0 && spec.positionals === undefined) {
    throw new UsageError(`unexpected argument "${positionals[0]}": "${spec.name}" takes flags only (flags: ${flagList(spec)})`);
  }
  for (const f of spec.flags) {
    if (flags[f.name] === undefined && f.default !== undefined) {
      flags[f.name] = f.default;
    }
    if (flags[f.name] === undefined && f.required) {
      throw new UsageError(`--${f.name} is required: ${f.description}`);
    }
  }
  return { flags, positionals, help };
}

function placeholder(f: FlagSpec): string {
  if (isBoolean(f)) {
    return '';
  }
  return f.value ?? (f.kind === 'choice' ? (f.choices ?? []).join('|') : 'VALUE');
}

export function helpText(spec: CommandSpec): string {
  const left = (f: FlagSpec) => `--${f.name}${placeholder(f) ? ` ${placeholder(f)}` : ''}`;
  const width = Math.max(...spec.flags.map((f) => left(f).length - 2), 10) + 4;
  const lines = spec.flags.map((f) => `  ${left(f).padEnd(width)}${f.description}${f.required ? ' (required)' : ''}${f.default !== undefined ? ` (default: ${f.default})` : ''}`);
  return `${spec.summary}\n\nUsage: ${spec.usage}\n\nFlags:\n${lines.join('\n')}\n  ${'--help'.padEnd(width)}Show this help\n`;
}
