/**
 * The runner image, proven without a container engine: the package built and installed as the
 * Dockerfile does (build context from .dockerignore, `npm pack`, `npm install --omit=dev` of the
 * tarball into an empty folder), then started EXACTLY as the emitted Deployment starts it: the
 * image's ENTRYPOINT, WORKDIR, ENV and user, the container's args with `$(POD_NAME)` expanded, its
 * env, fleet.json and the kubeconfig written where the ConfigMap and the Secret are mounted (under
 * a temp root). It must get ready, sync an export into the consumer, serve well-formed Prometheus
 * metrics, write nothing to its own install, and stop cleanly on SIGTERM.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { containerArgv, containerEnv, mapMountedPaths } from '../unit/support/container-run';
import { finalStage } from '../unit/support/dockerfile';
import { Family, parsePrometheusText, sampleValue } from '../unit/support/prometheus-text';
import { deleteNamespaceAndWait, ensureRunnerNamespace, eventually, runnerKubeconfig, waitForPods, removeRenderedDists } from './support/fleet-run';
import { installProduction, packLikeTheImage } from './support/package-build';
import { applyAllButTheRunner, httpGet, portFree, renderRunnerFleet, RunnerPodSpec, runnerPodSpec, RunningPod, snapshot, startPod, stopPod, writeVolumes } from './support/runner-pod';
import * as tb from './support/testbed';

const [provider, consumer] = ['cluster-1', 'cluster-2'];
const ns = tb.uniqueName('pkg');
const podName = `cdk8s-mcs-sync-7c9d4-${ns.slice(-6)}`;
const image = finalStage();
let work: string;
let dist: string;
/** The container's root filesystem: the install under the image's WORKDIR, the volumes under their mount paths. */
let root: string;
let spec: RunnerPodSpec;
let runner: RunningPod | undefined;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-pkg-'));
  fs.chmodSync(work, 0o755); // the image's user must reach the install
  root = path.join(work, 'root');
  installProduction(packLikeTheImage(work), path.join(root, image.workdir));
  dist = renderRunnerFleet(ns, provider, consumer);
  spec = runnerPodSpec(dist, consumer);
  await ensureRunnerNamespace([provider, consumer]);
  await applyAllButTheRunner(dist, [provider, consumer]);
}, 900_000);

afterAll(async () => {
  runner?.proc.kill('SIGKILL');
  await deleteNamespaceAndWait(ns).catch(() => undefined);
  tb.closeClients();
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(dist, { recursive: true, force: true });
});

// Declared after the file's other top-level afterAll, so it runs last (jest runs them in declaration order).
afterAll(() => removeRenderedDists());

