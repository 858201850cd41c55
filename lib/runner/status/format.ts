/** `status` as text: the runner, every export, every import per consumer, the DNS names. */
import { FleetStatus, SourceView } from './collect';

export function formatStatus(s: FleetStatus): string[] {
  const lines = [`fleet status at ${s.at}`];
  lines.push(runnerLine(s));
  lines.push('', `exports (${s.exports.length}):`);
  for (const e of s.exports) {
    for (const c of e.clusters) {
      const conditions = c.conditions.map((x) => `${x.type}=${x.status}${x.reason ? ` (${x.reason})` : ''}`).join(', ') || 'no conditions yet (is the runner running?)';
      const problems = c.conditions.filter((x) => (x.type === 'Conflict' && x.status === 'True') || (x.type !== 'Conflict' && x.status === 'False')).map((x) => `${x.type}: ${x.message ?? x.reason ?? ''}`);
      lines.push(`  ${e.service} in ${c.clusterId}: ${conditions}${problems.length > 0 ? ` — ${problems.join('; ')}` : ''}`);
    }
  }
  lines.push('', `imports (${s.imports.length}):`);
  for (const i of s.imports) {
    lines.push(`  ${i.service} in ${i.consumer}${i.type ? ` (${i.type})` : ''}:${i.sources.length === 0 ? ' no endpoints from any source cluster' : ''}`);
    i.sources.forEach((src) => lines.push(`    from ${src.clusterId} [${src.method}]: ${src.ready} ready, ${src.notReady} not ready; ${leaseText(src)}`));
    i.dnsNames.forEach((d) => lines.push(`    ${d.ready ? 'answers' : 'not ready'}  ${d.name}`));
  }
  if (s.unreachable.length > 0) {
    lines.push('', 'unreachable:', ...s.unreachable.map((u) => `  ${u.clusterId}: ${u.error}`));
  }
  return lines;
}

function runnerLine(s: FleetStatus): string {
  const r = s.runner;
  if (!r) {
    return 'runner: the fleet deploys no SyncRunner (no leader lease to read)';
  }
  if (!r.holder) {
    return `runner: no leader (no lease holder in ${r.clusterId}): is cdk8s-mcs sync running?`;
  }
  return `runner: ${r.leading ? 'leading' : 'NOT leading (lease expired)'}: ${r.holder}, lease in ${r.clusterId} renewed ${r.renewedSecondsAgo}s ago (duration ${r.leaseDurationSeconds}s)`;
}

function leaseText(src: SourceView): string {
  if (src.leaseAgeSeconds === undefined) {
    return 'no liveness lease';
  }
  const ttl = src.ttlSeconds;
  if (ttl !== undefined && src.leaseAgeSeconds > ttl) {
    return `liveness lease ${src.leaseAgeSeconds}s old: EXPIRED (TTL ${ttl}s), ${src.clusterId} is lost; its endpoints are withdrawn`;
  }
  const left = ttl === undefined ? '' : `, expires in ${ttl - src.leaseAgeSeconds}s`;
  return `liveness lease ${src.leaseAgeSeconds}s old${src.leaseAgeSeconds > 15 ? ` (${src.clusterId} unreachable?)` : ''}${left}`;
}
