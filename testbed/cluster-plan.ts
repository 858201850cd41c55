/**
 * What a cluster of the bed looks like before anything runs: its ports, CIDRs, paths, every
 * component's flags, its kubeconfigs and its default Corefile. Pure apart from reading the
 * environment and writing the cluster's kwok config files (stages, exec).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { BuildResult } from './build';
import { writePodExecConfig } from './pod-exec';
import { ClusterState, ComponentName, ComponentState, CoreDnsFlavour, REPO_ROOT } from './state';

export const MAX_CLUSTERS = 8;

export function portBase(): number {
  const b = Number(process.env.TESTBED_PORT_BASE || 21000);
  if (!Number.isInteger(b) || b < 1024 || b + MAX_CLUSTERS * 100 > 32767) throw new Error(`TESTBED_PORT_BASE=${process.env.TESTBED_PORT_BASE}: need an integer in 1024..${32767 - MAX_CLUSTERS * 100}`);
  return b;
}

export function validateClusterIds(ids: string[]) {
  if (ids.length < 1 || ids.length > MAX_CLUSTERS) throw new Error(`need 1..${MAX_CLUSTERS} clusters, got ${ids.length}`);
  for (const id of ids) {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(id)) throw new Error(`cluster id "${id}" is not a DNS label (it must be one: <pod>.<clusterid>.<svc>.<ns>.svc.clusterset.local)`);
  }
  if (new Set(ids).size !== ids.length) throw new Error(`duplicate cluster ids: ${ids.join(',')}`);
}

/** Cluster IDs of the example fleet: dist/fleet.json's clusters[].id if present, else cluster-1,cluster-2. */
export function defaultClusterIds(): string[] {
  try {
    const fleet = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'dist', 'fleet.json'), 'utf8'));
    const ids = (fleet.clusters ?? []).map((c: { id?: string }) => c.id).filter(Boolean);
    if (ids.length) return ids;
  } catch {
    /* no synthesized fleet */
  }
  return ['cluster-1', 'cluster-2'];
}

function minimalEnv(home: string): Record<string, string> {
  const env: Record<string, string> = { HOME: home, PATH: process.env.PATH || '/usr/bin:/bin' };
  for (const k of ['LANG', 'TZ']) if (process.env[k]) env[k] = process.env[k] as string;
  return env;
}

export function kubeconfigYaml(entries: { name: string; server: string; caFile: string; token: string }[], current: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: entries.map((e) => ({ name: e.name, cluster: { server: e.server, 'certificate-authority': e.caFile } })),
    users: entries.map((e) => ({ name: `${e.name}-user`, user: { token: e.token } })),
    contexts: entries.map((e) => ({ name: e.name, context: { cluster: e.name, user: `${e.name}-user` } })),
    'current-context': current,
  });
}

/** The default Corefile for a cluster's CoreDNS (flavour in-tree: stock `kubernetes { multicluster }`). */
export function defaultCorefile(c: Pick<ClusterState, 'coredns' | 'ports'>, flavour: CoreDnsFlavour = 'in-tree'): string {
  const kc = `kubeconfig ${c.coredns.kubeconfig} ${c.coredns.kubeconfigContext}`;
  if (flavour === 'in-tree') {
    return `.:${c.ports.coredns} {
    bind 127.0.0.1
    errors
    log
    ready 127.0.0.1:${c.ports.corednsReady}
    kubernetes cluster.local clusterset.local in-addr.arpa ip6.arpa {
        ${kc}
        pods insecure
        multicluster clusterset.local
        fallthrough in-addr.arpa ip6.arpa
    }
}
`;
  }
  return `.:${c.ports.coredns} {
    bind 127.0.0.1
    errors
    log
    ready 127.0.0.1:${c.ports.corednsReady}
    multicluster clusterset.local {
        ${kc}
    }
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        ${kc}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
}
`;
}

/** What the per-component flag builders need to know about one cluster. */
interface ClusterLayout {
  id: string;
  /** <bed dir>/<id> */
  cdir: string;
  pki: string;
  ports: ClusterState['ports'];
  serviceCidr: string;
  podCidr: string;
  /** second octet of the pod CIDR (10.<podOctet>.0.0/16) */
  podOctet: number;
}

const kubeconfigFile = (l: ClusterLayout, name: string) => path.join(l.cdir, `${name}.kubeconfig`);

