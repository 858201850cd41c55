/** The flags of `apply` that guard the CoreDNS change, and what they turn into for the runner. */
import { COREDNS_CONFIGMAP, COREDNS_NAMESPACE, COREDNS_POD_SELECTOR, COREFILE_KEY } from '../fleet/coredns-objects';
import { FleetManifest } from '../fleet/manifest';
import { ApplyClient } from '../runner/apply/cluster-apply';
import { CorefileSafety } from '../runner/apply/corefile-refusal';
import { podProxyProbe, probePortsOf, urlProbe } from '../runner/apply/coredns-probe';
import { CoreDnsRolloutOptions } from '../runner/apply/coredns-rollout';
import { readClusterManifests } from '../runner/apply/manifests';
import { FlagSpec, ParsedArgs, parseDuration, UsageError } from './args';

export const DEFAULT_COREDNS_TIMEOUT = '150s';
/** When pods cannot show which Corefile they loaded: kubelet's ConfigMap sync (~60 s) plus reload's interval and jitter (30 s ± 15 s). */
export const DEFAULT_POD_SETTLE = '90s';
/** A URL probe cannot tell which Corefile runs; the bed's follower restarts CoreDNS within about a second. */
export const DEFAULT_URL_SETTLE = '5s';

/** `--overwrite-corefile` (apply and diff). */
export const OVERWRITE_FLAG: FlagSpec = { name: 'overwrite-corefile', boolean: true, description: 'replace the live CoreDNS configuration even where that removes lines that are not the clusterset patch (they are listed); without it such an object is refused and the rest of the cluster applied' };

export const COREDNS_ROLLOUT_FLAGS: readonly FlagSpec[] = [
  OVERWRITE_FLAG,
  { name: 'coredns-check', kind: 'choice', choices: ['pods', 'off'], value: 'pods|off', description: 'after changing the CoreDNS configuration, wait until CoreDNS serves with it and roll the change back if it does not (off: do not wait, never roll back)', default: 'pods' },
  { name: 'coredns-selector', value: 'LABELS', description: 'label selector of the CoreDNS pods in kube-system', default: COREDNS_POD_SELECTOR },
  { name: 'coredns-ready-url', kind: 'map', value: 'ID=URL,...', description: 'probe these CoreDNS ready endpoints directly instead of the pods (a port-forward; the test bed)' },
  { name: 'coredns-timeout', kind: 'duration', value: 'DURATION', description: 'how long CoreDNS may take to load the change and be ready before it is rolled back', default: DEFAULT_COREDNS_TIMEOUT },
  { name: 'coredns-settle', kind: 'duration', value: 'DURATION', description: `where CoreDNS cannot show which Corefile it runs, believe "ready" only this long after the change (default: ${DEFAULT_POD_SETTLE} for pods, ${DEFAULT_URL_SETTLE} for --coredns-ready-url)` },
];

/** Per cluster: what fleet.json declares about its CoreDNS, and the overwrite opt-in. */
export function corefileSafetyFor(args: ParsedArgs, fleet: FleetManifest): (clusterId: string) => CorefileSafety {
  return (clusterId) => {
    const cluster = fleet.clusters.find((c) => c.id === clusterId);
    return {
      declaration: { clusterId, clusterDomain: cluster?.clusterDomain, coreDns: fleet.coreDns?.[clusterId] },
      overwrite: args.flags['overwrite-corefile'] === true,
      dist: String(args.flags.dist),
    };
  };
}

/** Per cluster: how to watch CoreDNS after the change, or undefined with `--coredns-check off`. Throws UsageError for bad values. */
export function rolloutFor(args: ParsedArgs, fleet: FleetManifest): (clusterId: string, client: ApplyClient) => CoreDnsRolloutOptions | undefined {
  const f = args.flags;
  const check = String(f['coredns-check'] ?? 'pods');
  if (check !== 'pods' && check !== 'off') {
    throw new UsageError(`--coredns-check must be "pods" or "off", got "${check}"`);
  }
  const urls = parseUrlMap(f['coredns-ready-url'] as string | undefined, fleet);
  const timeoutMs = parseDuration(String(f['coredns-timeout'] ?? DEFAULT_COREDNS_TIMEOUT), 'coredns-timeout');
  const settle = f['coredns-settle'] === undefined ? undefined : parseDuration(String(f['coredns-settle']), 'coredns-settle');
  const selector = String(f['coredns-selector'] ?? COREDNS_POD_SELECTOR);
  if (check === 'off') {
    return () => undefined;
  }
  return (clusterId, client) => {
    const url = urls[clusterId];
    if (url) {
      return { probe: urlProbe(url), timeoutMs, settleMs: settle ?? parseDuration(DEFAULT_URL_SETTLE, 'coredns-settle') };
    }
    const ports = probePortsOf(distCorefile(String(f.dist), clusterId));
    return { probe: podProxyProbe(client, { selector, ...ports }), timeoutMs, settleMs: settle ?? parseDuration(DEFAULT_POD_SETTLE, 'coredns-settle') };
  };
}

/** `cluster-2=http://127.0.0.1:21154/ready,...`: every ID in the fleet, every URL http(s). */
export function parseUrlMap(value: string | undefined, fleet: FleetManifest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (value ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const [id, url] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    if (!fleet.clusters.some((c) => c.id === id)) {
      throw new UsageError(`--coredns-ready-url names cluster "${id}", which is not in fleet.json (fleet: ${fleet.clusters.map((c) => c.id).join(', ')}); expected ID=URL pairs such as cluster-2=http://127.0.0.1:8181/ready`);
    }
    if (!/^https?:\/\/[^/\s]+/.test(url)) {
      throw new UsageError(`--coredns-ready-url for "${id}" must be an http(s) URL such as http://127.0.0.1:8181/ready, got "${url}"`);
    }
    out[id] = url;
  }
  return out;
}

/** The Corefile dist sets for the cluster, for the ready and metrics ports; undefined when dist has none. */
function distCorefile(dist: string, clusterId: string): string | undefined {
  try {
    const cm = readClusterManifests(dist, clusterId).find((m) => m.object.kind === 'ConfigMap' && m.object.metadata.namespace === COREDNS_NAMESPACE && m.object.metadata.name === COREDNS_CONFIGMAP);
    const text = (cm?.object.data as Record<string, unknown> | undefined)?.[COREFILE_KEY];
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}
