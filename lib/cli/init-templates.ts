/** The files `cdk8s-mcs init` writes: a two-cluster fleet that synthesizes as it is. */

export interface ScaffoldVersions {
  readonly cdk8sMcs: string;
  readonly cdk8s: string;
  readonly cdk8sPlus: string;
  readonly constructs: string;
  readonly cdk8sCli: string;
  readonly typescript: string;
  readonly tsNode: string;
}

export function packageJson(name: string, v: ScaffoldVersions): string {
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    scripts: {
      synth: 'cdk8s synth --no-check-upgrade',
      typecheck: 'tsc --noEmit',
      apply: 'cdk8s-mcs apply --dist dist',
      diff: 'cdk8s-mcs diff --dist dist',
      sync: 'cdk8s-mcs sync --dist dist',
    },
    dependencies: { cdk8s: v.cdk8s, 'cdk8s-mcs': v.cdk8sMcs, 'cdk8s-plus-28': v.cdk8sPlus, constructs: v.constructs },
    devDependencies: { '@types/node': '^20', 'cdk8s-cli': v.cdk8sCli, 'ts-node': v.tsNode, typescript: v.typescript },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

export const CDK8S_YAML = 'language: typescript\napp: npx ts-node main.ts\noutput: dist\n';

export const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'commonjs',
      moduleResolution: 'node',
      lib: ['ES2022'],
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node'],
    },
    include: ['main.ts'],
  },
  null,
  2,
)}\n`;

export const GITIGNORE = 'node_modules/\n';

// Kept out of the template's text so no source line of this package starts with an import of itself.
const SCAFFOLD_IMPORT = "import { DnsMethod, Fleet, HeadlessImport, MultiClusterStatefulSet, SyncRunner } from 'cdk8s-mcs';";

export const MAIN_TS = `// A fleet of two clusters: cluster-1 runs a StatefulSet and exports it, cluster-2 reaches each of
// its pods by name. \`npm run synth\` writes dist/<cluster-id>/ (one object per file, in apply
// order), dist/fleet.json and dist/fleet.md (every DNS name cluster-2 can resolve).
${SCAFFOLD_IMPORT}

const fleet = new Fleet({
  name: 'my-fleet',
  // Delivered by Argo CD or Flux? gitops: GitOps.ARGOCD (with gitRepoUrl) or GitOps.FLUX.
});

// The cluster ID is the MCS cluster ID and the kubeconfig context the CLI uses (kubeContext overrides it).
const cluster1 = fleet.addCluster('cluster-1', { storageClass: 'standard', coreDnsVersion: '1.12.2' });
const cluster2 = fleet.addCluster('cluster-2', { storageClass: 'standard', coreDnsVersion: '1.12.2' });

new MultiClusterStatefulSet(fleet, 'db', {
  namespace: 'db',
  image: 'mysql:8.4',
  providers: [{ cluster: cluster1, replicas: 2 }],
  ports: [{ name: 'mysql', port: 3306 }],
  // Created out of band (kubectl, SealedSecret, ExternalSecret): nothing secret goes to Git.
  secretEnv: [{ name: 'MYSQL_ROOT_PASSWORD', secretName: 'db-root', key: 'password' }],
  volumeClaims: [{ name: 'data', mountPath: '/var/lib/mysql', size: '10Gi' }],
});

// db-0.amcs-db.db.svc.cluster.local (no DNS change) and db-0.cluster-1.db.db.svc.clusterset.local.
new HeadlessImport(fleet, 'db-import', {
  serviceName: 'db',
  namespace: 'db',
  consumers: [cluster2],
  dnsMethods: [DnsMethod.AMCS, DnsMethod.CLUSTERSET],
});

// The reconcile runner that keeps the endpoints true: its RBAC everywhere, its Deployment in cluster-2.
// Its image is built from cdk8s-mcs's Dockerfile and pushed to a registry your clusters pull from
// (see README.md); set \`image\` to that name. Without it the Deployment runs \`cdk8s-mcs:<version>\`,
// which exists only where it was built or loaded.
new SyncRunner(fleet, 'runner', {
  hostCluster: cluster2,
  // image: '<registry>/cdk8s-mcs:<version>',
});

fleet.synth();
`;

export function readme(name: string): string {
  return `# ${name}

A cdk8s-mcs fleet: per-pod DNS for StatefulSets across Kubernetes clusters.

\`\`\`bash
npm install
npm run synth          # dist/<cluster-id>/, dist/fleet.json, dist/fleet.md
npm run apply          # server-side apply every cluster folder (or commit dist/ for Argo CD / Flux)
npm run sync           # the reconcile runner, from your machine
\`\`\`

Edit \`main.ts\`: cluster IDs, storage classes, the CoreDNS version each cluster runs.

## The runner's image

The \`SyncRunner\` Deployment in cluster-2 runs \`cdk8s-mcs sync\` from a container image you build
once per cdk8s-mcs version, from the Dockerfile in the cdk8s-mcs repository:

\`\`\`bash
git clone <cdk8s-mcs repository> && cd cdk8s-mcs && git checkout v<version>
docker build -t cdk8s-mcs:<version> .
docker tag cdk8s-mcs:<version> <registry>/cdk8s-mcs:<version>
docker push <registry>/cdk8s-mcs:<version>
\`\`\`

then set \`image: '<registry>/cdk8s-mcs:<version>'\` on the \`SyncRunner\` in \`main.ts\` and synthesize
again. It also needs a Secret \`cdk8s-mcs-kubeconfig\` in \`cdk8s-mcs-system\` (never in Git):

\`\`\`bash
npx cdk8s-mcs kubeconfig --dist dist --out runner.kubeconfig --duration 720h
kubectl --context cluster-2 -n cdk8s-mcs-system create secret generic cdk8s-mcs-kubeconfig --from-file=kubeconfig=runner.kubeconfig
\`\`\`
`;
}
