import { CommandSpec, helpText, parseArgs, parseDuration, parseMap, UsageError } from '../../../lib/cli/args';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'A command for the parser tests.',
  usage: 'cdk8s-mcs demo [flags]',
  flags: [
    { name: 'dist', value: 'DIR', description: 'a folder', default: 'dist' },
    { name: 'once', boolean: true, description: 'a switch' },
    { name: 'workers', kind: 'integer', min: 1, max: 8, value: 'N', description: 'a count', default: '4' },
    { name: 'ttl', kind: 'duration', value: 'DURATION', description: 'a time' },
    { name: 'mode', kind: 'choice', choices: ['a', 'b'], description: 'a choice' },
    { name: 'map', kind: 'map', value: 'ID=CTX,...', description: 'a map' },
    { name: 'only', kind: 'list', value: 'ID,...', description: 'a list' },
    { name: 'out', value: 'FILE', description: 'where to write', required: true },
  ],
};

const parse = (...argv: string[]) => parseArgs(argv, spec);

describe('the command-line parser', () => {
  it('reads --name value, --name=value and switches, and fills in defaults', () => {
    const a = parse('--out', 'f', '--ttl=30s', '--once', '--map', 'a=b,c=d=e');
    expect(a.flags).toEqual({ out: 'f', ttl: '30s', once: true, map: 'a=b,c=d=e', dist: 'dist', workers: '4' });
    expect(a.positionals).toEqual([]);
  });

  it('takes --help or -h even without the required flags', () => {
    expect(parse('--help').help).toBe(true);
    expect(parse('-h').help).toBe(true);
  });

  it.each([
    [['--out', 'f', '--bogus'], 'unknown flag --bogus for "demo"'],
    [['--out', 'f', '-x'], 'unknown flag -x for "demo"'],
    [['--out', 'f', 'extra'], 'unexpected argument "extra": "demo" takes flags only'],
    [['--out'], '--out needs a value (FILE)'],
    [['--out', '--once'], '--out needs a value (FILE), got the flag --once'],
    [['--out', 'f', '--once=maybe'], '--once is a switch: give it bare, or as --once=true / --once=false, got "maybe"'],
    [['--out', 'f', '--workers', '2', '--workers', '3'], '--workers is given twice'],
    [[], '--out is required: where to write'],
    [['--out', 'f', '--workers', 'abc'], '--workers expects a whole number from 1 to 8, got "abc"'],
    [['--out', 'f', '--workers=-1'], '--workers expects a whole number from 1 to 8, got "-1"'],
    [['--out', 'f', '--workers', '9'], '--workers expects a whole number from 1 to 8, got "9"'],
    [['--out', 'f', '--workers', '2.5'], '--workers expects a whole number from 1 to 8, got "2.5"'],
    [['--out', 'f', '--ttl', '5x'], '--ttl expects a duration such as 30s, 2m, 1h30m or 1500ms (a bare number is seconds), got "5x"'],
    [['--out', 'f', '--ttl', '1h 30m'], '--ttl expects a duration'],
    [['--out', 'f', '--mode', 'c'], '--mode expects one of "a", "b", got "c"'],
    [['--out', 'f', '--map', 'a'], '--map expects ID=CTX pairs separated by commas, got "a"'],
    [['--out', 'f', '--map', 'a='], '--map expects ID=CTX pairs separated by commas, got "a="'],
    [['--out', 'f', '--map', '=b'], '--map expects ID=CTX pairs separated by commas, got "=b"'],
    [['--out', 'f', '--map', 'a=b,,c=d'], '--map expects ID=CTX pairs separated by commas, got ""'],
    [['--out', 'f', '--map', 'a=1,a=2'], '--map names "a" twice ("a=1" and "a=2")'],
    [['--out', 'f', '--only', 'a,,b'], '--only expects ID,ID,... with no empty item, got "a,,b"'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });

  it('takes words after the command only where the command declares them', () => {
    expect(parseArgs(['pull', '--out', 'x'], { ...spec, positionals: 'pull' }).positionals).toEqual(['pull']);
  });

  it('treats everything after -- as words, not flags', () => {
    expect(parseArgs(['--out', 'x', '--', '--once'], { ...spec, positionals: 'ARGS' }).positionals).toEqual(['--once']);
  });

  it('keeps everything after the first = of a map pair as the value', () => {
    expect(parseMap('cluster-2=http://x/ready?a=b', 'url', 'ID=URL')).toEqual({ 'cluster-2': 'http://x/ready?a=b' });
  });

  it('reads Go-style durations, and a bare number as seconds', () => {
    expect(parseDuration('1500ms', 'd')).toBe(1500);
    expect(parseDuration('1h30m', 'd')).toBe(5_400_000);
    expect(parseDuration('2.5s', 'd')).toBe(2500);
    expect(parseDuration('60', 'd')).toBe(60_000);
    expect(parseDuration('720h', 'd')).toBe(2_592_000_000);
  });

  it('shows every flag with its placeholder, whether it is required and its default', () => {
    const text = helpText(spec);
    expect(text).toContain('Usage: cdk8s-mcs demo [flags]');
    expect(text).toMatch(/--workers N\s+a count \(default: 4\)/);
    expect(text).toMatch(/--mode a\|b\s+a choice/);
    expect(text).toMatch(/--out FILE\s+where to write \(required\)/);
    expect(text).toMatch(/--help\s+Show this help/);
  });
});
