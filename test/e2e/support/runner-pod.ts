/**
 * The runner Deployment's pod without a kubelet: its container spec read from dist, its volumes
 * written as the kubelet writes ConfigMap and Secret volumes, its process started and watched, its
 * HTTP endpoints read. Shared by the tests that run the packaged runner (as a host process, or from
 * the image built from the Dockerfile).
 */
import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { DnsMethod, HeadlessImport, MultiClusterStatefulSet, SyncRunner } from '../../../lib';
import { ContainerSpec } from '../../unit/support/container-run';
import { distObjects, renderFleetDist, runnerKubeconfig } from './fleet-run';
import * as tb from './testbed';

export const RUNNER_DEPLOYMENT = 'cdk8s-mcs-sync';

export interface RunnerContainer extends ContainerSpec {
  readonly image: string;
  readonly ports: { name: string; containerPort: number }[];
}

export interface RunnerPodSpec {
  readonly namespace: string;
  readonly container: RunnerContainer;
  readonly volumes: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
  /** The container port named `metrics` (the probes' port). */
  readonly port: number;
}

/** A fleet of a provider exporting `kv` (one redis pod) to a consumer (amcs), and the SyncRunner hosted in the consumer. */
export function renderRunnerFleet(ns: string, provider: string, consumer: string): string {
  return renderFleetDist((fleet) => {
    const a = fleet.addCluster(provider);
    const b = fleet.addCluster(consumer);
    new MultiClusterStatefulSet(fleet, 'kv', { namespace: ns, image: 'redis:7', providers: [{ cluster: a, replicas: 1 }], ports: [{ name: 'redis', port: 6379 }] });
    new HeadlessImport(fleet, 'kv-import', { serviceName: 'kv', namespace: ns, consumers: [b], dnsMethods: [DnsMethod.AMCS] });
    new SyncRunner(fleet, 'runner', { hostCluster: b });
  }, 'runner-pod');
}

/** Applies every object of dist but the runner's own Deployment: the test plays that Deployment's pod. */
export async function applyAllButTheRunner(dist: string, clusterIds: readonly string[]): Promise<void> {
  for (const id of clusterIds) {
    await tb.apply(id, distObjects(dist, id).filter((o) => !(o.kind === 'Deployment' && o.metadata.name === RUNNER_DEPLOYMENT)));
  }
}

export function runnerPodSpec(dist: string, hostClusterId: string): RunnerPodSpec {
  const deployment = distObjects(dist, hostClusterId).find((o) => o.kind === 'Deployment' && o.metadata.name === RUNNER_DEPLOYMENT) as unknown as {
    metadata: { namespace: string };
    spec: { template: { spec: { containers: RunnerContainer[]; volumes: RunnerPodSpec['volumes'] } } };
  };
  const container = deployment.spec.template.spec.containers[0];
  const port = container.ports.find((p) => p.name === 'metrics')!.containerPort;
  return { namespace: deployment.metadata.namespace, container, volumes: deployment.spec.template.spec.volumes, port };
}

/**
 * Writes each mounted volume under `root` + its mount path, mode 0644 (the kubelet's defaultMode):
 * ConfigMaps from dist, the kubeconfig Secret as the README creates it
 * (`kubectl create secret generic <name> --from-file=kubeconfig=runner.kubeconfig`).
 */
export function writeVolumes(root: string, dist: string, hostClusterId: string, spec: RunnerPodSpec): void {
  const objects = distObjects(dist, hostClusterId);
  for (const m of spec.container.volumeMounts ?? []) {
    const volume = spec.volumes.find((v) => v.name === m.name)!;
    const dir = path.join(root, m.mountPath);
    fs.mkdirSync(dir, { recursive: true });
    const data: Record<string, string> = volume.configMap
      ? (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap!.name) as unknown as { data: Record<string, string> }).data
      : { kubeconfig: fs.readFileSync(runnerKubeconfig(), 'utf8') };
    for (const [key, text] of Object.entries(data)) {
      fs.writeFileSync(path.join(dir, key), text, { mode: 0o644 });
    }
  }
}

/** Every file under `dir` with its size and mtime, to show a process wrote nothing there. */
export function snapshot(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => {
    const file = path.join(e.parentPath, e.name);
    const st = fs.lstatSync(file);
    return `${path.relative(dir, file)} ${st.size} ${st.mtimeMs}`;
  }).sort();
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer().once('error', () => resolve(false)).listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

export async function httpGet(port: number, p: string): Promise<{ status: number; body: string; type: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${p}`);
    return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
  } catch {
    return { status: 0, body: '', type: '' };
  }
}

export interface RunningPod {
  readonly proc: ChildProcess;
  readonly log: string[];
  /** Resolves to the exit code (null when killed by a signal). */
  readonly exit: Promise<number | null>;
}

/** Starts a process with its output collected. */
export function startPod(command: string, args: readonly string[], options: SpawnOptions): RunningPod {
  const log: string[] = [];
  const proc = spawn(command, [...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => log.push(String(d)));
  proc.stderr!.on('data', (d) => log.push(String(d)));
  return { proc, log, exit: new Promise((resolve) => proc.once('exit', (code) => resolve(code))) };
}

/** SIGTERM, as the kubelet stops a container; the exit code, or a description when it does not stop within `graceMs`. */
export async function stopPod(pod: RunningPod, graceMs = 30_000): Promise<number | null | string> {
  pod.proc.kill('SIGTERM');
  return Promise.race([pod.exit, new Promise<string>((resolve) => setTimeout(() => resolve(`still running after ${graceMs} ms`), graceMs).unref())]);
}
