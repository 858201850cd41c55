import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../lib/cli';
import { packageName } from '../../../lib/cli/init';

const own = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('cdk8s-mcs init', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-init-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('scaffolds cdk8s.yaml, main.ts, tsconfig.json, package.json, .gitignore and a README in an empty folder', async () => {
    const target = path.join(dir, 'My Fleet');
    const r = await run(['init', '--dir', target]);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(target).sort()).toEqual(['.gitignore', 'README.md', 'cdk8s.yaml', 'main.ts', 'package.json', 'tsconfig.json']);
    expect(fs.readFileSync(path.join(target, 'cdk8s.yaml'), 'utf8')).toBe('language: typescript\napp: npx ts-node main.ts\noutput: dist\n');
    expect(r.out).toContain('npm install && npm run synth');
  });

  it('pins the scaffold to the versions this cdk8s-mcs is built with', async () => {
    await run(['init', '--dir', dir, '--name', 'fleet-a']);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('fleet-a');
    expect(pkg.dependencies).toEqual({ cdk8s: own.dependencies.cdk8s, 'cdk8s-mcs': `^${own.version}`, 'cdk8s-plus-28': own.dependencies['cdk8s-plus-28'], constructs: own.dependencies.constructs });
    expect(pkg.devDependencies).toMatchObject({ 'cdk8s-cli': own.devDependencies['cdk8s-cli'], typescript: own.devDependencies.typescript, 'ts-node': own.devDependencies['ts-node'] });
  });

  it('gives a two-cluster main.ts that uses only the public API', async () => {
    await run(['init', '--dir', dir]);
    const mainTs = fs.readFileSync(path.join(dir, 'main.ts'), 'utf8');
    expect(mainTs).toContain("from 'cdk8s-mcs'");
    expect(mainTs.match(/fleet\.addCluster\(/g)).toHaveLength(2);
    expect(mainTs).toContain('fleet.synth();');
  });

  it('tells how to build, push and name the runner image, which the scaffold leaves at the documented default', async () => {
    await run(['init', '--dir', dir]);
    const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('docker build -t cdk8s-mcs:<version> .');
    expect(readme).toContain('docker push <registry>/cdk8s-mcs:<version>');
    expect(readme).toContain("image: '<registry>/cdk8s-mcs:<version>'");
    expect(readme).toContain('create secret generic cdk8s-mcs-kubeconfig --from-file=kubeconfig=runner.kubeconfig');
    expect(fs.readFileSync(path.join(dir, 'main.ts'), 'utf8')).toContain("// image: '<registry>/cdk8s-mcs:<version>',");
  });

  it('refuses a folder that already holds a project, naming what it found', async () => {
    fs.writeFileSync(path.join(dir, 'main.ts'), '// mine');
    const r = await run(['init', '--dir', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`error: ${dir} is not empty (found main.ts); run init in an empty folder, or pass --force`);
    expect(fs.readFileSync(path.join(dir, 'main.ts'), 'utf8')).toBe('// mine');
  });

  it('keeps an existing README and .git when the folder is otherwise empty', async () => {
    fs.writeFileSync(path.join(dir, 'README.md'), '# mine\n');
    fs.mkdirSync(path.join(dir, '.git'));
    expect((await run(['init', '--dir', dir])).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('# mine\n');
  });

  it.each([['My Fleet', 'my-fleet'], ['_x', 'x'], ['!!!', 'fleet']])('derives the package name %j -> %j', (folder, name) => {
    expect(packageName(folder)).toBe(name);
  });
});
