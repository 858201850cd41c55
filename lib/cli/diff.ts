import { formatObjectDiff } from '../runner/apply/diff-format';
import { formatClusterSummary, formatFleetSummary } from '../runner/apply/progress';
import { ClusterReport, clusterErrored, hasChanges } from '../runner/apply/report';
import { messageOf } from '../kube/errors';
import { ParsedArgs, UsageError } from './args';
import { CliIo, Command, EXIT_OK } from './command';
import { CONNECTION_FLAGS, runFleetApply } from './apply';
import { OVERWRITE_FLAG } from './coredns-flags';

/** `diff` exit codes, as `kubectl diff`: 0 nothing differs, 1 something would change, 3 a cluster could not be compared (2 is bad usage). */
export const EXIT_DIFF_FOUND = 1;
export const EXIT_DIFF_ERROR = 3;

export const diffCommand: Command = {
  spec: {
    name: 'diff',
    summary: 'Show what `apply` would change, per cluster and per object (exit 0: nothing, 1: changes, 3: error).',
    usage: 'cdk8s-mcs diff [--dist dist] [--kubeconfig F] [--context-map cluster=context,...] [--only ID,...] [--prune]',
    flags: [...CONNECTION_FLAGS, { name: 'prune', boolean: true, description: 'also show what `apply --prune` would delete' }, OVERWRITE_FLAG],
  },

  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    let reports: ClusterReport[];
    try {
      reports = await runFleetApply(args, { dryRun: true });
    } catch (e) {
      if (e instanceof UsageError) {
        throw e; // exit 2, with the usage
      }
      io.stderr(`error: ${messageOf(e)}\n`);
      return EXIT_DIFF_ERROR;
    }
    for (const r of reports) {
      const blocks = r.outcomes.map(formatObjectDiff).filter((b) => b.length > 0);
      blocks.forEach((b) => io.stdout(`${b.join('\n')}\n`));
      io.stdout(`${hasChanges(r) || clusterErrored(r) ? formatClusterSummary(r) : `[${r.clusterId}] no differences (${r.outcomes.length} objects)`}\n`);
    }
    const [head, ...failures] = formatFleetSummary(reports, 'diff');
    io.stdout(`${head}\n`);
    failures.forEach((l) => io.stderr(`${l}\n`));
    return reports.some(clusterErrored) ? EXIT_DIFF_ERROR : reports.some(hasChanges) ? EXIT_DIFF_FOUND : EXIT_OK;
  },
};
