/** `cdk8s-mcs preflight`: checks every cluster of dist/fleet.json against what dist needs, writing nothing. */
import { runPreflight } from '../runner/preflight/run';
import { CheckResult, formatCheck, summarize } from '../runner/preflight/report';
import { CONNECTION_FLAGS, connectTargets } from './apply';
import { Command, EXIT_FAILED, EXIT_OK } from './command';

export const preflightCommand: Command = {
  spec: {
    name: 'preflight',
    summary: 'Check every cluster against dist before it lands (reachability, CoreDNS version and Corefile, CRDs, StorageClasses, Secrets, cluster IDs, runner RBAC); reads only; exit 1 on any FAIL.',
    usage: 'cdk8s-mcs preflight [--dist dist] [--kubeconfig F] [--context-map cluster=context,...] [--only ID,...] [--output text|json]',
    flags: [...CONNECTION_FLAGS, { name: 'output', kind: 'choice', choices: ['text', 'json'], value: 'text|json', description: 'text: one line per check per cluster; json: for CI', default: 'text' }],
  },

  async run(args, io) {
    const output = String(args.flags.output);
    const target = connectTargets(args);
    let results: CheckResult[];
    try {
      results = await runPreflight({
        dist: String(args.flags.dist),
        fleet: target.fleet,
        clients: target.clients,
        onCluster: output === 'text' ? (rs) => rs.forEach((r) => io.stdout(`${formatCheck(r)}\n`)) : undefined,
      });
    } finally {
      target.clients.forEach((c) => c.close());
    }
    const unreachable: CheckResult[] = target.unreachable.map((r) => ({ clusterId: r.clusterId, check: 'reachable', level: 'FAIL', message: r.error ?? 'no client', fix: 'fix the kubeconfig context or --context-map' }));
    const all = [...results, ...unreachable];
    const counts = summarize(all);
    if (output === 'json') {
      io.stdout(`${JSON.stringify({ fleet: target.fleet.name, summary: counts, checks: all }, null, 2)}\n`);
    } else {
      [...results.filter((r) => r.check === 'unique-cluster'), ...unreachable].forEach((r) => io.stdout(`${formatCheck(r)}\n`));
      io.stdout(`preflight: ${target.clients.size + target.unreachable.length} clusters, ${counts.ok} ok, ${counts.warn} warn, ${counts.fail} FAIL\n`);
    }
    return counts.fail > 0 ? EXIT_FAILED : EXIT_OK;
  },
};
