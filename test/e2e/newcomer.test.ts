/**
 * A newcomer's first hour, as README's "Start your own fleet" tells it: `npm pack` of a clone,
 * `cdk8s-mcs init` in an empty folder from that tarball, `npm install` (cdk8s-mcs from the
 * tarball: it is in no registry), their own fleet in main.ts (Redis in eu, imported into us with
 * both DNS forms and into ap with clusterset names), `npm run synth`, then the one command that
 * puts it on the bed: `npm run demo -- --dist dist`. Every name of the project's fleet.md must
 * resolve to its pod's IP through the consumer's CoreDNS running the ConfigMap that apply wrote.
 * On the way: a fleet problem under `npm run synth` prints the problem and no stack frame, and
 * SIGTERM/SIGINT stop a runner started through npx and through npm run.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { fleetMdNames } from '../../demo/fleet-md-names';
import { adaptCorefileForLocalRun } from '../../testbed/adapt-corefile';
import { NPM_QUIET, packCheckout, REPO, run, sh, userEnv } from './support/newcomer-project';
import { processesMentioning } from './support/processes';
import './support/testbed';

const SCAFFOLD_IMPORT = ["import { DnsMethod, Fleet, HeadlessImport, MultiClusterStatefulSet, SyncRunner } from 'cdk8s", "-mcs';"].join('');
const REDIS_FLEET = `${SCAFFOLD_IMPORT}

const fleet = new Fleet({ name: 'redis-fleet' });
const eu = fleet.addCluster('eu', { storageClass: 'fast-ssd', coreDnsVersion: '1.12.2' });
const us = fleet.addCluster('us', { storageClass: 'fast-ssd', coreDnsVersion: '1.12.2' });
const ap = fleet.addCluster('ap', { storageClass: 'fast-ssd', coreDnsVersion: '1.12.2' });

new MultiClusterStatefulSet(fleet, 'redis', {
  namespace: 'cache',
  image: 'redis:7.4',
  providers: [{ cluster: eu, replicas: 3 }],
  ports: [{ name: 'redis', port: 6379 }],
  secretEnv: [{ name: 'REDIS_PASSWORD', secretName: 'redis-auth', key: 'password' }],
  volumeClaims: [{ name: 'data', mountPath: '/data', size: '5Gi' }],
});
new HeadlessImport(fleet, 'redis-us', { serviceName: 'redis', namespace: 'cache', consumers: [us], dnsMethods: [DnsMethod.AMCS, DnsMethod.CLUSTERSET] });
new HeadlessImport(fleet, 'redis-ap', { serviceName: 'redis', namespace: 'cache', consumers: [ap], dnsMethods: [DnsMethod.CLUSTERSET] });
new SyncRunner(fleet, 'runner', { hostCluster: us });
fleet.synth();
`;

let work: string;
let tarball: string;
let project: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-newcomer-'));
  tarball = packCheckout(work);
  project = path.join(work, 'my-fleet');
  fs.mkdirSync(project);
}, 900_000);

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** Output lines that are a stack frame of this library, the app or ts-node (cdk8s-cli's own report of a failed app is allowed). */
function ourFrames(output: string): string[] {
  return output.split('\n').filter((l) => (/^\s+at /.test(l) || /\.(ts|js):\d+/.test(l)) && /cdk8s-mcs|main\.ts|ts-node/.test(l));
}

