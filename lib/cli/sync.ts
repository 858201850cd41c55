import { SyncController } from '../runner/sync/controller';
import { createLogger, LogLevel } from '../runner/observe/log';
import { SyncMetrics } from '../runner/observe/metrics';
import { startHealthServer } from '../runner/observe/server';
import { parseDuration, parseMap, UsageError } from './args';
import { Command, EXIT_FAILED, EXIT_OK } from './command';
import { connectFleet } from './fleet-clients';

export const syncCommand: Command = {
  spec: {
    name: 'sync',
    summary: 'Keep every consumer cluster\'s EndpointSlices, amcs- Services and ServiceImport/ServiceExport status true, driven by watches.',
    usage: 'cdk8s-mcs sync [--once] [--dist dist] [--kubeconfig F] [--context-map cluster=context,...] [flags]',
    flags: [
      { name: 'dist', value: 'DIR', description: 'synth output holding fleet.json', default: 'dist' },
      { name: 'kubeconfig', value: 'FILE', description: 'kubeconfig with a context per cluster (default: $KUBECONFIG, ~/.kube/config)' },
      { name: 'context-map', value: 'ID=CTX,...', description: 'override the kubeconfig context of clusters' },
      { name: 'once', boolean: true, description: 'one full pass, then exit; non-zero if anything could not be reconciled' },
      { name: 'sync-timeout', value: 'DURATION', description: 'with --once: how long to wait for every cluster to list its objects', default: '30s' },
      { name: 'endpoint-ttl', value: 'DURATION', description: 'how long an unreachable cluster\'s endpoints are kept', default: '60s' },
      { name: 'expired-endpoints', value: 'remove|not-ready', description: 'what happens to endpoints of an expired cluster', default: 'remove' },
      { name: 'leader-elect', value: 'true|false', description: 'hold a Lease so that only one replica writes', default: 'true' },
      { name: 'leader-election-cluster', value: 'ID', description: 'cluster holding the leader Lease (default: the SyncRunner host cluster in fleet.json, else the first cluster)' },
      { name: 'identity', value: 'NAME', description: 'this replica\'s name in the leader Lease; a restart with the same name takes over at once (default: <hostname>-<pid>)' },
      { name: 'namespace', value: 'NS', description: 'namespace of the runner\'s Leases in every cluster', default: 'cdk8s-mcs-system' },
      { name: 'metrics-port', value: 'PORT', description: 'port for /healthz, /readyz and /metrics (0: off)', default: '8080' },
      { name: 'workers', value: 'N', description: 'concurrent reconciles', default: '4' },
      { name: 'log-level', value: 'LEVEL', description: 'debug, info, warn or error', default: 'info' },
      { name: 'watch-timeout', value: 'DURATION', description: 'server-side timeout of each watch; the runner re-watches from the last resourceVersion after it', default: '5m' },
    ],
  },

  async run(args, io) {
    const f = args.flags;
    const expired = String(f['expired-endpoints']);
    if (expired !== 'remove' && expired !== 'not-ready') {
      throw new UsageError(`--expired-endpoints must be "remove" or "not-ready", got "${expired}"`);
    }
    const log = createLogger(String(f['log-level']) as LogLevel);
    const { fleet, clients } = connectFleet({ dist: String(f.dist), kubeconfig: f.kubeconfig as string | undefined, contextMap: parseMap(f['context-map'] as string | undefined, 'context-map') });
    const leaderCluster = (f['leader-election-cluster'] as string | undefined) ?? fleet.runner?.hostClusterId ?? fleet.clusters[0].id;
    const controller = new SyncController({
      clients,
      runnerNamespace: String(f.namespace),
      endpointTtlMs: parseDuration(String(f['endpoint-ttl']), 'endpoint-ttl'),
      expiredEndpoints: expired,
      workers: Number(f.workers),
      watchTimeoutSeconds: Math.max(1, Math.round(parseDuration(String(f['watch-timeout']), 'watch-timeout') / 1000)),
      log,
      identity: f.identity as string | undefined,
      leaderElection: f.once || f['leader-elect'] === 'false' ? undefined : { clusterId: leaderCluster },
      // process and Node.js metrics too: this process is the runner
      metrics: new SyncMetrics({ processMetrics: !f.once }),
    });
    if (f.once) {
      const report = await controller.runOnce(parseDuration(String(f['sync-timeout']), 'sync-timeout'));
      io.stdout(`sync --once: ${report.keys} services reconciled, ${report.writes} writes, ${report.errors.length} errors\n`);
      report.errors.forEach((e) => io.stderr(`error: ${e}\n`));
      return report.errors.length > 0 ? EXIT_FAILED : EXIT_OK;
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
    log.info('sync started', { clusters: [...clients.keys()].join(','), metricsPort: port });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    log.info('stopping');
    server?.close();
    await controller.stop();
    return EXIT_OK;
  },
};
