/**
 * The test bed's state file: what every process of the bed is (binary, flags, pid, log), where the
 * bed lives, and a locked read-modify-write so that several processes (CLI, jest globalSetup and
 * teardown, test workers, the watchdog) can update it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildResult } from './build';
import { pidAlive } from './processes';

export const REPO_ROOT = path.resolve(__dirname, '..');

export type ComponentName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok' | 'coredns';
/** Start order; stop order is the reverse. */
export const COMPONENTS: ComponentName[] = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'coredns'];
export type CoreDnsFlavour = 'in-tree' | 'external';
/**
 * What the bed's CoreDNS runs. `bed`: the bed's own Corefile, which already serves clusterset.local
 * (what the e2e tests and benchmarks expect). `configmap`: what the cluster's kube-system/coredns
 * ConfigMap says, as on a real cluster, starting from kubeadm's default (no clusterset.local), so
 * the CoreDNS change a fleet applies is what makes clusterset names resolve.
 */
export type CoreDnsMode = 'bed' | 'configmap';

export interface ComponentState {
  /** pid (= process group id) while running, null when stopped */
  pid: number | null;
  binary: string;
  args: string[];
  env: Record<string, string>;
  log: string;
  startedAt?: string;
}

export interface ClusterState {
  id: string;
  index: number;
  /** kubeconfig context name (= cluster id) */
  context: string;
  dir: string;
  /** https://127.0.0.1:<apiserver port> */
  server: string;
  caFile: string;
  adminToken: string;
  serviceCidr: string;
  /** ClusterIP of default/kubernetes (first IP of serviceCidr) */
  kubernetesServiceIp: string;
  podCidr: string;
  nodes: string[];
  /** Each node's pod range (spec.podCIDR), in the order of `nodes`; absent in state files of older beds (then 10.<octet>.<n>.0/24). */
  nodePodCidrs?: string[];
  ports: { apiserver: number; etcd: number; etcdPeer: number; coredns: number; corednsReady: number; kcm: number; scheduler: number; kwok: number };
  coredns: {
    /** "127.0.0.1:<port>" */
    address: string;
    port: number;
    /** the Corefile the process runs with */
    corefile: string;
    /** kubeconfig (token of ServiceAccount kube-system/coredns) for CoreDNS's kubernetes/multicluster plugins */
    kubeconfig: string;
    /** context name inside that kubeconfig */
    kubeconfigContext: string;
    flavour: CoreDnsFlavour;
  };
  components: Record<ComponentName, ComponentState>;
}

export interface BedState {
  version: 1;
  dir: string;
  kubeconfig: string;
  binDir: string;
  bin: BuildResult['bin'];
  /** why the external-plugin CoreDNS flavour is unavailable, if it is */
  corednsExternalError?: string;
  owner: { kind: 'cli' | 'jest'; pid: number; watchdogPid?: number };
  /** project CRDs (crds/*.yaml) the apiserver rejected, with its message */
  crdErrors?: string[];
  startedAt: string;
  /** @default 'bed' (state files of older beds have none) */
  coreDnsMode?: CoreDnsMode;
  /** With coreDnsMode 'configmap': the process that makes each CoreDNS follow its ConfigMap (testbed/coredns-follower.ts). */
  corednsFollower?: { pid: number | null; log: string };
  readyAt?: string;
  upSeconds?: number;
  clusters: ClusterState[];
}

// ---------------------------------------------------------------------------------------------
// paths, state file

export function bedDir(): string {
  if (process.env.TESTBED_DIR) return path.resolve(process.env.TESTBED_DIR);
  if (process.env.TESTBED_STATE) return path.dirname(path.resolve(process.env.TESTBED_STATE));
  return path.join(REPO_ROOT, '.testbed');
}

export function statePath(): string {
  return process.env.TESTBED_STATE ? path.resolve(process.env.TESTBED_STATE) : path.join(bedDir(), 'state.json');
}

export function readState(): BedState | undefined {
  try {
    return JSON.parse(fs.readFileSync(statePath(), 'utf8')) as BedState;
  } catch {
    return undefined;
  }
}

export function writeStateAtomic(s: BedState) {
  const p = statePath();
  fs.mkdirSync(path.dirname(p), { recursive: true });
  const tmp = `${p}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n');
  fs.renameSync(tmp, p);
}

function sleepSync(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Read-modify-write of the state file under a lock file (several processes may update it). */
export function updateState(fn: (s: BedState) => void): BedState {
  const lock = statePath() + '.lock';
  for (let i = 0; ; i++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      let holder = 0;
      try {
        holder = Number(fs.readFileSync(lock, 'utf8'));
      } catch {
        /* just released */
      }
      if (holder && !pidAlive(holder)) fs.rmSync(lock, { force: true });
      if (i > 1000) throw new Error(`state lock ${lock} held by pid ${holder} for too long`);
      sleepSync(10);
    }
  }
  try {
    const s = readState();
    if (!s) throw new Error(`no test bed state at ${statePath()}`);
    fn(s);
    writeStateAtomic(s);
    return s;
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// lookups

export function clusterOf(s: BedState, clusterId: string): ClusterState {
  const c = s.clusters.find((x) => x.id === clusterId);
  if (!c) throw new Error(`no cluster "${clusterId}" in the test bed (have: ${s.clusters.map((x) => x.id).join(', ')})`);
  return c;
}

export function requireState(): BedState {
  const s = readState();
  if (!s) throw new Error(`no test bed is running (no ${statePath()}); start one with \`npm run testbed -- up\``);
  return s;
}