function etcdArgs(l: ClusterLayout): string[] {
  const { id, ports } = l;
  return [
    `--name=${id}`,
    `--data-dir=${path.join(l.cdir, 'etcd-data')}`,
    `--listen-client-urls=http://127.0.0.1:${ports.etcd}`,
    `--advertise-client-urls=http://127.0.0.1:${ports.etcd}`,
    `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
    `--initial-cluster=${id}=http://127.0.0.1:${ports.etcdPeer}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

function apiserverArgs(l: ClusterLayout): string[] {
  const { pki, ports } = l;
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcd}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.apiserver}`,
    `--tls-cert-file=${path.join(pki, 'apiserver.crt')}`,
    `--tls-private-key-file=${path.join(pki, 'apiserver.key')}`,
    `--client-ca-file=${path.join(pki, 'ca.crt')}`,
    `--token-auth-file=${path.join(pki, 'tokens.csv')}`,
    '--authorization-mode=Node,RBAC',
    `--service-account-issuer=https://127.0.0.1:${ports.apiserver}`,
    `--service-account-key-file=${path.join(pki, 'sa.pub')}`,
    `--service-account-signing-key-file=${path.join(pki, 'sa.key')}`,
    `--service-cluster-ip-range=${l.serviceCidr}`,
    '--endpoint-reconciler-type=none',
    // kubectl exec: the kubelet of every fake node is kwok, at the nodes' ExternalIP 127.0.0.1 (see pod-exec.ts);
    // no --kubelet-certificate-authority, so kwok's self-signed serving certificate is not verified.
    '--kubelet-preferred-address-types=ExternalIP',
    '--allow-privileged=true',
    '--profiling=false',
    `--cert-dir=${path.join(l.cdir, 'apiserver-certs')}`,
  ];
}

/** Flags kube-controller-manager and kube-scheduler share: their kubeconfig, no leader election, a local secure port. */
function controlPlaneClientArgs(l: ClusterLayout, name: 'kube-controller-manager' | 'kube-scheduler', o: { port: number; certDir: string }): string[] {
  const kc = kubeconfigFile(l, name);
  return [
    `--kubeconfig=${kc}`,
    `--authentication-kubeconfig=${kc}`,
    `--authorization-kubeconfig=${kc}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    `--secure-port=${o.port}`,
    `--cert-dir=${path.join(l.cdir, o.certDir)}`,
    '--profiling=false',
  ];
}

function controllerManagerArgs(l: ClusterLayout): string[] {
  return [
    ...controlPlaneClientArgs(l, 'kube-controller-manager', { port: l.ports.kcm, certDir: 'kcm-certs' }),
    `--root-ca-file=${path.join(l.pki, 'ca.crt')}`,
    `--service-account-private-key-file=${path.join(l.pki, 'sa.key')}`,
    '--use-service-account-credentials=true',
    `--cluster-signing-cert-file=${path.join(l.pki, 'ca.crt')}`,
    `--cluster-signing-key-file=${path.join(l.pki, 'ca.key')}`,
    `--cluster-name=${l.id}`,
    `--service-cluster-ip-range=${l.serviceCidr}`,
  ];
}

function schedulerArgs(l: ClusterLayout): string[] {
  return controlPlaneClientArgs(l, 'kube-scheduler', { port: l.ports.scheduler, certDir: 'scheduler-certs' });
}

function kwokArgs(l: ClusterLayout, kwokStages: string): string[] {
  return [
    `--kubeconfig=${kubeconfigFile(l, 'kwok')}`,
    `--config=${kwokStagesForAnyKwokClass(kwokStages, path.join(l.cdir, 'kwok-stages.yaml'))}`,
    `--config=${writePodExecConfig(l.cdir, l.ports.coredns)}`,
    '--manage-all-nodes=true',
    `--cidr=${l.podCidr}`,
    `--node-ip=10.${l.podOctet}.255.254`,
    '--node-lease-duration-seconds=40',
    `--server-address=127.0.0.1:${l.ports.kwok}`,
  ];
}

/** Prefix length of each node's pod range by default: a /24 per node (253 pod IPs each). */
export const DEFAULT_NODE_POD_CIDR_PREFIX = 24;
/** The largest node range the plan allows: two /18 stay below 10.<octet>.255.x, where the node addresses are. */
export const MIN_NODE_POD_CIDR_PREFIX = 18;

/**
 * The pod range of each of a cluster's nodes inside its 10.<octet>.0.0/16: consecutive blocks of
 * the given prefix length (default /24: 10.<octet>.0.0/24, 10.<octet>.1.0/24).
 */
export function nodePodCidrs(podOctet: number, nodeCount: number, prefix: number = DEFAULT_NODE_POD_CIDR_PREFIX): string[] {
  if (!Number.isInteger(prefix) || prefix < MIN_NODE_POD_CIDR_PREFIX || prefix > 24) throw new Error(`node pod CIDR prefix /${prefix}: need an integer in ${MIN_NODE_POD_CIDR_PREFIX}..24`);
  const step = 2 ** (24 - prefix);
  return Array.from({ length: nodeCount }, (_, n) => `10.${podOctet}.${n * step}.0/${prefix}`);
}

/**
 * Pod IPs one node range of this prefix length offers, counted conservatively (without the network,
 * first and broadcast addresses). kwok 0.8 counts up from the range's first address and does not
 * stop at its end: more pods than this on one node get addresses of the next node's range (duplicates).
 */
export function podIpsPerNode(prefix: number = DEFAULT_NODE_POD_CIDR_PREFIX): number {
  return 2 ** (32 - prefix) - 3;
}

export interface PlanOptions {
  /** Prefix length of each node's pod range; see nodePodCidrs. @default 24 */
  nodePodCidrPrefix?: number;
}

export function planCluster(id: string, index: number, dir: string, build: BuildResult, opts: PlanOptions = {}): ClusterState {
  const base = portBase() + index * 100;
  const ports = { apiserver: base, etcd: base + 1, etcdPeer: base + 2, kcm: base + 3, scheduler: base + 4, kwok: base + 5, coredns: base + 53, corednsReady: base + 54 };
  const cdir = path.join(dir, id);
  const podOctet = 10 * (index + 1);
  const l: ClusterLayout = { id, cdir, pki: path.join(cdir, 'pki'), ports, serviceCidr: `10.${96 + index}.0.0/16`, podCidr: `10.${podOctet}.0.0/16`, podOctet };
  const env = minimalEnv(path.join(cdir, 'home'));
  const comp = (name: ComponentName, binary: string, args: string[]): ComponentState => ({ pid: null, binary, args, env, log: path.join(cdir, 'logs', `${name}.log`) });
  const coredns = {
    address: `127.0.0.1:${ports.coredns}`,
    port: ports.coredns,
    corefile: path.join(cdir, 'Corefile'),
    kubeconfig: kubeconfigFile(l, 'coredns'),
    kubeconfigContext: id,
    flavour: 'in-tree' as CoreDnsFlavour,
  };
  return {
    id,
    index,
    context: id,
    dir: cdir,
    server: `https://127.0.0.1:${ports.apiserver}`,
    caFile: path.join(l.pki, 'ca.crt'),
    adminToken: '',
    serviceCidr: l.serviceCidr,
    kubernetesServiceIp: `10.${96 + index}.0.1`,
    podCidr: l.podCidr,
    nodes: [0, 1].map((n) => `${id}-node-${n}`),
    nodePodCidrs: nodePodCidrs(podOctet, 2, opts.nodePodCidrPrefix),
    ports,
    coredns,
    components: {
      etcd: comp('etcd', build.bin.etcd, etcdArgs(l)),
      'kube-apiserver': comp('kube-apiserver', build.bin.kubeApiserver, apiserverArgs(l)),
      'kube-controller-manager': comp('kube-controller-manager', build.bin.kubeControllerManager, controllerManagerArgs(l)),
      'kube-scheduler': comp('kube-scheduler', build.bin.kubeScheduler, schedulerArgs(l)),
      kwok: comp('kwok', build.bin.kwok, kwokArgs(l, build.kwokStages)),
      coredns: comp('coredns', build.bin.coredns, ['-conf', coredns.corefile]),
    },
  };
}

