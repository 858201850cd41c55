import * as fs from 'node:fs';
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

  it('touches @kubernetes/client-node only in lib/kube', () => {
    const users = fs.readdirSync(LIB).filter((d) => d !== 'kube' && fs.statSync(path.join(LIB, d)).isDirectory()).filter((d) => importedBy(d).has('@kubernetes/client-node'));
    expect(users).toEqual([]);
  });
});