describe('the runner installed as the image installs it, run as the Deployment runs it', () => {
  it('installs with production dependencies only', () => {
    const modules = path.join(root, image.workdir, 'node_modules');
    expect(fs.existsSync(path.join(modules, 'cdk8s-mcs', 'build', 'lib', 'cli', 'index.js'))).toBe(true);
    expect(fs.existsSync(path.join(modules, 'prom-client'))).toBe(true);
    for (const dev of ['typescript', 'ts-node', 'jest', 'cdk8s-cli']) {
      expect({ dev, installed: fs.existsSync(path.join(modules, dev)) }).toEqual({ dev, installed: false });
    }
  });

  it('gets ready with the Deployment\'s command, args, env, user and mounted files', async () => {
    expect(await portFree(spec.port)).toBe(true); // the Deployment's port; something else on this machine holds it if this fails
    writeVolumes(root, dist, consumer, spec);
    const env = containerEnv(spec.container, { name: podName, namespace: spec.namespace });
    const argv = mapMountedPaths(containerArgv(spec.container, env, image.entrypoint), { volumeMounts: [...(spec.container.volumeMounts ?? []), { name: 'image', mountPath: image.workdir }] }, root);
    expect(argv[0]).toBe('node');
    const [uid, gid] = (image.user ?? '').split(':').map(Number);
    const before = snapshot(root);
    runner = startPod(process.execPath, argv.slice(1), {
      cwd: path.join(root, image.workdir),
      env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: '/', HOSTNAME: podName, ...image.env, ...env },
      ...(process.getuid?.() === 0 ? { uid, gid } : {}),
    });
    const started = Date.now();
    try {
      await eventually('/readyz 200', async () => (await httpGet(spec.port, '/readyz')).status === 200, 120_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nrunner log:\n${runner.log.join('')}`);
    }
    const status = fs.readFileSync(`/proc/${runner.proc.pid}/status`, 'utf8');
    process.stderr.write(`packaged runner ready ${Date.now() - started} ms after start; ${/VmRSS:\s*(.*)/.exec(status)?.[1]} resident\n`);
    if (process.getuid?.() === 0) {
      expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe(String(uid));
    }
    expect(snapshot(root)).toEqual(before);
  });

  it('syncs the provider\'s pods into the consumer, and follows a change', async () => {
    const ips = await waitForPods(provider, ns, 'kv', ['kv-0']);
    await tb.waitForDns(consumer, `kv-0.amcs-kv.${ns}.svc.cluster.local`, [ips['kv-0']]);
    const slices = await tb.client(consumer).list<{ metadata: { labels: Record<string, string> }; endpoints: { addresses: string[]; hostname: string; conditions: { ready: boolean } }[] }>('discovery.k8s.io/v1', 'EndpointSlice', ns, 'multicluster.kubernetes.io/service-name=kv');
    expect(slices.map((s) => [s.metadata.labels['multicluster.kubernetes.io/source-cluster'], s.endpoints.map((e) => [e.hostname, e.addresses, e.conditions.ready])])).toEqual([[provider, [['kv-0', [ips['kv-0']], true]]]]);
    await tb.client(provider).request('PATCH', `/apis/apps/v1/namespaces/${ns}/statefulsets/kv/scale`, { spec: { replicas: 2 } }, 'application/merge-patch+json');
    const after = await waitForPods(provider, ns, 'kv', ['kv-0', 'kv-1']);
    await tb.waitForDns(consumer, `kv-1.amcs-kv.${ns}.svc.cluster.local`, [after['kv-1']]);
  });

  it('serves /metrics that a strict Prometheus text parser accepts: _total counters, bounded histograms, process and Node.js metrics', async () => {
    const res = await httpGet(spec.port, '/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheusText(res.body);
    const counters = [...families.values()].filter((f) => f.type === 'counter');
    expect(counters.filter((f) => !f.name.endsWith('_total')).map((f) => f.name)).toEqual([]);
    const own = (f: Family) => f.name.startsWith('cdk8s_mcs_');
    expect([...families.values()].filter((f) => own(f) && f.type === 'counter').map((f) => f.name).sort()).toEqual(['cdk8s_mcs_api_requests_total', 'cdk8s_mcs_errors_total', 'cdk8s_mcs_informer_lists_total', 'cdk8s_mcs_reconciles_total', 'cdk8s_mcs_writes_total']);
    for (const h of [...families.values()].filter((f) => own(f) && f.type === 'histogram')) {
      expect(h.samples.length).toBeLessThanOrEqual(15); // 12 buckets, +Inf, _sum, _count: no per-sample memory
    }
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect({ name, present: families.has(name) }).toEqual({ name, present: true });
    }
    expect(sampleValue(families, 'cdk8s_mcs_leader')).toBe(1);
    expect(sampleValue(families, 'cdk8s_mcs_cluster_reachable', { cluster: provider })).toBe(1);
    expect(sampleValue(families, 'cdk8s_mcs_writes_total', { cluster: consumer, resource: 'endpointslices', verb: 'create' })).toBeGreaterThan(0); // derived slices are created, not applied (writer.ts)
    expect(families.get('cdk8s_mcs_api_requests_total')!.samples.length).toBeGreaterThan(0);
  });

  it('stops on SIGTERM with exit code 0, having written nothing to its install and no credential to its log', async () => {
    const installed = snapshot(path.join(root, image.workdir));
    expect(await stopPod(runner!)).toBe(0);
    expect(snapshot(path.join(root, image.workdir))).toEqual(installed);
    const tokens = [...fs.readFileSync(runnerKubeconfig(), 'utf8').matchAll(/token: (\S+)/g)].map((m) => m[1]);
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) {
      expect(runner!.log.join('')).not.toContain(token);
    }
  });
});
