/**
 * Every Argo CD and Flux object the compiler emits for the reference scenario is accepted by a
 * real API server that has the tools' own CRDs (Argo CD v3.5.7, Flux kustomize-controller v1.9.6,
 * downloaded as Go modules): a server-side apply dry run with strict field validation, so an
 * unknown or misspelt field fails instead of being pruned silently.
 */
import * as fs from 'node:fs';
import * as YAML from 'yaml';
import { ClusterProps, FleetOutput, GitOps } from '../../lib';
import { ensureGitOpsCrds } from '../../testbed/gitops-crds';
import { referenceFleet } from '../unit/support/fleet';
import { SyncRunner } from '../../lib/constructs/sync-runner';
import * as tb from './support/testbed';

const NAMESPACES = ['argocd', 'flux-system'];
let cluster: string;
let crdNames: string[] = [];

function render(gitops: GitOps, cluster2Props: ClusterProps = {}): FleetOutput {
  const { fleet, cluster2 } = referenceFleet({ fleetProps: { gitops, gitRepoUrl: 'https://git.example.com/platform/fleet.git' }, cluster2Props });
  new SyncRunner(fleet, 'runner', { hostCluster: cluster2 });
  return fleet.render();
}

/** The objects of the GitOps tool itself: every document with the tool's API group. */
function toolObjects(output: FleetOutput, apiGroup: string): { file: string; object: any }[] {
  return [...output.files]
    .filter(([file]) => file.endsWith('.yaml'))
    .map(([file, text]) => ({ file, object: YAML.parse(text) }))
    .filter((d) => String(d.object.apiVersion).startsWith(`${apiGroup}/`));
}

/** Server-side apply dry run, strict: resolves to the object as the API server would store it. */
async function dryRunApply(object: any): Promise<any> {
  const client = tb.client(cluster);
  const p = await client.pathFor(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name);
  return client.request('PATCH', `${p}?dryRun=All&fieldManager=cdk8s-mcs-e2e&fieldValidation=Strict&force=true`, object, 'application/apply-patch+yaml');
}

beforeAll(async () => {
  cluster = tb.bed().clusterIds[0];
  const files = ensureGitOpsCrds((l) => process.stderr.write(`[gitops-crds] ${l}\n`));
  const crds = files.flatMap((f) => tb.parseYamlObjects(fs.readFileSync(f, 'utf8')));
  crdNames = crds.map((c) => c.metadata.name);
  await tb.apply(cluster, crds);
  for (const name of crdNames) {
    await tb.waitFor(`CRD ${name} established`, async () => {
      const crd = await tb.client(cluster).get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', name);
      return crd.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True');
    }, { timeoutMs: 30_000 });
  }
  await tb.apply(cluster, NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
});

afterAll(async () => {
  for (const name of crdNames) {
    await tb.client(cluster).delete('apiextensions.k8s.io/v1', 'CustomResourceDefinition', name).catch(() => undefined);
  }
  for (const name of NAMESPACES) {
    await tb.client(cluster).delete('v1', 'Namespace', name).catch(() => undefined);
  }
  tb.closeClients();
});

describe('GitOps objects against the real Argo CD and Flux CRDs', () => {
  it('accepts every Argo CD Application emitted for the reference scenario, field for field', async () => {
    const apps = toolObjects(render(GitOps.ARGOCD), 'argoproj.io');
    expect(apps.map((a) => a.file)).toEqual(['argocd/reference-cluster-1.yaml', 'argocd/reference-cluster-2.yaml']);
    for (const { object } of apps) {
      const stored = await dryRunApply(object);
      expect(stored.spec).toMatchObject(object.spec);
    }
  });

  it('accepts every Flux Kustomization emitted for the reference scenario, remote clusters included', async () => {
    const local = toolObjects(render(GitOps.FLUX), 'kustomize.toolkit.fluxcd.io');
    const remote = toolObjects(render(GitOps.FLUX, { fluxKubeConfigSecret: 'cluster-2-kubeconfig' }), 'kustomize.toolkit.fluxcd.io');
    expect(local.map((k) => k.file)).toEqual([
      'clusters/cluster-1/crds.yaml', 'clusters/cluster-1/workloads.yaml',
      'clusters/cluster-2/crds.yaml', 'clusters/cluster-2/workloads.yaml', 'clusters/cluster-2/dns.yaml',
    ]);
    for (const { object } of [...local, ...remote]) {
      const stored = await dryRunApply(object);
      expect(stored.spec).toMatchObject(object.spec);
    }
  });

  it('has teeth: the API server refuses an Application with a misspelt field and a Kustomization without a path source', async () => {
    const [app] = toolObjects(render(GitOps.ARGOCD), 'argoproj.io');
    const misspelt = { ...app.object, spec: { ...app.object.spec, destinaton: app.object.spec.destination } };
    await expect(dryRunApply(misspelt)).rejects.toThrow(/\.spec\.destinaton: field not declared in schema/);
    const [ks] = toolObjects(render(GitOps.FLUX), 'kustomize.toolkit.fluxcd.io');
    const { sourceRef: _dropped, ...withoutSource } = ks.object.spec;
    await expect(dryRunApply({ ...ks.object, spec: withoutSource })).rejects.toThrow(/sourceRef: Required value/);
  });
});