/**
 * kwok's volume stages provision only PVCs of StorageClass `kwok-volume`. Fleets name their own
 * per-cluster classes (`standard`, `gp3`, ...), so the bed selects by provisioner instead: any PVC
 * whose class has provisioner `kwok.x-k8s.io/volume` (the PV controller copies it into the
 * `volume.kubernetes.io/storage-provisioner` annotation), and any PV kwok provisioned.
 */
function kwokStagesForAnyKwokClass(source: string, dest: string): string {
  const byClass = "self.spec.storageClassName == 'kwok-volume'";
  const pvcProvisioner = "has(self.metadata.annotations) && 'volume.kubernetes.io/storage-provisioner' in self.metadata.annotations && self.metadata.annotations['volume.kubernetes.io/storage-provisioner'] == 'kwok.x-k8s.io/volume'";
  const pvProvisioner = "has(self.metadata.annotations) && 'pv.kubernetes.io/provisioned-by' in self.metadata.annotations && self.metadata.annotations['pv.kubernetes.io/provisioned-by'] == 'kwok.x-k8s.io/volume'";
  const docs = fs.readFileSync(source, 'utf8').split('\n---\n').map((doc) => {
    if (/kind: PersistentVolumeClaim\n/.test(doc)) return doc.split(byClass).join(pvcProvisioner);
    if (/kind: PersistentVolume\n/.test(doc)) return doc.split(byClass).join(pvProvisioner);
    return doc;
  });
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, docs.join('\n---\n'));
  return dest;
}

export async function assertPortsFree(ports: number[]) {
  for (const port of ports) {
    await new Promise<void>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', () => reject(new Error(`port 127.0.0.1:${port} is in use; stop whatever holds it or set TESTBED_PORT_BASE (now ${portBase()})`)));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
    });
  }
}
