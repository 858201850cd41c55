/**
 * Bringing up one cluster of the bed: etcd and kube-apiserver first, then the controllers while
 * the bootstrap objects (project CRDs, CoreDNS RBAC, kwok's StorageClass, fake nodes) go in, then
 * CoreDNS under its own ServiceAccount token.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cachedBuild, Log } from './build';
import { DEFAULT_NODE_POD_CIDR_PREFIX, defaultCorefile, kubeconfigYaml, nodePodCidrs, podIpsPerNode } from './cluster-plan';
import { localCorefileFor, seedCoreDnsConfigMap } from './coredns-configmap';
import { adminClient, startComponent } from './control';
import { resolveA } from './dns';
import { KubeClient, KubeObject, parseYamlObjects, waitFor, waitForCrdsEstablished } from './kube';
import { waitComponent } from './probes';
import { ClusterState, clusterOf, ComponentName, CoreDnsMode, REPO_ROOT, requireState, updateState } from './state';

const CORE_DNS_RBAC: KubeObject[] = [
  // kubeadm's stock ClusterRole (cmd/kubeadm/app/phases/addons/dns/manifests.go), deliberately
  // WITHOUT the multicluster.x-k8s.io serviceimports rule: that rule is the compiler's job.
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'system:coredns', labels: { 'app.kubernetes.io/part-of': 'testbed' } },
    rules: [
      { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'system:coredns', labels: { 'app.kubernetes.io/part-of': 'testbed' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
    subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' }],
  },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: 'kube-system' } },
];

/** The controllers that start while the bootstrap objects are applied. */
const CONTROLLERS: ComponentName[] = ['kube-controller-manager', 'kube-scheduler', 'kwok'];

function projectCrds(): KubeObject[] {
  const dir = path.join(REPO_ROOT, 'crds');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  return files.flatMap((f) => parseYamlObjects(fs.readFileSync(path.join(dir, f), 'utf8'))).filter((o) => o.kind === 'CustomResourceDefinition');
}

function nodeObjects(c: ClusterState): KubeObject[] {
  const octet = 10 * (c.index + 1);
  const cidrs = c.nodePodCidrs ?? nodePodCidrs(octet, c.nodes.length);
  // Capacity 110 pods (the kubelet default) for the default /24; a bigger range holds as many pods as it has IPs.
  const pods = (cidr: string) => String(Number(cidr.split('/')[1]) >= DEFAULT_NODE_POD_CIDR_PREFIX ? 110 : podIpsPerNode(Number(cidr.split('/')[1])));
  return c.nodes.map((name, n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok', 'topology.kubernetes.io/zone': `${c.id}-zone-${n}` },
    },
    spec: { podCIDR: cidrs[n], podCIDRs: [cidrs[n]] },
    status: {
      addresses: [
        { type: 'InternalIP', address: `10.${octet}.255.${n + 1}` },
        { type: 'Hostname', address: name },
        // where the API server reaches this node's kubelet (kwok) for exec; pods' hostIP stays the InternalIP
        { type: 'ExternalIP', address: '127.0.0.1' },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: c.ports.kwok } },
      allocatable: { cpu: '32', memory: '256Gi', pods: pods(cidrs[n]) },
      capacity: { cpu: '32', memory: '256Gi', pods: pods(cidrs[n]) },
    },
  }));
}

/** The kubeconfigs kube-controller-manager, kube-scheduler and kwok run with (tokens from the PKI's token file). */
export function writeComponentKubeconfigs(c: ClusterState, tokens: Record<string, string>) {
  const entry = (token: string) => [{ name: c.id, server: c.server, caFile: c.caFile, token }];
  fs.writeFileSync(path.join(c.dir, 'kube-controller-manager.kubeconfig'), kubeconfigYaml(entry(tokens['system:kube-controller-manager']), c.id), { mode: 0o600 });
  fs.writeFileSync(path.join(c.dir, 'kube-scheduler.kubeconfig'), kubeconfigYaml(entry(tokens['system:kube-scheduler']), c.id), { mode: 0o600 });
  fs.writeFileSync(path.join(c.dir, 'kwok.kubeconfig'), kubeconfigYaml(entry(tokens.kwok), c.id), { mode: 0o600 });
}

/**
 * The project's CRDs, as shipped. One the apiserver rejects is a project bug: it is reported
 * (stderr + state.crdErrors) and left out, the rest of the bed still comes up. Returns the accepted ones.
 */
async function applyProjectCrds(kube: KubeClient, id: string, log: Log): Promise<KubeObject[]> {
  const crds: KubeObject[] = [];
  for (const crd of projectCrds()) {
    try {
      await kube.apply(crd, { fieldManager: 'testbed' });
      crds.push(crd);
    } catch (e) {
      const msg = `${id}: CRD ${crd.metadata.name} from crds/ was REJECTED by kube-apiserver: ${(e as Error).message}`;
      log(`WARNING: ${msg}`);
      updateState((st) => {
        st.crdErrors = [...(st.crdErrors ?? []), msg];
      });
    }
  }
  return crds;
}

