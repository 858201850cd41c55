/**
 * The image built from the Dockerfile, run as the emitted Deployment runs it: its own ENTRYPOINT,
 * user and WORKDIR, the container's args and env, the ConfigMap and the Secret bind-mounted
 * read-only at their mount paths. It runs where buildah is installed (.ci/run installs it, with
 * debootstrap); elsewhere it is skipped and says so. The image the Deployment names is built into
 * buildah's vfs storage first when it is missing, or when it was built from other code than the
 * working tree's (its source-digest label, scripts/image/source-digest.ts): CI once ran an image
 * older than the code under test. The build is scripts/image/build-without-registry.sh (where the
 * base image can be pulled, `buildah --storage-driver vfs bud -t cdk8s-mcs:<version> .`). test/e2e/runner-package.test.ts proves the same install without
 * a container engine on every run.
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { containerEnv, expandReferences } from '../unit/support/container-run';
import { parsePrometheusText, sampleValue } from '../unit/support/prometheus-text';
import { deleteNamespaceAndWait, ensureRunnerNamespace, eventually, removeRenderedDists, waitForPods } from './support/fleet-run';
import { applyAllButTheRunner, httpGet, portFree, renderRunnerFleet, RunnerPodSpec, runnerPodSpec, RunningPod, snapshot, startPod, writeVolumes } from './support/runner-pod';
import { IMAGE_SOURCE_LABEL, imageSourceDigest } from '../../scripts/image/source-digest';
import * as tb from './support/testbed';

const BUILDAH = ['--storage-driver', 'vfs'];
const [provider, consumer] = ['cluster-1', 'cluster-2'];
const ns = tb.uniqueName('img');
const podName = `cdk8s-mcs-sync-6b8f2-${ns.slice(-6)}`;

function buildah(...args: string[]): string {
  return execFileSync('buildah', [...BUILDAH, ...args], { encoding: 'utf8', stdio: 'pipe' }).trim();
}

/** Whether a command runs here (`<cmd> --version` exits 0). */
function hasCommand(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Why the image can be neither run nor built here, or undefined when it can (it is built in beforeAll when missing). */
function unavailable(imageName: string): string | undefined {
  if (!hasCommand('buildah')) {
    return 'buildah is not installed (apt-get install -y buildah debootstrap; .ci/run installs both)';
  }
  if (imageDigest(imageName) === null && !hasCommand('debootstrap')) {
    return `the image "${imageName}" is missing and debootstrap, which its build needs, is not installed (apt-get install -y debootstrap)`;
  }
  return undefined;
}

const dist = renderRunnerFleet(ns, provider, consumer);
const spec: RunnerPodSpec = runnerPodSpec(dist, consumer);
const skipBecause = unavailable(spec.container.image);
if (skipBecause) {
  process.stderr.write(`runner-image.test.ts skipped: ${skipBecause}\n`);
}
const describeIfImage = skipBecause ? describe.skip : describe;
const ROOT = path.resolve(__dirname, '..', '..');

/** The image's source-digest label; undefined when it has none, null when there is no such image. */
function imageDigest(imageName: string): string | undefined | null {
  let text: string;
  try {
    text = buildah('inspect', '--type', 'image', imageName);
  } catch {
    return null;
  }
  const inspected = JSON.parse(text) as { OCIv1: { config: { Labels?: Record<string, string> } } };
  return inspected.OCIv1.config.Labels?.[IMAGE_SOURCE_LABEL];
}

/** Builds the image when there is none, or when it was built from other sources than the working tree's. */
function ensureCurrentImage(imageName: string): void {
  const want = imageSourceDigest(ROOT);
  const have = imageDigest(imageName);
  if (have === want) {
    return;
  }
  const why = have === null ? 'does not exist' : `was built from ${have ?? 'unlabelled sources'}, the tree is ${want}`;
  process.stderr.write(`[runner-image] ${imageName} ${why}: building it (scripts/image/build-without-registry.sh)\n`);
  const started = Date.now();
  try {
    execFileSync(path.join(ROOT, 'scripts/image/build-without-registry.sh'), { cwd: ROOT, stdio: 'pipe', maxBuffer: 64 << 20 });
  } catch (e) {
    const out = `${(e as { stdout?: Buffer }).stdout ?? ''}${(e as { stderr?: Buffer }).stderr ?? ''}`;
    throw new Error(`building ${imageName} failed (${(e as Error).message.split('\n')[0]}); last lines:\n${out.split('\n').slice(-40).join('\n')}`);
  }
  const rebuilt = imageDigest(imageName);
  if (rebuilt !== want) {
    throw new Error(`built ${imageName} but its ${IMAGE_SOURCE_LABEL} label is ${rebuilt}, not ${want}`);
  }
  process.stderr.write(`[runner-image] built in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

let volumes: string;
let container: string;
let rootfs: string;
let runner: RunningPod | undefined;
/** The image's own paths, which the process must leave as they are (its root filesystem is read-only in the Deployment). */
const imagePaths = ['opt', 'usr', 'var', 'tmp', 'root', 'home'];
/** Every process below `pid`, from /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map(fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      return [[Number(d), Number(fs.readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1])] as const];
    } catch {
      return [];
    }
  }));
  const below = (p: number): number[] => [...parentOf].filter(([, parent]) => parent === p).flatMap(([child]) => [child, ...below(child)]);
  return below(pid);
}
const imageSnapshot = () => imagePaths.filter((p) => fs.existsSync(path.join(rootfs, p))).flatMap((p) => snapshot(path.join(rootfs, p)).map((l) => `${p}/${l}`));

afterAll(async () => {
  runner?.proc.kill('SIGKILL');
  if (container) {
    buildah('rm', container);
  }
  if (!skipBecause) {
    await deleteNamespaceAndWait(ns).catch(() => undefined);
  }
  tb.closeClients();
  removeRenderedDists(); // dist, and the runner kubeconfig's folder ensureRunnerNamespace rendered
  if (volumes) {
    fs.rmSync(volumes, { recursive: true, force: true });
  }
});

describeIfImage('the runner image built from the Dockerfile, run as the Deployment runs it (buildah, chroot isolation)', () => {
  beforeAll(async () => {
    ensureCurrentImage(spec.container.image);
    await ensureRunnerNamespace([provider, consumer]);
    await applyAllButTheRunner(dist, [provider, consumer]);
    volumes = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-img-'));
    fs.chmodSync(volumes, 0o755);
    writeVolumes(volumes, dist, consumer, spec);
    container = buildah('from', '--pull=never', '--name', `cdk8s-mcs-e2e-${crypto.randomBytes(3).toString('hex')}`, spec.container.image);
    rootfs = buildah('mount', container);
  }, 600_000);

  it('gets ready with the image\'s ENTRYPOINT and user, the container\'s args and env, and its volumes mounted read-only', async () => {
    expect(await portFree(spec.port)).toBe(true);
    const config = (JSON.parse(buildah('inspect', '--type', 'image', spec.container.image)) as { OCIv1: { config: { Entrypoint: string[]; User: string } } }).OCIv1.config;
    expect(config.User).toMatch(/^[1-9]\d*(:\d+)?$/);
    const env = containerEnv(spec.container, { name: podName, namespace: spec.namespace });
    const before = imageSnapshot();
    const args = [
      'run', '--isolation', 'chroot', '--network', 'host', '--hostname', podName,
      ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
      ...(spec.container.volumeMounts ?? []).flatMap((m) => ['--volume', `${path.join(volumes, m.mountPath)}:${m.mountPath}:ro`]),
      container, '--',
      ...(spec.container.command ?? config.Entrypoint), ...(spec.container.args ?? []).map((a) => expandReferences(a, env)),
    ];
    runner = startPod('buildah', [...BUILDAH, ...args], {});
    try {
      await eventually('/readyz 200', async () => (await httpGet(spec.port, '/readyz')).status === 200, 120_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nrunner log:\n${runner.log.join('')}`);
    }
    expect(imageSnapshot()).toEqual(before);
  });

  it('syncs the provider\'s pods into the consumer and follows a change', async () => {
    const ips = await waitForPods(provider, ns, 'kv', ['kv-0']);
    await tb.waitForDns(consumer, `kv-0.amcs-kv.${ns}.svc.cluster.local`, [ips['kv-0']]);
    await tb.client(provider).request('PATCH', `/apis/apps/v1/namespaces/${ns}/statefulsets/kv/scale`, { spec: { replicas: 2 } }, 'application/merge-patch+json');
    const after = await waitForPods(provider, ns, 'kv', ['kv-0', 'kv-1']);
    await tb.waitForDns(consumer, `kv-1.amcs-kv.${ns}.svc.cluster.local`, [after['kv-1']]);
  });

  it('serves well-formed metrics as the leader, and stops on SIGTERM with exit code 0 having written nothing to the image', async () => {
    const families = parsePrometheusText((await httpGet(spec.port, '/metrics')).body);
    expect(sampleValue(families, 'cdk8s_mcs_leader')).toBe(1);
    expect(families.has('process_resident_memory_bytes')).toBe(true);
    const before = imageSnapshot();
    // the container's process gets the SIGTERM, as a runtime delivers it to PID 1 (buildah run's chroot
    // isolation does not forward a signal it receives: it SIGKILLs its child, "subprocess exited on killed")
    const inside = descendants(runner!.proc.pid!).find((pid) => fs.readlinkSync(`/proc/${pid}/exe`).endsWith('/node'));
    expect(inside).toBeDefined();
    process.kill(inside!, 'SIGTERM');
    const code = await Promise.race([runner!.exit, new Promise((resolve) => setTimeout(() => resolve('still running after 30 s'), 30_000).unref())]);
    expect({ code, log: runner!.log.join('') }).toEqual({ code: 0, log: expect.stringContaining('stopping') });
    expect(imageSnapshot()).toEqual(before);
  });
});
