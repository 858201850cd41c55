import { applyPhase } from '../../../lib/fleet/apply-order';
import { GitOps } from '../../../lib';
import { docsUnder, renderReference } from './helpers';

describe('Argo CD output', () => {
  const output = renderReference(GitOps.ARGOCD);
  const apps = docsUnder(output, 'argocd/');

  it('writes one Application per cluster, syncing that cluster\'s folder to that cluster', () => {
    expect([...apps.keys()]).toEqual(['argocd/reference-cluster-1.yaml', 'argocd/reference-cluster-2.yaml']);
    const app = apps.get('argocd/reference-cluster-2.yaml');
    expect(app).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'reference-cluster-2', namespace: 'argocd' } });
    expect(app.spec.source).toEqual({ path: 'dist/cluster-2', repoURL: 'https://git.example.com/platform/fleet.git', targetRevision: 'HEAD' });
    expect(app.spec.destination).toEqual({ name: 'cluster-2' });
    expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(app.spec.syncPolicy.syncOptions).toEqual(expect.arrayContaining(['ServerSideApply=true', 'RespectIgnoreDifferences=true']));
  });

  it('diffs server-side, as it applies: a StatefulSet\'s defaulted claim templates are no drift', () => {
    for (const app of apps.values()) {
      expect(app.metadata.annotations).toEqual({ 'argocd.argoproj.io/compare-options': 'ServerSideDiff=true' });
    }
  });

  it('ignores the status the runner writes on ServiceExports and ServiceImports', () => {
    const ignored = apps.get('argocd/reference-cluster-1.yaml').spec.ignoreDifferences;
    expect(ignored).toEqual([
      expect.objectContaining({ group: 'multicluster.x-k8s.io', kind: 'ServiceExport', jsonPointers: ['/status'], managedFieldsManagers: ['cdk8s-mcs-sync'] }),
      expect.objectContaining({ group: 'multicluster.x-k8s.io', kind: 'ServiceImport', jsonPointers: ['/status'], managedFieldsManagers: ['cdk8s-mcs-sync'] }),
    ]);
  });

  it('puts every object in the sync wave of its apply phase, so CRDs go first and the CoreDNS change last', () => {
    const objects = [...docsUnder(output, 'cluster-2/').values()];
    for (const o of objects) {
      expect(o.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe(String(applyPhase(o)));
    }
    const wave = (kind: string, name: string) => Number(objects.find((o) => o.kind === kind && o.metadata.name === name).metadata.annotations['argocd.argoproj.io/sync-wave']);
    const coredns = wave('ConfigMap', 'coredns');
    expect(coredns).toBeGreaterThan(wave('CustomResourceDefinition', 'serviceimports.multicluster.x-k8s.io'));
    expect(coredns).toBeGreaterThan(wave('ClusterRole', 'cdk8s-mcs-coredns-serviceimports'));
    expect(coredns).toBeGreaterThan(wave('ClusterRoleBinding', 'cdk8s-mcs-coredns-serviceimports'));
    expect(coredns).toBe(Math.max(...objects.map((o) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']))));
  });

  it('never lets Argo CD prune or delete CRDs, namespaces, the cluster\'s coredns ConfigMap or the grant its Corefile needs', () => {
    const objects = [...docsUnder(output, 'cluster-2/').values()];
    const protectedOnes = objects.filter((o) => o.metadata.annotations['argocd.argoproj.io/sync-options'] === 'Prune=false,Delete=false').map((o) => `${o.kind}/${o.metadata.name}`);
    // and, once out of Git, they do not hold the Application OutOfSync
    const ignoredWhenExtraneous = objects.filter((o) => o.metadata.annotations['argocd.argoproj.io/compare-options'] === 'IgnoreExtraneous').map((o) => `${o.kind}/${o.metadata.name}`);
    expect(ignoredWhenExtraneous.sort()).toEqual(protectedOnes.sort());
    expect(protectedOnes.sort()).toEqual([
      'ClusterRole/cdk8s-mcs-coredns-serviceimports',
      'ClusterRoleBinding/cdk8s-mcs-coredns-serviceimports',
      'ConfigMap/coredns',
      'CustomResourceDefinition/clusterproperties.about.k8s.io',
      'CustomResourceDefinition/serviceexports.multicluster.x-k8s.io',
      'CustomResourceDefinition/serviceimports.multicluster.x-k8s.io',
      'Namespace/cdk8s-mcs-system',
      'Namespace/provider-ns',
    ]);
  });

  it('keeps the flat cluster folders that cdk8s-mcs apply reads', () => {
    expect([...output.files.keys()].filter((f) => f.startsWith('cluster-1/')).every((f) => /^cluster-1\/\d\d-[^/]+\.yaml$/.test(f))).toBe(true);
  });

  it('uses the project, namespace, revision, path and Argo CD cluster name it is given', () => {
    const custom = renderReference(GitOps.ARGOCD, { argoCdProject: 'fleet', gitopsNamespace: 'gitops', gitRevision: 'release', gitPath: './deploy/dist/' });
    const app = docsUnder(custom, 'argocd/').get('argocd/reference-cluster-1.yaml');
    expect(app.metadata.namespace).toBe('gitops');
    expect(app.spec.project).toBe('fleet');
    expect(app.spec.source).toMatchObject({ path: 'deploy/dist/cluster-1', targetRevision: 'release' });
  });

  it('refuses Argo CD output without the repository URL, saying what is missing', () => {
    expect(() => renderReference(GitOps.ARGOCD, { gitRepoUrl: undefined })).toThrow('Fleet: gitops ARGOCD needs gitRepoUrl, the URL of the Git repository the output is committed to (Argo CD source.repoURL), got none');
  });
});
