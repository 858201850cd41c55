/** `cdk8s-mcs sync`: the reconcile runner, as the SyncRunner Deployment runs it (or once, from a laptop or CI). */
import { FleetManifest } from '../fleet/manifest';
import { KubeClient } from '../kube/client';
import { createLogger, LogLevel } from '../runner/observe/log';
import { SyncMetrics } from '../runner/observe/metrics';
import { startHealthServer } from '../runner/observe/server';
import { preferSmallHeap } from '../fleet/process-heap';
import { SyncController, SyncControllerOptions } from '../runner/sync/controller';
import { FlagSpec, ParsedArgs, parseDuration, parseMap } from './args';
import { Command, EXIT_FAILED, EXIT_OK } from './command';
import { connectFleet } from './fleet-clients';
import { untilStopRequested } from './stop-request';

export const SYNC_FLAGS: readonly FlagSpec[] = [
  { name: 'dist', value: 'DIR', description: 'synth output holding fleet.json', default: 'dist' },
  { name: 'kubeconfig', value: 'FILE', description: 'kubeconfig with a context per cluster (default: $KUBECONFIG, ~/.kube/config)' },
  { name: 'context-map', kind: 'map', value: 'ID=CTX,...', description: 'override the kubeconfig context of clusters' },
  { name: 'once', boolean: true, description: 'one full pass, then exit; non-zero if anything could not be reconciled' },
  { name: 'sync-timeout', kind: 'duration', value: 'DURATION', description: 'with --once: how long to wait for every cluster to list its objects', default: '30s' },
  { name: 'endpoint-ttl', kind: 'duration', value: 'DURATION', description: 'how long an unreachable cluster\'s endpoints are kept', default: '60s' },
  { name: 'expired-endpoints', kind: 'choice', choices: ['remove', 'not-ready'], value: 'remove|not-ready', description: 'what happens to endpoints of an expired cluster', default: 'remove' },
  { name: 'leader-elect', kind: 'choice', choices: ['true', 'false'], value: 'true|false', description: 'hold a Lease so that only one replica writes', default: 'true' },
  { name: 'leader-election-cluster', value: 'ID', description: 'cluster holding the leader Lease (default: the SyncRunner host cluster in fleet.json, else the first cluster)' },
  { name: 'identity', value: 'NAME', description: 'this replica\'s name in the leader Lease; a restart with the same name takes over at once (default: <hostname>-<pid>)' },
  { name: 'namespace', value: 'NS', description: 'namespace of the runner\'s Leases in every cluster', default: 'cdk8s-mcs-system' },
  { name: 'metrics-port', kind: 'integer', min: 0, max: 65535, value: 'PORT', description: 'port for /healthz, /readyz and /metrics (0: off)', default: '8080' },
  { name: 'workers', kind: 'integer', min: 1, max: 256, value: 'N', description: 'concurrent reconciles', default: '4' },
  { name: 'log-level', kind: 'choice', choices: ['debug', 'info', 'warn', 'error'], value: 'LEVEL', description: 'debug, info, warn or error', default: 'info' },
  { name: 'watch-timeout', kind: 'duration', value: 'DURATION', description: 'server-side timeout of each watch; the runner re-watches from the last resourceVersion after it', default: '5m' },
];

/** The controller's options from the (already validated) flags. */
export function syncControllerOptions(args: ParsedArgs, fleet: FleetManifest, clients: Map<string, KubeClient>): SyncControllerOptions {
  const f = args.flags;
  const leaderCluster = (f['leader-election-cluster'] as string | undefined) ?? fleet.runner?.hostClusterId ?? fleet.clusters[0].id;
  return {
    clients,
    runnerNamespace: String(f.namespace),
    endpointTtlMs: parseDuration(String(f['endpoint-ttl']), 'endpoint-ttl'),
    expiredEndpoints: f['expired-endpoints'] as 'remove' | 'not-ready',
    workers: Number(f.workers),
    watchTimeoutSeconds: Math.max(1, Math.round(parseDuration(String(f['watch-timeout']), 'watch-timeout') / 1000)),
    log: createLogger(f['log-level'] as LogLevel),
    identity: f.identity as string | undefined,
    leaderElection: f.once === true || f['leader-elect'] === 'false' ? undefined : { clusterId: leaderCluster },
    // process and Node.js metrics too: this process is the runner
    metrics: new SyncMetrics({ processMetrics: f.once !== true }),
  };
}

async function runOnce(controller: SyncController, args: ParsedArgs, io: Parameters<Command['run']>[1]): Promise<number> {
  const report = await controller.runOnce(parseDuration(String(args.flags['sync-timeout']), 'sync-timeout'));
  io.stdout(`sync --once: ${report.keys} services reconciled, ${report.writes} writes, ${report.leaseRenewals} liveness leases renewed, ${report.errors.length} errors\n`);
  report.errors.forEach((e) => io.stderr(`error: ${e}\n`));
  return report.errors.length > 0 ? EXIT_FAILED : EXIT_OK;
}

export const syncCommand: Command = {
  spec: {
    name: 'sync',
    summary: 'Keep every consumer cluster\'s EndpointSlices, amcs- Services and ServiceImport/ServiceExport status true, driven by watches.',
    usage: 'cdk8s-mcs sync [--once] [--dist dist] [--kubeconfig F] [--context-map cluster=context,...] [flags]',
    flags: SYNC_FLAGS,
  },

  async run(args, io) {
    preferSmallHeap(); // a long-lived process with a small live heap (lib/runner/process-heap.ts)
    const f = args.flags;
    const { fleet, clients } = connectFleet({ dist: String(f.dist), kubeconfig: f.kubeconfig as string | undefined, contextMap: parseMap(f['context-map'] as string | undefined, 'context-map') });
    const options = syncControllerOptions(args, fleet, clients);
    const controller = new SyncController(options);
    if (f.once === true) {
      return runOnce(controller, args, io);
    }
    const port = Number(f['metrics-port']);
    const metrics = controller.metrics;
    const server = port > 0
      ? await startHealthServer({
        readiness: () => controller.readiness(),
        // renderMetrics() copies request and relist counts into the metrics; scrape() renders them all
        renderMetrics: () => (controller.renderMetrics(), metrics.scrape()),
        metricsContentType: metrics.contentType,
      }, port)
      : undefined;
    controller.start();
    options.log?.info('sync started', { clusters: [...clients.keys()].join(','), metricsPort: port });
    const why = await untilStopRequested();
    options.log?.info('stopping', { why });
    server?.close();
    await controller.stop();
    return EXIT_OK;
  },
};
