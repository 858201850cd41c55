import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../lib/cli';
import { dependencySource, dependencySpec, installedFromTarball } from '../../../lib/cli/init-source';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-init-source-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** An install of cdk8s-mcs under `prefix` as npm leaves it: node_modules/cdk8s-mcs and the hidden lock file. */
function installAt(prefix: string, resolved: string): string {
  const root = path.join(prefix, 'node_modules', 'cdk8s-mcs');
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'cdk8s-mcs', version: '0.1.0' }));
  fs.writeFileSync(path.join(prefix, 'node_modules', '.package-lock.json'), JSON.stringify({ packages: { 'node_modules/cdk8s-mcs': { version: '0.1.0', resolved } } }));
  return root;
}

describe('where a scaffold installs cdk8s-mcs from', () => {
  it('is the tarball npx installed init from, found through npm\'s lock file of the install', () => {
    const tarball = path.join(tmp, 'dl', 'cdk8s-mcs-0.1.0.tgz');
    fs.mkdirSync(path.dirname(tarball));
    fs.writeFileSync(tarball, '');
    const npxPrefix = path.join(tmp, 'npx', 'ab12');
    const root = installAt(npxPrefix, `file:${path.relative(npxPrefix, tarball)}`);
    expect(installedFromTarball(root)).toBe(tarball);
    expect(dependencySource(undefined, root)).toMatchObject({ kind: 'tarball', tarball });
  });

  it('is the registry for a package the registry served, and for a tarball that is gone', () => {
    expect(dependencySource(undefined, installAt(path.join(tmp, 'a'), 'https://registry.example/cdk8s-mcs/-/cdk8s-mcs-0.1.0.tgz'))).toEqual({ kind: 'registry' });
    expect(dependencySource(undefined, installAt(path.join(tmp, 'b'), 'file:../gone/cdk8s-mcs-0.1.0.tgz'))).toEqual({ kind: 'registry' });
  });

  it('is written relative to the project, as npm install <tgz> writes it', () => {
    const spec = dependencySpec({ kind: 'tarball', tarball: path.join(tmp, 'cdk8s-mcs', 'cdk8s-mcs-0.1.0.tgz'), how: '--from' }, path.join(tmp, 'my-fleet'), '0.1.0', () => undefined);
    expect(spec).toBe('file:../cdk8s-mcs/cdk8s-mcs-0.1.0.tgz');
    expect(dependencySpec({ kind: 'registry' }, tmp, '0.1.0', () => undefined)).toBe('^0.1.0');
  });

  it('refuses a --from that is missing, not a tarball, or not a cdk8s-mcs checkout, saying what to pass', () => {
    expect(() => dependencySource(path.join(tmp, 'nope.tgz'), tmp)).toThrow(/no such file or folder; pass a tarball made by `npm pack`/);
    fs.writeFileSync(path.join(tmp, 'x.zip'), '');
    expect(() => dependencySource(path.join(tmp, 'x.zip'), tmp)).toThrow(/not a tarball \(\.tgz\)/);
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'other' }));
    expect(() => dependencySource(tmp, tmp)).toThrow(/not a cdk8s-mcs checkout \(its package.json names "other"\)/);
  });
});

describe('cdk8s-mcs init --from', () => {
  it('writes a cdk8s-mcs dependency on the tarball and says to run npm install && npm run synth', async () => {
    const tarball = path.join(tmp, 'cdk8s-mcs-0.1.0.tgz');
    fs.writeFileSync(tarball, '');
    let out = '';
    const code = await main(['init', '--dir', path.join(tmp, 'my-fleet'), '--from', tarball], { stdout: (t) => (out += t), stderr: (t) => (out += t) });
    expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('npm install && npm run synth') });
    expect(out).not.toContain('npx cdk8s synth');
    const pkg = JSON.parse(fs.readFileSync(path.join(tmp, 'my-fleet', 'package.json'), 'utf8'));
    expect(pkg.dependencies['cdk8s-mcs']).toBe('file:../cdk8s-mcs-0.1.0.tgz');
    expect(pkg.scripts.synth).toBe('cdk8s synth --no-check-upgrade');
  });

  it('run from this checkout without --from, says how to get a dependency that installs', async () => {
    let out = '';
    await main(['init', '--dir', path.join(tmp, 'f')], { stdout: (t) => (out += t), stderr: (t) => (out += t) });
    expect(out).toMatch(/until it is published there, run init with --from <cdk8s-mcs tarball or checkout>/);
  });
});
