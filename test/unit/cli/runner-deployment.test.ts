/**
 * The runner Deployment SyncRunner emits, read the way the kubelet and the image read it: the
 * Dockerfile's ENTRYPOINT plus the container's args with `$(VAR)` expanded, parsed by the real
 * `cdk8s-mcs` command registry and flag specs (not compared with a copied array), so a flag the
 * CLI renames or validates differently fails here before any cluster sees it.
 */
import * as path from 'node:path';
import { Fleet, SyncRunner } from '../../../lib';
import { parseArgs } from '../../../lib/cli/args';
import { findCommand } from '../../../lib/cli/main';
import { syncControllerOptions } from '../../../lib/cli/sync';
import { parseFleetManifest } from '../../../lib/fleet/manifest';
import { defaultRunnerImage } from '../../../lib/fleet/own-package';
import { containerArgv, containerEnv, expandReferences } from '../support/container-run';
import { finalStage, readStages } from '../support/dockerfile';
import { find, objectsOf } from '../support/fleet';

const own = require('../../../package.json');

const fleet = new Fleet({ name: 'f', outdir: '/nonexistent' });
fleet.addCluster('a');
const host = fleet.addCluster('b');
new SyncRunner(fleet, 'runner', { hostCluster: host });
const objs = objectsOf(fleet.render(), 'b');
const deployment = find(objs, 'Deployment', 'cdk8s-mcs-sync');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const podName = 'cdk8s-mcs-sync-5f7d8-abcde';
const image = finalStage();
const argv = containerArgv(container, containerEnv(container, { name: podName, namespace: deployment.metadata.namespace }), image.entrypoint);
const [commandName, ...commandArgs] = argv.slice(image.entrypoint.length);
const mountOf = (volume: string) => container.volumeMounts.find((m: { name: string }) => m.name === volume).mountPath as string;

describe('the emitted runner Deployment, as the image runs it', () => {
  it('runs by default the image the Dockerfile builds, tagged with this package\'s version', () => {
    expect(container.image).toBe(`cdk8s-mcs:${own.version}`);
    expect(defaultRunnerImage()).toBe(container.image);
  });

  it('leaves the command to the image, whose ENTRYPOINT is this package\'s CLI as npm installs it', () => {
    expect(container.command).toBeUndefined();
    expect(image.entrypoint[0]).toBe('node');
    expect(image.entrypoint[image.entrypoint.length - 1]).toBe(path.posix.join(image.workdir, 'node_modules', own.name, own.bin['cdk8s-mcs']));
    // between them only node's own flags: the young generation kept small (see the Dockerfile)
    expect(image.entrypoint.slice(1, -1)).toEqual(['--max-semi-space-size=2']);
  });

  it('names a registered command, and every flag parses with the CLI\'s own spec', () => {
    const command = findCommand(commandName);
    expect(command?.spec.name).toBe('sync');
    expect(() => parseArgs(commandArgs, command!.spec)).not.toThrow();
  });

  it('points --dist at the mounted fleet ConfigMap and --kubeconfig at the key of the mounted Secret', () => {
    const { flags } = parseArgs(commandArgs, findCommand('sync')!.spec);
    expect(flags.dist).toBe(mountOf('fleet'));
    expect(Object.keys(find(objs, 'ConfigMap', 'cdk8s-mcs-sync-fleet').data)).toEqual(['fleet.json']);
    expect(flags.kubeconfig).toBe(path.posix.join(mountOf('kubeconfig'), 'kubeconfig'));
    expect(pod.volumes.find((v: { name: string }) => v.name === 'kubeconfig').secret.secretName).toBe('cdk8s-mcs-kubeconfig');
  });

  it('gives each replica its pod name as leader identity, and the Lease cluster and namespace of the runner', () => {
    const { flags } = parseArgs(commandArgs, findCommand('sync')!.spec);
    expect(flags.identity).toBe(podName);
    expect(flags.namespace).toBe(deployment.metadata.namespace);
    const fleetJson = parseFleetManifest(find(objs, 'ConfigMap', 'cdk8s-mcs-sync-fleet').data['fleet.json'], 'fleet.json');
    const options = syncControllerOptions(parseArgs(commandArgs, findCommand('sync')!.spec), fleetJson, new Map());
    expect(options.leaderElection).toEqual({ clusterId: 'b' });
    expect(options.endpointTtlMs).toBe(60_000);
    expect(options.workers).toBe(4);
  });

  it('serves /healthz and /readyz on the port the probes and the metrics port name', () => {
    const { flags } = parseArgs(commandArgs, findCommand('sync')!.spec);
    const metricsPort = container.ports.find((p: { name: string }) => p.name === 'metrics').containerPort;
    expect(Number(flags['metrics-port'])).toBe(metricsPort);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
  });

  it('runs as a numeric non-root user, so runAsNonRoot can verify the image, with a read-only root filesystem', () => {
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    const [uid] = (image.user ?? '').split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
  });
});

describe('Kubernetes $(VAR) expansion, as these tests apply it', () => {
  it.each([
    ['--identity=$(POD_NAME)', '--identity=p-1'],
    ['$(UNDEFINED)', '$(UNDEFINED)'],
    ['$$(POD_NAME)', '$(POD_NAME)'],
    ['cost: $$5', 'cost: $5'],
    ['$(POD_NAME)-$(POD_NAME)', 'p-1-p-1'],
  ])('%j -> %j', (text, expanded) => {
    expect(expandReferences(text, { POD_NAME: 'p-1' })).toBe(expanded);
  });
});

describe('the Dockerfile', () => {
  const stages = readStages();
  const runs = (i: number) => stages[i].instructions.filter((x) => x.keyword === 'RUN').map((x) => x.rest).join(' && ');

  it('builds in one stage, installs production dependencies only in another, and ships only that install', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(runs(0)).toContain('npm pack');
    expect(runs(stages.length - 2)).toMatch(/npm install --omit=dev .*\.tgz/);
    const copies = stages[stages.length - 1].instructions.filter((x) => x.keyword === 'COPY').map((x) => x.rest);
    expect(copies).toEqual([`--from=${stages[stages.length - 2].name} ${image.workdir}/node_modules ./node_modules`]);
    expect(runs(stages.length - 1)).toBe('');
  });
});
