import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { GitOps } from '../../../lib';
import { writeFleetOutput } from '../../../lib/constructs/output';
import { readClusterManifests } from '../../../lib/runner/apply/manifests';
import { docsUnder, renderReference } from './helpers';

describe('Flux output', () => {
  const output = renderReference(GitOps.FLUX);
  const entry = docsUnder(output, 'clusters/cluster-2/');

  it('splits each cluster folder into stage folders, each listing exactly its own files', () => {
    const files = [...output.files.keys()].filter((f) => f.startsWith('cluster-2/'));
    const stages = [...new Set(files.map((f) => f.split('/')[1]))].sort();
    expect(stages).toEqual(['1-crds', '2-workloads', '3-dns', 'kustomization.yaml']);
    for (const stage of ['1-crds', '2-workloads', '3-dns']) {
      const inFolder = files.filter((f) => f.startsWith(`cluster-2/${stage}/`) && !f.endsWith('/kustomization.yaml')).map((f) => path.basename(f));
      const kustomization = YAML.parse(output.files.get(`cluster-2/${stage}/kustomization.yaml`)!);
      // Exactly its own files (the synth writes them in construct order, as each renders) ...
      expect({ ...kustomization, resources: [...kustomization.resources].sort() }).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...inFolder].sort() });
      // ... listed in apply order: the file names' phase prefixes never decrease.
      const phases = (kustomization.resources as string[]).map((f) => Number(f.split('-')[0]));
      expect(phases).toEqual([...phases].sort((a, b) => a - b));
    }
    expect(YAML.parse(output.files.get('cluster-2/kustomization.yaml')!).resources).toEqual(['1-crds', '2-workloads', '3-dns']);
  });

  it('puts the CRDs alone in the first stage and the CoreDNS change alone in the last', () => {
    const kinds = (stage: string) => [...docsUnder(output, `cluster-2/${stage}/`)].filter(([f]) => !f.endsWith('kustomization.yaml')).map(([, o]) => `${o.kind}/${o.metadata.name}`);
    expect(kinds('1-crds').every((k) => k.startsWith('CustomResourceDefinition/'))).toBe(true);
    expect(kinds('3-dns')).toEqual(['ConfigMap/coredns']);
    expect(kinds('2-workloads')).toEqual(expect.arrayContaining(['ClusterRole/cdk8s-mcs-coredns-serviceimports', 'ServiceImport/mysql', 'Service/amcs-mysql']));
  });

  it('chains one Flux Kustomization per stage with dependsOn: CRDs, then workloads, then CoreDNS', () => {
    expect([...entry.keys()]).toEqual(['clusters/cluster-2/crds.yaml', 'clusters/cluster-2/workloads.yaml', 'clusters/cluster-2/dns.yaml', 'clusters/cluster-2/kustomization.yaml']);
    const ks = (name: string) => entry.get(`clusters/cluster-2/${name}.yaml`);
    expect(ks('crds')).toMatchObject({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'reference-cluster-2-crds', namespace: 'flux-system' } });
    expect(ks('crds').spec.dependsOn).toBeUndefined();
    expect(ks('workloads').spec.dependsOn).toEqual([{ name: 'reference-cluster-2-crds' }]);
    expect(ks('dns').spec.dependsOn).toEqual([{ name: 'reference-cluster-2-workloads' }]);
    expect(ks('dns').spec).toMatchObject({ path: './dist/cluster-2/3-dns', prune: true, wait: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } });
    expect(entry.get('clusters/cluster-2/kustomization.yaml').resources).toEqual(['crds.yaml', 'workloads.yaml', 'dns.yaml']);
  });

  it('skips stages a cluster has no objects for (cluster-1 changes no CoreDNS)', () => {
    const ks = docsUnder(output, 'clusters/cluster-1/');
    expect([...ks.keys()]).toEqual(['clusters/cluster-1/crds.yaml', 'clusters/cluster-1/workloads.yaml', 'clusters/cluster-1/kustomization.yaml']);
  });

  it('targets a remote cluster through kubeConfig.secretRef when Flux runs elsewhere', () => {
    const remote = renderReference(GitOps.FLUX, {}, { fluxKubeConfigSecret: 'cluster-2-kubeconfig' });
    const ks = docsUnder(remote, 'clusters/cluster-2/').get('clusters/cluster-2/workloads.yaml');
    expect(ks.spec.kubeConfig).toEqual({ secretRef: { name: 'cluster-2-kubeconfig' } });
    expect(docsUnder(remote, 'clusters/cluster-1/').get('clusters/cluster-1/workloads.yaml').spec.kubeConfig).toBeUndefined();
  });

  it('never lets Flux prune CRDs, namespaces, the cluster\'s coredns ConfigMap or the grant its Corefile needs', () => {
    const prunable = [...docsUnder(output, 'cluster-2/')].filter(([f]) => !f.endsWith('kustomization.yaml')).map(([, o]) => o);
    const kept = prunable.filter((o) => o.metadata.annotations?.['kustomize.toolkit.fluxcd.io/prune'] === 'disabled').map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kept.sort()).toEqual(['ClusterRole/cdk8s-mcs-coredns-serviceimports', 'ClusterRoleBinding/cdk8s-mcs-coredns-serviceimports', 'ConfigMap/coredns', 'CustomResourceDefinition/clusterproperties.about.k8s.io', 'CustomResourceDefinition/serviceexports.multicluster.x-k8s.io', 'CustomResourceDefinition/serviceimports.multicluster.x-k8s.io', 'Namespace/cdk8s-mcs-system', 'Namespace/provider-ns']);
  });

  it('is read by cdk8s-mcs apply in the same order as the flat layout, kustomization files skipped', () => {
    const flux = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-flux-'));
    const flat = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-flat-'));
    writeFleetOutput(flux, output);
    writeFleetOutput(flat, renderReference(GitOps.NONE));
    const refs = (dist: string) => readClusterManifests(dist, 'cluster-2').map((m) => `${m.object.kind}/${m.object.metadata.name}`);
    expect(refs(flux)).toEqual(refs(flat));
    fs.rmSync(flux, { recursive: true, force: true });
    fs.rmSync(flat, { recursive: true, force: true });
  });
});
