/** `cdk8s-mcs status`: the live fleet at a glance; reads only. */
import { MANAGER } from '../fleet/names';
import { collectStatus } from '../runner/status/collect';
import { formatStatus } from '../runner/status/format';
import { CONNECTION_FLAGS, connectTargets } from './apply';
import { parseDuration, UsageError } from './args';
import { Command, EXIT_FAILED, EXIT_OK } from './command';

export const statusCommand: Command = {
  spec: {
    name: 'status',
    summary: 'The live fleet at a glance: exports and their conditions, imports per consumer (endpoints per source cluster, liveness lease ages), the leader, the DNS names; reads only.',
    usage: 'cdk8s-mcs status [--dist dist] [--kubeconfig F] [--context-map cluster=context,...] [--only ID,...] [--watch [--interval 2s]] [--output text|json]',
    flags: [
      ...CONNECTION_FLAGS,
      { name: 'output', kind: 'choice', choices: ['text', 'json'], value: 'text|json', description: 'text for people, json for scripts', default: 'text' },
      { name: 'watch', boolean: true, description: 'refresh until interrupted' },
      { name: 'interval', kind: 'duration', value: 'DURATION', description: 'with --watch: time between refreshes', default: '2s' },
      { name: 'namespace', value: 'NS', description: 'namespace of the runner\'s Leases (default: the SyncRunner namespace in fleet.json)' },
    ],
  },

  async run(args, io) {
    const output = String(args.flags.output);
    const intervalMs = parseDuration(String(args.flags.interval), 'interval');
    if (intervalMs < 200) {
      throw new UsageError(`--interval must be at least 200ms, got "${args.flags.interval}"`);
    }
    const target = connectTargets(args);
    const runnerNamespace = String(args.flags.namespace ?? target.fleet.runner?.namespace ?? `${MANAGER}-system`);
    let stop = false;
    const onSignal = () => (stop = true);
    process.once('SIGINT', onSignal);
    try {
      for (;;) {
        const status = await collectStatus({ fleet: target.fleet, clients: target.clients, runnerNamespace });
        const all = { ...status, unreachable: [...status.unreachable, ...target.unreachable.map((r) => ({ clusterId: r.clusterId, error: r.error ?? '' }))] };
        const text = output === 'json' ? JSON.stringify(all, null, 2) : formatStatus(all).join('\n');
        io.stdout(`${args.flags.watch && output === 'text' ? '\x1b[2J\x1b[H' : ''}${text}\n`);
        if (!args.flags.watch || stop) {
          return all.unreachable.length > 0 ? EXIT_FAILED : EXIT_OK;
        }
        await new Promise((r) => setTimeout(r, intervalMs));
        if (stop) {
          return EXIT_OK;
        }
      }
    } finally {
      process.off('SIGINT', onSignal);
      target.clients.forEach((c) => c.close());
    }
  },
};