/** CoreDNS RBAC, kwok's StorageClass and the fake nodes (created only when absent). */
async function applyBootstrapObjects(kube: KubeClient, c: ClusterState): Promise<void> {
  await kube.apply(CORE_DNS_RBAC, { fieldManager: 'testbed' });
  await kube.apply(fs.readFileSync(cachedBuild().kwokStorageClass, 'utf8'), { fieldManager: 'testbed' });
  for (const n of nodeObjects(c)) {
    if (!(await kube.tryGet('v1', 'Node', n.metadata.name))) await kube.create(n);
  }
}

/** Waits until the CRDs are Established, kwok reports the nodes Ready and kube-controller-manager made default/default. */
async function waitBootstrapped(kube: KubeClient, c: ClusterState, crds: KubeObject[]): Promise<void> {
  const id = c.id;
  await waitForCrdsEstablished(kube, crds, `${id}: CRDs`);
  await waitFor(`${id}: nodes Ready (kwok)`, async () => {
    const nodes = await kube.list('v1', 'Node');
    return c.nodes.every((name) => nodes.find((n: any) => n.metadata.name === name)?.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
  }, { timeoutMs: 60000 });
  // the serviceaccount controller (KCM) creates "default" in every namespace; the token controller is what CoreDNS's token relies on
  await waitFor(`${id}: ServiceAccount default/default (kube-controller-manager)`, () => kube.tryGet('v1', 'ServiceAccount', 'default', 'default'), { timeoutMs: 60000 });
}

/**
 * Starts CoreDNS and waits until it answers kubernetes.default with the right IP: with the bed's
 * default Corefile, or (mode 'configmap') with kubeadm's, seeded into kube-system/coredns; returns
 * that ConfigMap's resourceVersion then.
 */
async function startCoreDns(kube: KubeClient, c: ClusterState, mode: CoreDnsMode): Promise<string | undefined> {
  // CoreDNS authenticates as ServiceAccount kube-system/coredns with a real TokenRequest token
  const token = await kube.createToken('kube-system', 'coredns', 365 * 24 * 3600);
  fs.writeFileSync(c.coredns.kubeconfig, kubeconfigYaml([{ name: c.coredns.kubeconfigContext, server: c.server, caFile: c.caFile, token }], c.coredns.kubeconfigContext), { mode: 0o600 });
  const seeded = mode === 'configmap' ? await seedCoreDnsConfigMap(kube) : undefined;
  fs.writeFileSync(c.coredns.corefile, seeded ? localCorefileFor(c, seeded.corefile) : defaultCorefile(c, 'in-tree'));
  await startComponent(c.id, 'coredns', { timeoutMs: 30000 });
  await waitFor(`${c.id}: CoreDNS answers kubernetes.default.svc.cluster.local = ${c.kubernetesServiceIp}`, async () => {
    const a = await resolveA(c.coredns.address, 'kubernetes.default.svc.cluster.local');
    return a.length === 1 && a[0] === c.kubernetesServiceIp;
  }, { timeoutMs: 30000 });
  return seeded?.resourceVersion;
}

/**
 * Brings one planned cluster (its state already in the state file) up to ready; records seconds
 * per phase in timings. Returns the resourceVersion of the kube-system/coredns ConfigMap its CoreDNS
 * runs (mode 'configmap').
 */
export async function bringUpCluster(id: string, log: Log, timings: Record<string, number>): Promise<string | undefined> {
  const t0 = Date.now();
  const mark = (what: string) => {
    timings[`${id}/${what}`] = (Date.now() - t0) / 1000;
  };
  await startComponent(id, 'etcd', { timeoutMs: 30000 });
  mark('etcd');
  await startComponent(id, 'kube-apiserver', { timeoutMs: 90000 });
  mark('kube-apiserver');
  log(`${id}: kube-apiserver ready after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  // controllers start now and come up while the bootstrap objects are applied
  for (const n of CONTROLLERS) await startComponent(id, n, { wait: false });

  const s = requireState();
  const c = clusterOf(s, id);
  const kube = adminClient(id, s);
  try {
    const crds = await applyProjectCrds(kube, id, log);
    await applyBootstrapObjects(kube, c);
    for (const n of CONTROLLERS) await waitComponent(c, n, 60000);
    mark('controllers');
    await waitBootstrapped(kube, c, crds);
    mark('bootstrap');
    const configMapVersion = await startCoreDns(kube, c, s.coreDnsMode ?? 'bed');
    mark('coredns');
    log(`${id}: ready after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    return configMapVersion;
  } finally {
    kube.close();
  }
}
