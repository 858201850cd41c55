import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplyPhase } from '../../../lib/fleet/apply-order';
import { parseManifestFile, readClusterManifests } from '../../../lib/runner/apply/manifests';
import { tempDir } from '../support/temp-dir';

function distWith(files: Record<string, string>): string {
  const dist = tempDir('apply-manifests-');
  fs.mkdirSync(path.join(dist, 'cluster-1'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dist, 'cluster-1', name)), { recursive: true });
    fs.writeFileSync(path.join(dist, 'cluster-1', name), text);
  }
  return dist;
}

describe('reading dist/<cluster-id>/', () => {
  it('returns the objects in apply order, each with its file and phase', () => {
    const dist = distWith({
      '05-statefulset.db.mysql.yaml': 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: mysql, namespace: db}\n',
      '01-namespace.db.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: db}\n',
      'zz-extra.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: foos.x.io}\n',
      'README.md': 'not a manifest',
    });
    const read = readClusterManifests(dist, 'cluster-1');
    expect(read.map((m) => [path.basename(m.file), m.phase])).toEqual([
      ['zz-extra.yaml', ApplyPhase.CRDS],
      ['01-namespace.db.yaml', ApplyPhase.NAMESPACES],
      ['05-statefulset.db.mysql.yaml', ApplyPhase.WORKLOADS],
    ]);
  });

  it('reads stage sub-folders too (the Flux layout), skipping kustomization.yaml', () => {
    const dist = distWith({
      '1-crds/crd.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: foos.x.io}\n',
      '1-crds/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [crd.yaml]\n',
      '2-workloads/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: db}\n',
    });
    expect(readClusterManifests(dist, 'cluster-1').map((m) => `${m.object.kind} ${path.relative(dist, m.file)}`)).toEqual([
      `CustomResourceDefinition ${path.join('cluster-1', '1-crds', 'crd.yaml')}`,
      `ConfigMap ${path.join('cluster-1', '2-workloads', 'cm.yaml')}`,
    ]);
  });

  it('says which cluster folder is missing', () => {
    const dist = distWith({});
    expect(() => readClusterManifests(dist, 'cluster-9')).toThrow(/cluster-9 not found: dist has no folder for cluster "cluster-9"/);
  });

  it('rejects an object defined in two files, naming both', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: db}\n';
    const dist = distWith({ 'a.yaml': cm, 'b.yaml': cm });
    expect(() => readClusterManifests(dist, 'cluster-1')).toThrow(/ConfigMap db\/a is defined twice: in .*a\.yaml and in .*b\.yaml/);
  });

  it('names the file and document of an object without a kind', () => {
    expect(() => parseManifestFile('x.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n')).toThrow('x.yaml (document 2): expected a Kubernetes object with apiVersion, kind and metadata.name, got kind undefined');
  });

  it('names the file of invalid YAML', () => {
    expect(() => parseManifestFile('bad.yaml', 'a: [1,\n')).toThrow(/^bad\.yaml: not valid YAML/);
  });

  it('skips empty documents', () => {
    expect(parseManifestFile('x.yaml', '---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n')).toHaveLength(1);
  });
});
