import { FleetManifest } from '../fleet/manifest';
import { KubeClient } from '../kube/client';
import { clientForContext, loadKubeConfig } from '../kube/connect';
import { messageOf } from '../kube/errors';
import { ApplyClient } from '../runner/apply/cluster-apply';
import { DEFAULT_CRD_TIMEOUT_MS } from '../runner/apply/crd-wait';
import { applyFleet } from '../runner/apply/fleet-apply';
import { formatClusterSummary, formatFleetSummary, formatOutcome } from '../runner/apply/progress';
import { ClusterReport, clusterFailed } from '../runner/apply/report';
import { FlagSpec, ParsedArgs, parseDuration, parseMap, UsageError } from './args';
import { CliIo, Command, EXIT_FAILED, EXIT_OK } from './command';
import { COREDNS_ROLLOUT_FLAGS, corefileSafetyFor, rolloutFor } from './coredns-flags';
import { readFleetManifest } from './fleet-clients';

/** Flags `apply` and `diff` share. */
export const CONNECTION_FLAGS: readonly FlagSpec[] = [
  { name: 'dist', value: 'DIR', description: 'synth output: fleet.json and one folder per cluster', default: 'dist' },
  { name: 'kubeconfig', value: 'FILE', description: 'kubeconfig with a context per cluster (default: $KUBECONFIG, ~/.kube/config)' },
  { name: 'context-map', kind: 'map', value: 'ID=CTX,...', description: 'override the kubeconfig context of clusters (default: kubeContext in fleet.json)' },
  { name: 'only', kind: 'list', value: 'ID,...', description: 'only these clusters (default: every cluster of the fleet)' },
];

const APPLY_FLAGS: readonly FlagSpec[] = [
  ...CONNECTION_FLAGS,
  { name: 'prune', boolean: true, description: 'delete objects an earlier apply created that dist no longer has (never PVCs, never objects without our labels)' },
  { name: 'dry-run', boolean: true, description: 'print what would change; write nothing' },
  { name: 'crd-timeout', kind: 'duration', value: 'DURATION', description: 'how long to wait for applied CRDs to become Established', default: `${DEFAULT_CRD_TIMEOUT_MS / 1000}s` },
  ...COREDNS_ROLLOUT_FLAGS,
];

export interface FleetTarget {
  readonly fleet: FleetManifest;
  readonly clients: Map<string, ApplyClient & Pick<KubeClient, 'close'>>;
  /** Clusters that could not even get a client (e.g. no such context), with the reason. */
  readonly unreachable: readonly ClusterReport[];
}

/** One client per selected cluster; a cluster whose context is missing becomes a failed report, not an abort. */
export function connectTargets(args: ParsedArgs): FleetTarget {
  const f = args.flags;
  const dist = String(f.dist);
  const fleet = readFleetManifest(dist);
  const contextMap = parseMap(f['context-map'] as string | undefined, 'context-map');
  const known = fleet.clusters.map((c) => c.id);
  const only = f.only === undefined ? known : String(f.only).split(',').map((s) => s.trim()).filter(Boolean);
  const strangers = [...only, ...Object.keys(contextMap)].filter((id) => !known.includes(id));
  if (strangers.length > 0) {
    throw new UsageError(`--only/--context-map name clusters that are not in ${dist}/fleet.json: ${strangers.join(', ')} (fleet: ${known.join(', ')})`);
  }
  const kc = loadKubeConfig(f.kubeconfig as string | undefined);
  const clients = new Map<string, KubeClient>();
  const unreachable: ClusterReport[] = [];
  for (const c of fleet.clusters.filter((x) => only.includes(x.id))) {
    try {
      clients.set(c.id, clientForContext(kc, contextMap[c.id] ?? c.kubeContext, c.id));
    } catch (e) {
      unreachable.push({ clusterId: c.id, dryRun: false, outcomes: [], error: messageOf(e), durationMs: 0, requests: 0, writes: 0 });
    }
  }
  return { fleet, clients, unreachable };
}

/** Runs `apply` (or its dry run) over the selected clusters, streaming per-object lines to `onLine`. */
export async function runFleetApply(args: ParsedArgs, o: { dryRun: boolean; onLine?: (line: string) => void }): Promise<ClusterReport[]> {
  const target = connectTargets(args);
  try {
    const rollout = o.dryRun ? undefined : rolloutFor(args, target.fleet);
    const reports = await applyFleet({
      dist: String(args.flags.dist),
      fleetName: target.fleet.name,
      clients: target.clients,
      dryRun: o.dryRun,
      prune: args.flags.prune === true,
      crdTimeoutMs: args.flags['crd-timeout'] === undefined ? undefined : parseDuration(String(args.flags['crd-timeout']), 'crd-timeout'),
      onOutcome: (x) => o.onLine?.(formatOutcome(x)),
      onNotice: (clusterId, text) => o.onLine?.(`[${clusterId}] ${text}`),
      corefileFor: corefileSafetyFor(args, target.fleet),
      rolloutFor: rollout,
    });
    return [...reports, ...target.unreachable];
  } finally {
    target.clients.forEach((c) => c.close());
  }
}

export const applyCommand: Command = {
  spec: {
    name: 'apply',
    summary: 'Server-side apply each dist/<cluster-id>/ folder to its cluster, in dependency order; --prune deletes what dist dropped.',
    usage: 'cdk8s-mcs apply [--dist dist] [--kubeconfig F] [--context-map cluster=context,...] [--only ID,...] [--dry-run] [--prune] [--overwrite-corefile] [--coredns-check pods|off] [--coredns-ready-url ID=URL,...]',
    flags: APPLY_FLAGS,
  },

  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const dryRun = args.flags['dry-run'] === true;
    const reports = await runFleetApply(args, { dryRun, onLine: (l) => io.stdout(`${l}\n`) });
    reports.forEach((r) => io.stdout(`${formatClusterSummary(r)}\n`));
    const [head, ...failures] = formatFleetSummary(reports, dryRun ? 'apply --dry-run' : 'apply');
    io.stdout(`${head}\n`);
    failures.forEach((l) => io.stderr(`${l}\n`));
    return reports.some(clusterFailed) ? EXIT_FAILED : EXIT_OK;
  },
};
