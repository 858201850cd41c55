/**
 * The follower process of a bed in `configmap` CoreDNS mode (testbed/coredns-configmap.ts): makes
 * every cluster's CoreDNS run what its kube-system/coredns ConfigMap says, for as long as the bed
 * lives. A process of its own because `npm run testbed -- up` returns while the bed keeps running.
 * It exits on SIGTERM (down) and by itself when the bed it was started for is gone (state file
 * removed or replaced, e.g. by the watchdog after a crashed owner), so nothing else must know it.
 *
 *   node -r ts-node/register/transpile-only testbed/coredns-follower.ts <state file> [<cluster-id>=<resourceVersion> ...]
 */
import { CoreDnsFollower, followCoreDnsConfigMap } from './coredns-follow';
import { readState } from './state';

const [stateFile, ...running] = process.argv.slice(2);
process.env.TESTBED_STATE = stateFile;
const bed = readState();
if (!bed) {
  process.stderr.write(`coredns-follower: no test bed state at ${stateFile}\n`);
  process.exit(2);
}
const startedAt = bed.startedAt;
const runningVersions = new Map(running.map((pair) => pair.split('=') as [string, string]));
const say = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

const followers = new Map<string, CoreDnsFollower>(bed.clusters.map((c) => [c.id, followCoreDnsConfigMap(c.id, { runningResourceVersion: runningVersions.get(c.id), whenDeleted: 'keep' })]));
const reported = new Map<string, number>();
say(`following kube-system/coredns in ${[...followers.keys()].join(', ')}`);

let stopping = false;
async function stop(why: string): Promise<never> {
  stopping = true;
  say(`stopping: ${why}`);
  await Promise.all([...followers.values()].map((f) => f.stop()));
  process.exit(0);
}

setInterval(() => {
  if (stopping) return;
  for (const [id, f] of followers) {
    f.history.slice(reported.get(id) ?? 0).forEach((h) => say(`${id}: ConfigMap resourceVersion ${h.resourceVersion ?? '(deleted)'}: ${h.started ? 'CoreDNS restarted with its Corefile' : `CoreDNS did not start: ${h.error}`}`));
    reported.set(id, f.history.length);
  }
  if (readState()?.startedAt !== startedAt) void stop('the test bed it followed is gone');
}, 1000);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop(signal));
