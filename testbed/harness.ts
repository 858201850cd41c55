/**
 * The multi-cluster test bed: N independent Kubernetes control planes on 127.0.0.1 (etcd,
 * kube-apiserver with TLS + token authn + RBAC, kube-controller-manager, kube-scheduler, kwok with
 * fake nodes) plus one CoreDNS per cluster serving cluster.local and clusterset.local on a high
 * port. Every process is spawned detached (its own process group) and recorded in a state file, so
 * any process (CLI, jest globalSetup/teardown, a test worker, the watchdog) can stop it by pid.
 *
 * See docs/testbed.md for the layout and the contract.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { BuildResult, cachedBuild, ensureBuilt, isComplete, Log } from './build';
import { dnsAnswers, resolveA } from './dns';
import { KubeClient, KubeObject, parseYamlObjects, waitFor } from './kube';
import { createPki } from './pki';

export const REPO_ROOT = path.resolve(__dirname, '..');

export type ComponentName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok' | 'coredns';
/** Start order; stop order is the reverse. */
export const COMPONENTS: ComponentName[] = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'coredns'];
export type CoreDnsFlavour = 'in-tree' | 'external';

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

function writeStateAtomic(s: BedState) {
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
function updateState(fn: (s: BedState) => void): BedState {
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
// processes

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const st = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return st !== 'Z' && st !== 'X';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** Alive and still running the recorded binary (guards against pid reuse after a crash/reboot). */
export function componentAlive(c: ComponentState): boolean {
  if (!c.pid || !pidAlive(c.pid)) return false;
  try {
    const argv0 = fs.readFileSync(`/proc/${c.pid}/cmdline`, 'utf8').split('\0')[0];
    return argv0 === c.binary || path.basename(argv0) === path.basename(c.binary);
  } catch {
    return true;
  }
}

function signalGroup(pid: number, sig: NodeJS.Signals) {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  }
}

/** Stops a process group: SIGTERM (or the given signal), then SIGKILL after graceMs. */
async function killProcess(pid: number, signal: NodeJS.Signals = 'SIGTERM', graceMs = 8000): Promise<void> {
  signalGroup(pid, signal);
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) {
      signalGroup(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
      if (Date.now() > deadline + 5000) throw new Error(`pid ${pid} survived SIGKILL`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function spawnDetached(c: ComponentState, cwd: string): number {
  if (!fs.existsSync(c.binary)) throw new Error(`binary ${c.binary} is missing (run \`npm run testbed -- build\`)`);
  fs.mkdirSync(path.dirname(c.log), { recursive: true });
  const fd = fs.openSync(c.log, 'a');
  fs.writeSync(fd, `\n===== ${new Date().toISOString()} ${c.binary} ${c.args.join(' ')}\n`);
  try {
    const child = spawn(c.binary, c.args, { cwd, env: c.env, detached: true, stdio: ['ignore', fd, fd] });
    child.on('error', () => undefined);
    child.unref();
    if (!child.pid) throw new Error(`could not start ${c.binary}`);
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

export function logTail(file: string, lines = 25): string {
  try {
    const all = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------------------------------------
// plans: ports, CIDRs, flags

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

function kubeconfigYaml(entries: { name: string; server: string; caFile: string; token: string }[], current: string): string {
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

function planCluster(id: string, index: number, dir: string, build: BuildResult): ClusterState {
  const base = portBase() + index * 100;
  const ports = { apiserver: base, etcd: base + 1, etcdPeer: base + 2, kcm: base + 3, scheduler: base + 4, kwok: base + 5, coredns: base + 53, corednsReady: base + 54 };
  const cdir = path.join(dir, id);
  const pki = path.join(cdir, 'pki');
  const logs = path.join(cdir, 'logs');
  const home = path.join(cdir, 'home');
  const serviceCidr = `10.${96 + index}.0.0/16`;
  const podOctet = 10 * (index + 1);
  const podCidr = `10.${podOctet}.0.0/16`;
  const env = minimalEnv(home);
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const kc = (n: string) => path.join(cdir, `${n}.kubeconfig`);
  const comp = (name: ComponentName, binary: string, args: string[]): ComponentState => ({ pid: null, binary, args, env, log: path.join(logs, `${name}.log`) });
  const coredns = {
    address: `127.0.0.1:${ports.coredns}`,
    port: ports.coredns,
    corefile: path.join(cdir, 'Corefile'),
    kubeconfig: kc('coredns'),
    kubeconfigContext: id,
    flavour: 'in-tree' as CoreDnsFlavour,
  };
  return {
    id,
    index,
    context: id,
    dir: cdir,
    server,
    caFile: path.join(pki, 'ca.crt'),
    adminToken: '',
    serviceCidr,
    kubernetesServiceIp: `10.${96 + index}.0.1`,
    podCidr,
    nodes: [0, 1].map((n) => `${id}-node-${n}`),
    ports,
    coredns,
    components: {
      etcd: comp('etcd', build.bin.etcd, [
        `--name=${id}`,
        `--data-dir=${path.join(cdir, 'etcd-data')}`,
        `--listen-client-urls=http://127.0.0.1:${ports.etcd}`,
        `--advertise-client-urls=http://127.0.0.1:${ports.etcd}`,
        `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=${id}=http://127.0.0.1:${ports.etcdPeer}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ]),
      'kube-apiserver': comp('kube-apiserver', build.bin.kubeApiserver, [
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
        `--service-cluster-ip-range=${serviceCidr}`,
        '--endpoint-reconciler-type=none',
        '--allow-privileged=true',
        '--profiling=false',
        `--cert-dir=${path.join(cdir, 'apiserver-certs')}`,
      ]),
      'kube-controller-manager': comp('kube-controller-manager', build.bin.kubeControllerManager, [
        `--kubeconfig=${kc('kube-controller-manager')}`,
        `--authentication-kubeconfig=${kc('kube-controller-manager')}`,
        `--authorization-kubeconfig=${kc('kube-controller-manager')}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.kcm}`,
        `--cert-dir=${path.join(cdir, 'kcm-certs')}`,
        `--root-ca-file=${path.join(pki, 'ca.crt')}`,
        `--service-account-private-key-file=${path.join(pki, 'sa.key')}`,
        '--use-service-account-credentials=true',
        `--cluster-signing-cert-file=${path.join(pki, 'ca.crt')}`,
        `--cluster-signing-key-file=${path.join(pki, 'ca.key')}`,
        `--cluster-name=${id}`,
        `--service-cluster-ip-range=${serviceCidr}`,
        '--profiling=false',
      ]),
      'kube-scheduler': comp('kube-scheduler', build.bin.kubeScheduler, [
        `--kubeconfig=${kc('kube-scheduler')}`,
        `--authentication-kubeconfig=${kc('kube-scheduler')}`,
        `--authorization-kubeconfig=${kc('kube-scheduler')}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.scheduler}`,
        `--cert-dir=${path.join(cdir, 'scheduler-certs')}`,
        '--profiling=false',
      ]),
      kwok: comp('kwok', build.bin.kwok, [
        `--kubeconfig=${kc('kwok')}`,
        `--config=${kwokStagesForAnyKwokClass(build.kwokStages, path.join(cdir, 'kwok-stages.yaml'))}`,
        '--manage-all-nodes=true',
        `--cidr=${podCidr}`,
        `--node-ip=10.${podOctet}.255.254`,
        '--node-lease-duration-seconds=40',
        `--server-address=127.0.0.1:${ports.kwok}`,
      ]),
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

async function assertPortsFree(ports: number[]) {
  for (const port of ports) {
    await new Promise<void>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', () => reject(new Error(`port 127.0.0.1:${port} is in use; stop whatever holds it or set TESTBED_PORT_BASE (now ${portBase()})`)));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
    });
  }
}

// ---------------------------------------------------------------------------------------------
// readiness probes

function httpGet(url: string, opts: { ca?: Buffer; token?: string; insecure?: boolean } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method: 'GET',
        timeout: 2000,
        ...(u.protocol === 'https:' ? { ca: opts.ca, rejectUnauthorized: !opts.insecure, agent: false } : { agent: false }),
        headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function probe(c: ClusterState, name: ComponentName): Promise<boolean> {
  switch (name) {
    case 'etcd': {
      const r = await httpGet(`http://127.0.0.1:${c.ports.etcd}/health`);
      return r.status === 200 && /"health":\s*"true"/.test(r.body);
    }
    case 'kube-apiserver': {
      const r = await httpGet(`${c.server}/readyz`, { ca: fs.readFileSync(c.caFile), token: c.adminToken });
      return r.status === 200;
    }
    case 'kube-controller-manager':
      return (await httpGet(`https://127.0.0.1:${c.ports.kcm}/healthz`, { insecure: true })).status === 200;
    case 'kube-scheduler':
      return (await httpGet(`https://127.0.0.1:${c.ports.scheduler}/healthz`, { insecure: true })).status === 200;
    case 'kwok':
      return (await httpGet(`http://127.0.0.1:${c.ports.kwok}/healthz`)).status === 200;
    case 'coredns':
      return dnsAnswers(c.coredns.address);
  }
}

async function waitComponent(c: ClusterState, name: ComponentName, timeoutMs: number): Promise<void> {
  const comp = c.components[name];
  await waitFor(
    `${c.id}/${name} to become ready`,
    async () => {
      if (!componentAlive(comp)) throw Object.assign(new Error(`${c.id}/${name} (pid ${comp.pid}) exited; log ${comp.log}:\n${logTail(comp.log)}`), { fatal: true });
      return probe(c, name);
    },
    { timeoutMs, intervalMs: 200, fatal: (e) => (e as { fatal?: boolean }).fatal === true },
  ).catch((e) => {
    throw new Error(`${(e as Error).message}\n--- ${comp.log} (tail) ---\n${logTail(comp.log)}`);
  });
}

// ---------------------------------------------------------------------------------------------
// public API: clients

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

/** An admin (system:masters) client for a cluster. */
export function adminClient(clusterId: string, s: BedState = requireState()): KubeClient {
  const c = clusterOf(s, clusterId);
  return new KubeClient({ server: c.server, ca: fs.readFileSync(c.caFile), token: c.adminToken });
}

/**
 * Mints a TokenRequest token for ServiceAccount namespace/name (which must exist) and writes a
 * kubeconfig for it (one context named after the cluster). Returns the file path. For running
 * CoreDNS or the runner under a least-privilege identity.
 */
export async function serviceAccountKubeconfig(clusterId: string, namespace: string, name: string, opts: { file?: string; expirationSeconds?: number } = {}): Promise<string> {
  const s = requireState();
  const c = clusterOf(s, clusterId);
  const kube = adminClient(clusterId, s);
  try {
    const token = await kube.createToken(namespace, name, opts.expirationSeconds ?? 24 * 3600);
    const file = opts.file ?? path.join(c.dir, `sa-${namespace}-${name}.kubeconfig`);
    fs.writeFileSync(file, kubeconfigYaml([{ name: c.id, server: c.server, caFile: c.caFile, token }], c.id), { mode: 0o600 });
    return file;
  } finally {
    kube.close();
  }
}

// ---------------------------------------------------------------------------------------------
// public API: components (fault injection)

export interface StopOptions {
  /** SIGTERM (default, graceful with SIGKILL after graceMs) or SIGKILL (kill -9, no grace) */
  signal?: 'SIGTERM' | 'SIGKILL';
  graceMs?: number;
}

/** Stops one component of one cluster (its data stays). No-op when it is not running. */
export async function stopComponent(clusterId: string, name: ComponentName, opts: StopOptions = {}): Promise<void> {
  const c = clusterOf(requireState(), clusterId);
  const comp = c.components[name];
  if (comp.pid && componentAlive(comp)) await killProcess(comp.pid, opts.signal ?? 'SIGTERM', opts.signal === 'SIGKILL' ? 0 : (opts.graceMs ?? 8000));
  updateState((s) => {
    clusterOf(s, clusterId).components[name].pid = null;
  });
}

/** Starts one component with its recorded flags, ports and data; waits until it is ready unless wait=false. */
export async function startComponent(clusterId: string, name: ComponentName, opts: { wait?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const s0 = requireState();
  const c0 = clusterOf(s0, clusterId);
  if (componentAlive(c0.components[name])) return;
  const pid = spawnDetached(c0.components[name], c0.dir);
  const s = updateState((st) => {
    const comp = clusterOf(st, clusterId).components[name];
    comp.pid = pid;
    comp.startedAt = new Date().toISOString();
  });
  if (opts.wait !== false) await waitComponent(clusterOf(s, clusterId), name, opts.timeoutMs ?? 90000);
}

export async function restartComponent(clusterId: string, name: ComponentName, opts: StopOptions & { timeoutMs?: number } = {}): Promise<void> {
  await stopComponent(clusterId, name, opts);
  await startComponent(clusterId, name, { timeoutMs: opts.timeoutMs });
}

/** Stops every component of a cluster ("the cluster is lost"); data dirs stay, so startCluster brings it back with its state. */
export async function stopCluster(clusterId: string, opts: StopOptions & { keepDns?: boolean } = {}): Promise<void> {
  for (const name of [...COMPONENTS].reverse()) {
    if (opts.keepDns && name === 'coredns') continue;
    await stopComponent(clusterId, name, opts);
  }
}

/** Starts whatever is not running in a cluster, in dependency order, waiting for each. */
export async function startCluster(clusterId: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  for (const name of COMPONENTS) await startComponent(clusterId, name, opts);
}

export interface CoreDnsOptions {
  /** which binary: stock CoreDNS (in-tree multicluster option) or the build with the external plugin */
  flavour?: CoreDnsFlavour;
  /** wait until the server answers (any rcode) on its port; default true */
  wait?: boolean;
  timeoutMs?: number;
}

/** Whether the external-plugin CoreDNS flavour is available (and why not). */
export function corednsFlavours(s: BedState = requireState()): { inTree: true; external: boolean; externalError?: string } {
  return { inTree: true, external: !!s.bin.corednsMulticluster, externalError: s.corednsExternalError };
}

/**
 * Restarts a cluster's CoreDNS on the same port with the given Corefile text (default: the bed's
 * default Corefile for the flavour). The text must bind 127.0.0.1:<coredns port> and point the
 * plugins at `cluster.coredns.kubeconfig` (see defaultCorefile). Returns the address.
 */
export async function restartCoreDns(clusterId: string, corefileText?: string, opts: CoreDnsOptions = {}): Promise<string> {
  const s = requireState();
  const c = clusterOf(s, clusterId);
  const flavour = opts.flavour ?? 'in-tree';
  if (flavour === 'external' && !s.bin.corednsMulticluster) {
    throw new Error(`the external-plugin CoreDNS flavour was not built: ${s.corednsExternalError ?? 'unknown reason'}`);
  }
  await stopComponent(clusterId, 'coredns');
  fs.writeFileSync(c.coredns.corefile, corefileText ?? defaultCorefile(c, flavour));
  updateState((st) => {
    const cc = clusterOf(st, clusterId);
    cc.coredns.flavour = flavour;
    cc.components.coredns.binary = flavour === 'external' ? (st.bin.corednsMulticluster as string) : st.bin.coredns;
  });
  await startComponent(clusterId, 'coredns', { wait: opts.wait, timeoutMs: opts.timeoutMs ?? 30000 });
  return c.coredns.address;
}

// ---------------------------------------------------------------------------------------------
// bring-up

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

function projectCrds(): KubeObject[] {
  const dir = path.join(REPO_ROOT, 'crds');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  return files.flatMap((f) => parseYamlObjects(fs.readFileSync(path.join(dir, f), 'utf8'))).filter((o) => o.kind === 'CustomResourceDefinition');
}

function nodeObjects(c: ClusterState): KubeObject[] {
  const octet = 10 * (c.index + 1);
  return c.nodes.map((name, n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok', 'topology.kubernetes.io/zone': `${c.id}-zone-${n}` },
    },
    spec: { podCIDR: `10.${octet}.${n}.0/24`, podCIDRs: [`10.${octet}.${n}.0/24`] },
    status: {
      addresses: [
        { type: 'InternalIP', address: `10.${octet}.255.${n + 1}` },
        { type: 'Hostname', address: name },
      ],
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
    },
  }));
}

function writeComponentKubeconfigs(c: ClusterState, tokens: Record<string, string>) {
  const entry = (token: string) => [{ name: c.id, server: c.server, caFile: c.caFile, token }];
  fs.writeFileSync(path.join(c.dir, 'kube-controller-manager.kubeconfig'), kubeconfigYaml(entry(tokens['system:kube-controller-manager']), c.id), { mode: 0o600 });
  fs.writeFileSync(path.join(c.dir, 'kube-scheduler.kubeconfig'), kubeconfigYaml(entry(tokens['system:kube-scheduler']), c.id), { mode: 0o600 });
  fs.writeFileSync(path.join(c.dir, 'kwok.kubeconfig'), kubeconfigYaml(entry(tokens.kwok), c.id), { mode: 0o600 });
}

async function bringUpCluster(id: string, log: Log, timings: Record<string, number>): Promise<void> {
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
  for (const n of ['kube-controller-manager', 'kube-scheduler', 'kwok'] as ComponentName[]) await startComponent(id, n, { wait: false });

  const s = requireState();
  const c = clusterOf(s, id);
  const kube = adminClient(id, s);
  try {
    const build = cachedBuild();
    // The project's CRDs, as shipped. One the apiserver rejects is a project bug: it is reported
    // (stderr + state.crdErrors) and left out, the rest of the bed still comes up.
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
    await kube.apply(CORE_DNS_RBAC, { fieldManager: 'testbed' });
    await kube.apply(fs.readFileSync(build.kwokStorageClass, 'utf8'), { fieldManager: 'testbed' });
    for (const n of nodeObjects(c)) {
      if (!(await kube.tryGet('v1', 'Node', n.metadata.name))) await kube.create(n);
    }
    for (const n of ['kube-controller-manager', 'kube-scheduler', 'kwok'] as ComponentName[]) await waitComponent(c, n, 60000);
    mark('controllers');
    await waitFor(`${id}: CRDs Established`, async () => {
      for (const crd of crds) {
        const got = await kube.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', crd.metadata.name);
        if (!got.status?.conditions?.some((x: { type: string; status: string }) => x.type === 'Established' && x.status === 'True')) return false;
      }
      return true;
    }, { timeoutMs: 30000 });
    await waitFor(`${id}: nodes Ready (kwok)`, async () => {
      const nodes = await kube.list('v1', 'Node');
      return c.nodes.every((name) => nodes.find((n: any) => n.metadata.name === name)?.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
    }, { timeoutMs: 60000 });
    // the serviceaccount controller (KCM) creates "default" in every namespace; the token controller is what CoreDNS's token relies on
    await waitFor(`${id}: ServiceAccount default/default (kube-controller-manager)`, () => kube.tryGet('v1', 'ServiceAccount', 'default', 'default'), { timeoutMs: 60000 });
    mark('bootstrap');
    // CoreDNS authenticates as ServiceAccount kube-system/coredns with a real TokenRequest token
    const token = await kube.createToken('kube-system', 'coredns', 365 * 24 * 3600);
    fs.writeFileSync(c.coredns.kubeconfig, kubeconfigYaml([{ name: c.coredns.kubeconfigContext, server: c.server, caFile: c.caFile, token }], c.coredns.kubeconfigContext), { mode: 0o600 });
    fs.writeFileSync(c.coredns.corefile, defaultCorefile(c, 'in-tree'));
    await startComponent(id, 'coredns', { timeoutMs: 30000 });
    await waitFor(`${id}: CoreDNS answers kubernetes.default.svc.cluster.local = ${c.kubernetesServiceIp}`, async () => {
      const a = await resolveA(c.coredns.address, 'kubernetes.default.svc.cluster.local');
      return a.length === 1 && a[0] === c.kubernetesServiceIp;
    }, { timeoutMs: 30000 });
    mark('coredns');
    log(`${id}: ready after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  } finally {
    kube.close();
  }
}

export interface UpOptions {
  clusters?: string[];
  owner?: BedState['owner']['kind'];
  ownerPid?: number;
  /** pid of a watchdog process that stops the bed when the owner dies (recorded so `down` stops it too) */
  watchdogPid?: number;
  log?: Log;
  /** skip the build step (binaries must be cached) */
  noBuild?: boolean;
}

const defaultLog: Log = (line) => process.stderr.write(`[testbed] ${line}\n`);

/** The scriptable contract lines: KUBECONFIG=... and COREDNS_<ID>=127.0.0.1:<port>, one per cluster. */
export function contractLines(s: BedState): string[] {
  return [`KUBECONFIG=${s.kubeconfig}`, ...s.clusters.map((c) => `COREDNS_${c.id.toUpperCase().replace(/-/g, '_')}=${c.coredns.address}`)];
}

/** Every recorded component process that is still alive. */
export function liveProcesses(s: BedState | undefined = readState()): { cluster: string; component: string; pid: number }[] {
  if (!s) return [];
  const out: { cluster: string; component: string; pid: number }[] = [];
  for (const c of s.clusters) for (const n of COMPONENTS) if (componentAlive(c.components[n])) out.push({ cluster: c.id, component: n, pid: c.components[n].pid as number });
  return out;
}

/**
 * Starts the bed: builds if needed, wipes <bed dir>, creates PKI/kubeconfigs, starts all clusters
 * in parallel and waits until every cluster and its CoreDNS is ready. On failure everything
 * started is stopped again (logs are kept) and the error is rethrown.
 */
export async function up(opts: UpOptions = {}): Promise<BedState> {
  const log = opts.log ?? defaultLog;
  const ids = opts.clusters ?? defaultClusterIds();
  validateClusterIds(ids);
  const existing = readState();
  if (existing && liveProcesses(existing).length) throw new Error(`a test bed is already running (owner ${existing.owner.kind} pid ${existing.owner.pid}); stop it with \`npm run testbed -- down\``);
  if (existing) await down({ log });

  const build = opts.noBuild ? cachedBuild() : await ensureBuilt({ log: (l) => log(`build: ${l}`) });
  if (!isComplete()) throw new Error(`test-bed binaries are not complete in ${build.dirs.bin}; run \`npm run testbed -- build\``);
  const t0 = Date.now();
  const dir = bedDir();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '.gitignore'), '*\n');

  const clusters = ids.map((id, i) => planCluster(id, i, dir, build));
  await assertPortsFree(clusters.flatMap((c) => Object.values(c.ports)));
  for (const c of clusters) {
    fs.mkdirSync(path.join(c.dir, 'home'), { recursive: true });
    const pki = createPki(path.join(c.dir, 'pki'), c.id, c.kubernetesServiceIp);
    c.adminToken = pki.tokens.admin;
    writeComponentKubeconfigs(c, pki.tokens);
  }
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, kubeconfigYaml(clusters.map((c) => ({ name: c.id, server: c.server, caFile: c.caFile, token: c.adminToken })), clusters[0].id), { mode: 0o600 });
  const state: BedState = {
    version: 1,
    dir,
    kubeconfig,
    binDir: build.dirs.bin,
    bin: build.bin,
    corednsExternalError: build.bin.corednsMulticluster ? undefined : (build.corednsMulticlusterError ?? 'not built'),
    owner: { kind: opts.owner ?? 'cli', pid: opts.ownerPid ?? process.pid, watchdogPid: opts.watchdogPid },
    startedAt: new Date().toISOString(),
    clusters,
  };
  writeStateAtomic(state);
  log(`starting ${ids.length} cluster(s): ${ids.join(', ')} (state: ${statePath()})`);
  const timings: Record<string, number> = {};
  try {
    await Promise.all(ids.map((id) => bringUpCluster(id, log, timings)));
  } catch (e) {
    log(`bring-up failed; stopping what was started (logs kept under ${dir})`);
    await down({ log, keepFiles: true });
    throw e;
  }
  const upSeconds = (Date.now() - t0) / 1000;
  const s = updateState((st) => {
    st.readyAt = new Date().toISOString();
    st.upSeconds = upSeconds;
  });
  log(`test bed up in ${upSeconds.toFixed(1)}s`);
  return s;
}

/** True when the bed belongs to a jest run other than this process that is still running. */
export function ownerIsOtherLiveJest(owner: BedState['owner']): boolean {
  if (owner.kind !== 'jest' || owner.pid === process.pid || !pidAlive(owner.pid)) return false;
  try {
    return fs.readFileSync(`/proc/${owner.pid}/cmdline`, 'utf8').includes('jest');
  } catch {
    return true;
  }
}

/** Records the watchdog's pid (jest runs) so that `down` stops it too. */
export function setWatchdogPid(pid: number) {
  updateState((s) => {
    s.owner.watchdogPid = pid;
  });
}

/**
 * Stops every process recorded in the state file (SIGTERM, SIGKILL after a grace period), verifies
 * none is left, and removes the state file. Runtime files (logs, data) are kept until the next up.
 */
export async function down(opts: { log?: Log; keepFiles?: boolean } = {}): Promise<{ stopped: number }> {
  const log = opts.log ?? defaultLog;
  const s = readState();
  if (!s) return { stopped: 0 };
  const live = liveProcesses(s);
  // Clients first, then kube-apiserver, then etcd (an apiserver whose etcd vanished first takes
  // the whole grace period to shut down); clusters in parallel.
  const stages: ComponentName[][] = [['coredns', 'kwok', 'kube-scheduler', 'kube-controller-manager'], ['kube-apiserver'], ['etcd']];
  for (const stage of stages) {
    await Promise.all(live.filter((p) => stage.includes(p.component as ComponentName)).map((p) => killProcess(p.pid, 'SIGTERM', 8000)));
  }
  const wd = s.owner.watchdogPid;
  if (wd && wd !== process.pid && pidAlive(wd)) {
    try {
      const cmd = fs.readFileSync(`/proc/${wd}/cmdline`, 'utf8');
      if (cmd.includes('watchdog')) await killProcess(wd, 'SIGTERM', 2000);
    } catch {
      /* gone */
    }
  }
  const left = liveProcesses(s);
  if (left.length) throw new Error(`processes left after down: ${left.map((p) => `${p.cluster}/${p.component}:${p.pid}`).join(', ')}`);
  fs.rmSync(statePath(), { force: true });
  if (live.length) log(`stopped ${live.length} process(es)`);
  return { stopped: live.length };
}

export interface StatusReport {
  running: boolean;
  state?: BedState;
  /** human-readable lines (per component) */
  details: string[];
}

/** Checks every recorded process and probes the apiservers and CoreDNS servers. */
export async function status(): Promise<StatusReport> {
  const s = readState();
  if (!s) return { running: false, details: [`no test bed state at ${statePath()}`] };
  const details: string[] = [];
  let ok = !!s.readyAt;
  if (!s.readyAt) details.push('bring-up has not finished (or failed)');
  for (const c of s.clusters) {
    for (const n of COMPONENTS) {
      const comp = c.components[n];
      const alive = componentAlive(comp);
      let ready = false;
      if (alive) ready = await probe(c, n).catch(() => false);
      if (!alive || !ready) ok = false;
      details.push(`${c.id.padEnd(12)} ${n.padEnd(24)} ${alive ? `pid ${comp.pid}` : 'stopped'.padEnd(10)} ${alive ? (ready ? 'ready' : 'NOT READY') : ''}`);
    }
  }
  return { running: ok, state: s, details };
}

export { waitFor } from './kube';
export { ensureBuilt, isComplete } from './build';