describe('a newcomer\'s first hour', () => {
  it('scaffolds from the tarball with init, which makes the project depend on that tarball', () => {
    const out = sh(project, 'npm', ['exec', '--yes', ...NPM_QUIET, `--package=${tarball}`, '--', 'cdk8s-mcs', 'init']);
    expect(out).toContain(`cdk8s-mcs dependency: ${tarball}`);
    expect(out).toContain('npm install && npm run synth');
    const pkg = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
    expect(pkg.dependencies['cdk8s-mcs']).toBe(`file:../${path.basename(tarball)}`);
  }, 600_000);

  it('installs with npm install, cdk8s-mcs from the tarball and not from a registry', () => {
    sh(project, 'npm', ['install', ...NPM_QUIET]);
    const lock = JSON.parse(fs.readFileSync(path.join(project, 'package-lock.json'), 'utf8'));
    expect(lock.packages['node_modules/cdk8s-mcs'].resolved).toBe(`file:../${path.basename(tarball)}`);
  }, 900_000);

  it('synthesizes their own fleet with npm run synth, without cdk8s-cli upgrade noise', () => {
    fs.writeFileSync(path.join(project, 'main.ts'), REDIS_FLEET);
    const r = run(project, 'npm', ['run', 'synth']);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: expect.not.stringMatching(/new version|upgrade|Error/i) });
    expect(fs.readdirSync(path.join(project, 'dist')).sort()).toEqual(['ap', 'eu', 'fleet.json', 'fleet.md', 'us']);
  }, 600_000);

  it('reports a fleet problem under npm run synth with exit 1, the problem and its fix, and no stack frame of the library, main.ts or ts-node', () => {
    const broken = REDIS_FLEET.replace("const ap = fleet.addCluster('ap', { storageClass: 'fast-ssd', coreDnsVersion: '1.12.2' });", "const ap = fleet.addCluster('ap', { storageClass: 'fast-ssd', coreDnsVersion: '1.8.0' });")
      .replace('fleet.synth();', "new HeadlessImport(fleet, 'redis-us-2', { serviceName: 'redis', namespace: 'cache', consumers: [us], dnsMethods: [DnsMethod.CLUSTERSET] });\nfleet.synth();");
    const r = withMain(broken, () => run(project, 'npm', ['run', 'synth']));
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status).toBe(1);
    expect(out).toContain('the fleet has 2 problems; nothing was written:');
    expect(out).toContain('Fix: combine them into one HeadlessImport with dnsMethods [DnsMethod.AMCS, DnsMethod.CLUSTERSET]');
    expect(out).toContain('Fix: upgrade CoreDNS to >= 1.12.2 (stock CoreDNS, CoreDnsFlavour.IN_TREE)');
    expect(ourFrames(out)).toEqual([]);
  }, 600_000);

  it('reports an invalid cluster ID in the same batched list, with the ID to use instead', () => {
    const r = withMain(REDIS_FLEET.replace("addCluster('ap'", "addCluster('AP_South'"), () => run(project, 'npm', ['run', 'synth']));
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status).toBe(1);
    expect(out).toContain('the fleet has 1 problem; nothing was written:\n  [AP_South] cluster "AP_South": the cluster ID');
    expect(out).toContain('Fix: use "ap-south" instead');
    expect(ourFrames(out)).toEqual([]);
  }, 600_000);

  it('synthesizes again once main.ts is fixed (cdk8s synth empties dist/ before it runs the app)', () => {
    const r = run(project, 'npm', ['run', 'synth']);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: expect.not.stringMatching(/new version|upgrade|Error/i) });
    expect(fs.readdirSync(path.join(project, 'dist')).sort()).toEqual(['ap', 'eu', 'fleet.json', 'fleet.md', 'us']);
  }, 600_000);

  // How a user stops it: `kill $!` sends SIGTERM to the npm process alone; Ctrl-C in a terminal
  // sends SIGINT to the whole foreground process group (npm, its shell and the runner). npm
  // ignores a SIGINT sent to it alone and waits for its child, as a shell does.
  describe.each([
    ['npx', ['npx', 'cdk8s-mcs', 'sync', '--dist', 'dist']],
    ['npm run', ['npm', 'run', 'sync', '--']],
  ])('the runner started through %s', (how, command) => {
    it.each([
      ['SIGTERM', 'the npm process alone, as kill $! does'],
      ['SIGINT', 'the process group, as Ctrl-C does'],
    ] as const)('stops on %s sent to %s, and warns about each unreachable cluster once', async (signal, target) => {
      const kubeconfig = unreachableKubeconfig(['eu', 'us', 'ap']);
      const logFile = path.join(work, `sync-${how.replace(' ', '-')}-${signal}.log`);
      const npm = startLogged(command, ['--kubeconfig', kubeconfig, '--metrics-port', '0', '--leader-elect', 'false'], logFile);
      try {
        await waitForText(logFile, 'sync started', 120_000);
        await sleep(6_000);
        if (target.startsWith('the npm process')) {
          npm.kill(signal);
        } else {
          process.kill(-npm.pid!, signal);
        }
        await waitForText(logFile, 'stopping', 20_000);
        await waitUntil(() => processesMentioning(kubeconfig).length === 0, 20_000);
        const log = fs.readFileSync(logFile, 'utf8');
        expect(processesMentioning(kubeconfig)).toEqual([]);
        for (const id of ['eu', 'us', 'ap']) {
          expect(log.split('\n').filter((l) => l.includes(' WARN ') && new RegExp(`cluster=${id}( |$)`).test(l))).toHaveLength(1);
        }
      } finally {
        killGroup(npm); // whatever the outcome, nothing of it outlives the test
      }
    }, 180_000);
  });

  it('puts the fleet on the bed with npm run demo -- --dist: every fleet.md name resolves to its pod through the consumer\'s CoreDNS running the applied ConfigMap', () => {
    const demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-newcomer-demo-'));
    const dist = path.join(project, 'dist');
    // run from the project folder, as a user would: --dist is relative to it
    const r = run(project, 'npm', ['--prefix', REPO, 'run', 'demo', '--', '--dist', 'dist'], { DEMO_DIR: demoDir, DEMO_PORT_BASE: '24000', TESTBED_STATE: '' }, 600_000);
    const out = `${r.stdout}\n${r.stderr}`;
    const names = fleetMdNames(fs.readFileSync(path.join(dist, 'fleet.md'), 'utf8'));
    expect(names.map((n) => n.consumer).sort()).toEqual(['ap', 'ap', 'ap', 'us', 'us', 'us', 'us', 'us', 'us']);
    expect({ status: r.status, out }).toEqual({ status: 0, out: expect.stringContaining(`all ${names.length} names resolve to the pod they name`) });

    const rows = out.split('\n').filter((l) => /^redis-\d\./.test(l)).map((l) => l.split(/\s+/));
    expect(rows.map((r) => r[0]).sort()).toEqual(names.map((n) => n.fqdn).sort());
    for (const [fqdn, answer, , pod, podIp, verdict] of rows) {
      expect({ fqdn, pod, answer, verdict }).toEqual({ fqdn, pod, answer: podIp, verdict: 'ok' });
      expect(answer).toMatch(/^10\.10\.\d+\.\d+$/); // a pod IP of eu, the first cluster
    }
    for (const consumer of ['us', 'ap']) {
      expect(out).toContain(`[${consumer}] CoreDNS runs the kube-system/coredns ConfigMap as applied`);
      expect(fs.readFileSync(path.join(demoDir, consumer, 'Corefile'), 'utf8')).toBe(bedCorefile(dist, demoDir, consumer));
    }
    // eu imports nothing: its CoreDNS still runs kubeadm's Corefile, without clusterset.local
    expect(fs.readFileSync(path.join(demoDir, 'eu', 'Corefile'), 'utf8')).not.toContain('clusterset.local');
    expect(processesMentioning(demoDir)).toEqual([]);
    fs.rmSync(demoDir, { recursive: true, force: true });
  }, 660_000);
});

