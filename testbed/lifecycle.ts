/**
 * The whole bed's lifecycle: up (plan, PKI, kubeconfigs, bring every cluster up in parallel),
 * down (stop every recorded process and the watchdog), status, and the contract lines scripts read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cachedBuild, ensureBuilt, isComplete, Log } from './build';
import { bringUpCluster, writeComponentKubeconfigs } from './bring-up';
import { isFollower, startCoreDnsFollower, stopCoreDnsFollower } from './coredns-configmap';
import { assertPortsFree, defaultClusterIds, kubeconfigYaml, planCluster, validateClusterIds } from './cluster-plan';
import { createPki } from './pki';
import { probe } from './probes';
import { componentAlive, killProcess, pidAlive } from './processes';
import { BedState, bedDir, ClusterState, ComponentName, COMPONENTS, CoreDnsMode, readState, statePath, updateState, writeStateAtomic } from './state';

export interface UpOptions {
  clusters?: string[];
  owner?: BedState['owner']['kind'];
  ownerPid?: number;
  /** pid of a watchdog process that stops the bed when the owner dies (recorded so `down` stops it too) */
  watchdogPid?: number;
  log?: Log;
  /** skip the build step (binaries must be cached) */
  noBuild?: boolean;
  /** Prefix length of each fake node's pod range (default 24: 253 pod IPs per node; 18 at most: 16,381). */
  nodePodCidrPrefix?: number;
  /**
   * What CoreDNS runs: the bed's Corefile, which already serves clusterset.local (`bed`, what the
   * e2e tests expect), or what kube-system/coredns says, from kubeadm's default (`configmap`).
   * @default 'bed'
   */
  coreDns?: CoreDnsMode;
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

/** Empties <bed dir> (git-ignored). */
function freshBedDir(dir: string) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '.gitignore'), '*\n');
}

/** Creates every cluster's PKI and component kubeconfigs and the bed's admin kubeconfig (one context per cluster); returns its path. */
function writeCredentials(clusters: ClusterState[], dir: string): string {
  for (const c of clusters) {
    fs.mkdirSync(path.join(c.dir, 'home'), { recursive: true });
    const pki = createPki(path.join(c.dir, 'pki'), c.id, c.kubernetesServiceIp);
    c.adminToken = pki.tokens.admin;
    writeComponentKubeconfigs(c, pki.tokens);
  }
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, kubeconfigYaml(clusters.map((c) => ({ name: c.id, server: c.server, caFile: c.caFile, token: c.adminToken })), clusters[0].id), { mode: 0o600 });
  return kubeconfig;
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
  freshBedDir(dir);

  const clusters = ids.map((id, i) => planCluster(id, i, dir, build, { nodePodCidrPrefix: opts.nodePodCidrPrefix }));
  await assertPortsFree(clusters.flatMap((c) => Object.values(c.ports)));
  const kubeconfig = writeCredentials(clusters, dir);
  const state: BedState = {
    version: 1,
    dir,
    kubeconfig,
    binDir: build.dirs.bin,
    bin: build.bin,
    corednsExternalError: build.bin.corednsMulticluster ? undefined : (build.corednsMulticlusterError ?? 'not built'),
    owner: { kind: opts.owner ?? 'cli', pid: opts.ownerPid ?? process.pid, watchdogPid: opts.watchdogPid },
    startedAt: new Date().toISOString(),
    coreDnsMode: opts.coreDns ?? 'bed',
    clusters,
  };
  writeStateAtomic(state);
  log(`starting ${ids.length} cluster(s): ${ids.join(', ')} (state: ${statePath()})${state.coreDnsMode === 'configmap' ? '; CoreDNS runs what kube-system/coredns says (kubeadm\'s default at first)' : ''}`);
  const timings: Record<string, number> = {};
  try {
    const configMapVersions = await Promise.all(ids.map((id) => bringUpCluster(id, log, timings)));
    if (state.coreDnsMode === 'configmap') {
      startCoreDnsFollower(state, Object.fromEntries(ids.map((id, i) => [id, configMapVersions[i] as string])));
    }
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

/** Stops the recorded watchdog, if it is still one (not this process, alive, `watchdog` in its command line). */
async function stopWatchdog(wd: number | undefined): Promise<void> {
  if (!wd || wd === process.pid || !pidAlive(wd)) return;
  try {
    const cmd = fs.readFileSync(`/proc/${wd}/cmdline`, 'utf8');
    if (cmd.includes('watchdog')) await killProcess(wd, 'SIGTERM', 2000);
  } catch {
    /* gone */
  }
}

/**
 * Stops every process recorded in the state file (SIGTERM, SIGKILL after a grace period), verifies
 * none is left, and removes the state file. Runtime files (logs, data) are kept until the next up.
 */
export async function down(opts: { log?: Log; keepFiles?: boolean } = {}): Promise<{ stopped: number }> {
  const log = opts.log ?? defaultLog;
  const s = readState();
  if (!s) return { stopped: 0 };
  const follower = await stopCoreDnsFollower(s);
  const live = liveProcesses(s);
  // Clients first, then kube-apiserver, then etcd (an apiserver whose etcd vanished first takes
  // the whole grace period to shut down); clusters in parallel.
  const stages: ComponentName[][] = [['coredns', 'kwok', 'kube-scheduler', 'kube-controller-manager'], ['kube-apiserver'], ['etcd']];
  for (const stage of stages) {
    await Promise.all(live.filter((p) => stage.includes(p.component as ComponentName)).map((p) => killProcess(p.pid, 'SIGTERM', 8000)));
  }
  await stopWatchdog(s.owner.watchdogPid);
  const left = liveProcesses(s);
  if (left.length) throw new Error(`processes left after down: ${left.map((p) => `${p.cluster}/${p.component}:${p.pid}`).join(', ')}`);
  fs.rmSync(statePath(), { force: true });
  const stopped = live.length + (follower ? 1 : 0);
  if (stopped) log(`stopped ${stopped} process(es)`);
  return { stopped };
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
  if (s.coreDnsMode === 'configmap') {
    const pid = s.corednsFollower?.pid;
    const alive = !!pid && pidAlive(pid) && isFollower(pid);
    if (!alive) ok = false;
    details.push(`${'(all)'.padEnd(12)} ${'coredns-follower'.padEnd(24)} ${alive ? `pid ${pid}` : 'stopped'}`);
  }
  return { running: ok, state: s, details };
}
