/**
 * The first five minutes of a new user, offline from this repository: the package built and
 * packed as the image's build stage does (support/package-build.ts), `npx cdk8s-mcs init` in an
 * empty folder from that tarball, then `npm install && npx cdk8s synth`. No test bed: nothing here talks to a cluster.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { NPM_QUIET, packLikeTheImage, sh } from './support/package-build';

let work: string;
let tarball: string;
let project: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-init-e2e-'));
  tarball = packLikeTheImage(work);
  project = path.join(work, 'my-fleet');
  fs.mkdirSync(project);
}, 600_000);

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe('a new fleet project from the packed cdk8s-mcs', () => {
  it('packs the compiled library, its CRD bindings and the CLI, and no TypeScript sources', () => {
    const listing = sh(work, 'tar', ['-tzf', tarball]).split('\n');
    expect(listing).toEqual(expect.arrayContaining(['package/build/lib/index.js', 'package/build/lib/index.d.ts', 'package/build/lib/cli/index.js', 'package/build/imports/multicluster.x-k8s.io.js', 'package/bin/cdk8s-mcs']));
    expect(listing.filter((f) => f.startsWith('package/lib/'))).toEqual([]);
  });

  it('scaffolds with `npx cdk8s-mcs init` in an empty folder', () => {
    const out = sh(project, 'npm', ['exec', '--yes', ...NPM_QUIET, `--package=${tarball}`, '--', 'cdk8s-mcs', 'init']);
    expect(out).toContain('created package.json');
    expect(fs.readdirSync(project).sort()).toEqual(['.gitignore', 'README.md', 'cdk8s.yaml', 'main.ts', 'package.json', 'tsconfig.json']);
  }, 600_000);

  it('synthesizes out of the box with `npm install && npx cdk8s synth`', () => {
    // Not published: point the scaffold's cdk8s-mcs dependency at the tarball instead of the registry.
    const pkgFile = path.join(project, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
    pkg.dependencies['cdk8s-mcs'] = `file:${tarball}`;
    fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
    sh(project, 'npm', ['install', ...NPM_QUIET]);
    sh(project, 'npx', ['cdk8s', 'synth']);
    const dist = path.join(project, 'dist');
    expect(fs.readdirSync(dist).sort()).toEqual(['cluster-1', 'cluster-2', 'fleet.json', 'fleet.md']);
    const objects = (id: string) => fs.readdirSync(path.join(dist, id)).map((f) => YAML.parse(fs.readFileSync(path.join(dist, id, f), 'utf8')));
    expect(objects('cluster-1').map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining(['StatefulSet/db', 'ServiceExport/db']));
    expect(objects('cluster-2').map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining(['Service/amcs-db', 'ServiceImport/db', 'ConfigMap/coredns', 'Deployment/cdk8s-mcs-sync']));
    expect(fs.readFileSync(path.join(dist, 'fleet.md'), 'utf8')).toContain('db-0.amcs-db.db.svc.cluster.local');
  }, 600_000);
});