/** The Corefile the bed's CoreDNS of `clusterId` must run: dist's kube-system/coredns ConfigMap, adapted to the bed (ports from the demo's base). */
function bedCorefile(dist: string, demoDir: string, clusterId: string): string {
  const file = fs.readdirSync(path.join(dist, clusterId)).find((f) => /configmap\.kube-system\.coredns\.yaml$/.test(f))!;
  const corefile = YAML.parse(fs.readFileSync(path.join(dist, clusterId, file), 'utf8')).data.Corefile as string;
  const index = JSON.parse(fs.readFileSync(path.join(dist, 'fleet.json'), 'utf8')).clusters.findIndex((c: { id: string }) => c.id === clusterId);
  const base = 24000 + 100 * index;
  return adaptCorefileForLocalRun(corefile, { port: base + 53, readyPort: base + 54, kubeconfig: path.join(demoDir, clusterId, 'coredns.kubeconfig'), log: false });
}

function withMain<T>(text: string, fn: () => T): T {
  const file = path.join(project, 'main.ts');
  const saved = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, text);
  try {
    return fn();
  } finally {
    fs.writeFileSync(file, saved);
  }
}

/** A kubeconfig whose every context points at a closed port. */
function unreachableKubeconfig(ids: string[]): string {
  const file = path.join(work, `unreachable-${Date.now()}.kubeconfig`);
  fs.writeFileSync(file, YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: ids.map((id) => ({ name: id, cluster: { server: 'https://127.0.0.1:9', 'insecure-skip-tls-verify': true } })),
    users: [{ name: 'nobody', user: { token: 'x' } }],
    contexts: ids.map((id) => ({ name: id, context: { cluster: id, user: 'nobody' } })),
    'current-context': ids[0],
  }));
  return file;
}

function startLogged(command: readonly string[], extra: readonly string[], logFile: string): ChildProcess {
  const fd = fs.openSync(logFile, 'w');
  // its own process group, as a terminal gives a job; a user's environment, not jest's
  const child = spawn(command[0], [...command.slice(1), ...extra], { cwd: project, stdio: ['ignore', fd, fd], env: userEnv(), detached: true });
  fs.closeSync(fd);
  return child;
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(fn: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn() && Date.now() < deadline) {
    await sleep(200);
  }
}

async function waitForText(file: string, text: string, timeoutMs: number): Promise<void> {
  await waitUntil(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(text), timeoutMs);
  if (!fs.readFileSync(file, 'utf8').includes(text)) {
    throw new Error(`"${text}" did not appear in ${file} within ${timeoutMs} ms:\n${fs.readFileSync(file, 'utf8').slice(-3000)}`);
  }
}
