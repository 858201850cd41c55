import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const LIB = path.join(__dirname, '..', '..', 'lib');

function filesOf(dir: string): string[] {
  return fs.readdirSync(path.join(LIB, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Every module a file imports: project folders as `lib/<folder>`, packages by name. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]);
  return specs.map((s) => {
    if (!s.startsWith('.')) {
      return s;
    }
    const rel = path.relative(path.join(LIB, '..'), path.resolve(path.dirname(file), s)).split(path.sep);
    return rel[0] === 'lib' ? `lib/${rel[1]}` : rel[0];
  });
}

/** The project files `file` imports at run time (`import type` is erased by TypeScript, so it is no edge). */
function runtimeImportsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [
    ...[...text.matchAll(/^(?:import|export)(?!\s+type\b)[^'"]*?from\s+'(\.[^']*)'/gm)].map((m) => m[1]),
    ...[...text.matchAll(/^import\s+'(\.[^']*)'/gm)].map((m) => m[1]),
  ];
  return specs
    .map((s) => path.resolve(path.dirname(file), s))
    .map((p) => [`${p}.ts`, path.join(p, 'index.ts')].find((f) => fs.existsSync(f)))
    .filter((f): f is string => f !== undefined);
}

/** Every import cycle among the `.ts` files under `root` (sub-folders included), as `a.ts -> b.ts -> a.ts` relative to `base`. */
function cyclesUnder(root: string, base = LIB): string[] {
  const files = fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
  const inside = (f: string) => f.startsWith(`${root}${path.sep}`);
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, stack: string[]): void => {
    state.set(file, 'visiting');
    for (const next of runtimeImportsOf(file).filter(inside)) {
      if (state.get(next) === 'visiting') {
        cycles.push([...stack.slice(stack.indexOf(next)), file, next].map((f) => path.relative(base, f)).join(' -> '));
      } else if (!state.has(next)) {
        visit(next, [...stack, file]);
      }
    }
    state.set(file, 'done');
  };
  files.forEach((f) => state.has(f) || visit(f, []));
  return cycles;
}

function importedBy(dir: string): Set<string> {
  return new Set(filesOf(dir).flatMap(importsOf).filter((i) => i !== `lib/${dir}`));
}

describe('architecture: floors and rooms', () => {
  it('keeps lib/corefile, lib/crds and lib/kube free of the rest of the project', () => {
    for (const dir of ['corefile', 'crds', 'kube']) {
      expect([...importedBy(dir)].filter((i) => i.startsWith('lib/'))).toEqual([]);
    }
  });

  it('lets the fleet model depend only on the Corefile module, never on constructs or cdk8s', () => {
    expect([...importedBy('fleet')].filter((i) => i.startsWith('lib/') || i.startsWith('cdk8s'))).toEqual(['lib/corefile']);
  });

  it('keeps the runner free of the compiler: no constructs, no cdk8s', () => {
    const runner = [...importedBy('runner'), ...importedBy('cli')];
    expect(runner.filter((i) => i === 'lib/constructs' || i.startsWith('cdk8s') || i === 'constructs' || i === 'imports')).toEqual([]);
  });

  it('keeps GitOps rendering pure: lib/gitops sees only the fleet model, and only constructs (and the API) use it', () => {
    expect([...importedBy('gitops')].filter((i) => i.startsWith('lib/') || i.startsWith('cdk8s') || i === 'constructs' || i.startsWith('@kubernetes'))).toEqual(['lib/fleet']);
    const users = fs.readdirSync(LIB).filter((d) => d !== 'gitops' && fs.statSync(path.join(LIB, d)).isDirectory()).filter((d) => importedBy(d).has('lib/gitops'));
    expect(users).toEqual(['constructs']);
  });

  it('has no import cycle inside any folder (run-time imports; `import type` is erased)', () => {
    const folders = fs.readdirSync(LIB).filter((d) => fs.statSync(path.join(LIB, d)).isDirectory());
    expect(folders).toEqual(expect.arrayContaining(['cli', 'constructs', 'fleet', 'kube', 'runner']));
    expect(folders.flatMap((d) => cyclesUnder(path.join(LIB, d)))).toEqual([]);
  });

  it('finds an import cycle when there is one (the check itself works)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cycle-check-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = b;\n");
      fs.writeFileSync(path.join(dir, 'b.ts'), "import type { a } from './a';\nimport { c } from './sub/c';\nexport const b: typeof a = c;\n");
      fs.mkdirSync(path.join(dir, 'sub'));
      fs.writeFileSync(path.join(dir, 'sub', 'c.ts'), "import {\n  a,\n} from '../a';\nexport const c = a;\n");
      expect(cyclesUnder(dir, dir)).toEqual(['a.ts -> b.ts -> sub/c.ts -> a.ts']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('touches @kubernetes/client-node only in lib/kube', () => {
    const users = fs.readdirSync(LIB).filter((d) => d !== 'kube' && fs.statSync(path.join(LIB, d)).isDirectory()).filter((d) => importedBy(d).has('@kubernetes/client-node'));
    expect(users).toEqual([]);
  });
});
