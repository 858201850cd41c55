import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../lib/cli';
import { checkFlagValue, FlagSpec } from '../../../lib/cli/args';
import { COMMANDS } from '../../../lib/cli/main';

const CLI = path.join(__dirname, '..', '..', '..', 'lib', 'cli');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

/** Values each kind of flag must refuse. */
function badValues(f: FlagSpec): string[] {
  switch (f.kind) {
    case 'integer':
      return ['abc', '1.5', '', String((f.min ?? 0) - 1), String((f.max ?? 2 ** 31) + 1)];
    case 'duration':
      return ['abc', '5x', '', '-1s', '1d'];
    case 'choice':
      return ['nope', ''];
    case 'map':
      return ['a', 'a=', '=b', 'a=1,a=2', 'a=1,,b=2'];
    case 'list':
      return ['a,,b', ''];
    default:
      return [];
  }
}

const typedFlags = COMMANDS.flatMap((c) => c.spec.flags.filter((f) => badValues(f).length > 0).flatMap((f) => badValues(f).map((v) => [c.spec.name, f.name, v] as const)));

describe('the cdk8s-mcs command registry', () => {
  it('registers every command module of lib/cli in main.ts, and index.ts registers nothing', () => {
    const declared = fs.readdirSync(CLI).filter((f) => f.endsWith('.ts')).flatMap((f) => [...fs.readFileSync(path.join(CLI, f), 'utf8').matchAll(/^export const (\w+): Command\b/gm)].map((m) => m[1]));
    expect(declared.length).toBeGreaterThanOrEqual(COMMANDS.length);
    expect(COMMANDS).toHaveLength(declared.length);
    expect(fs.readFileSync(path.join(CLI, 'index.ts'), 'utf8')).not.toMatch(/registerCommand|^import/m);
  });

  it('gives every command a unique name, a --help and defaults its own checks accept', async () => {
    expect(new Set(COMMANDS.map((c) => c.spec.name)).size).toBe(COMMANDS.length);
    for (const c of COMMANDS) {
      const r = await run(c.spec.name, '--help');
      expect({ command: c.spec.name, code: r.code }).toEqual({ command: c.spec.name, code: 0 });
      expect(r.out).toContain(`Usage: ${c.spec.usage}`);
      for (const f of c.spec.flags.filter((x) => x.default !== undefined)) {
        expect(() => checkFlagValue(f, f.default!)).not.toThrow();
      }
    }
  });

  it('lists every command in the top-level help', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    for (const c of COMMANDS) {
      expect(r.out).toContain(`  ${c.spec.name} `);
    }
    expect((await run('help', 'sync')).out).toContain('Usage: cdk8s-mcs sync');
  });

  it('exits 2 naming --workers and abc for `sync --workers abc`, before connecting to anything', async () => {
    const r = await run('sync', '--workers', 'abc', '--dist', '/nonexistent');
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: --workers expects a whole number from 1 to 256, got "abc"');
  });

  it('exits 2 for an unknown flag, naming it and listing the flags', async () => {
    const r = await run('sync', '--worker', '4');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown flag --worker for "sync" \(flags: --dist, .*--workers/);
  });

  it('exits 2 for an unknown command, listing the commands', async () => {
    const r = await run('synk');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command "synk"');
  });

  it.each(typedFlags)('%s --%s=%j: exits 2 naming the flag and the value', async (command, flag, value) => {
    const r = await run(command, `--${flag}=${value}`);
    const firstLine = r.err.split('\n')[0];
    expect(r.code).toBe(2);
    expect(firstLine).toContain(`--${flag}`);
    // the whole value, or the one pair or item of it that is wrong
    expect([value, ...value.split(',')].some((piece) => firstLine.includes(`"${piece}"`))).toBe(true);
  });
});
