/**
 * CPU time used by the bed's processes and the runner, read from /proc (Linux): on a machine
 * shared with other work, wall times swing with the load, while the CPU seconds each side spends
 * for the same result are a steadier measure of what it costs.
 */
import * as fs from 'node:fs';
import { requireState } from '../../testbed/harness';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) the process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Processes to account, by label: `<component>@<cluster>` for the bed, plus any extra (the runner). */
export function bedPids(extra: Readonly<Record<string, number>> = {}): Record<string, number> {
  const out: Record<string, number> = { ...extra };
  for (const c of requireState().clusters) {
    for (const [name, comp] of Object.entries(c.components)) {
      if (comp.pid) {
        out[`${name}@${c.id}`] = comp.pid;
      }
    }
  }
  return out;
}

export type CpuSnapshot = Readonly<Record<string, number>>;

export function cpuSnapshot(pids: Readonly<Record<string, number>>): CpuSnapshot {
  return Object.fromEntries(Object.entries(pids).map(([label, pid]) => [label, cpuSeconds(pid)]));
}

/** CPU seconds between two snapshots, summed by component (`kube-apiserver`, `etcd`, `runner`, ...), optionally for some clusters only. */
export function cpuByComponent(before: CpuSnapshot, after: CpuSnapshot, clusters?: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [label, seconds] of Object.entries(after)) {
    const [component, cluster] = label.split('@');
    if (clusters && cluster && !clusters.includes(cluster)) {
      continue;
    }
    out[component] = Math.round(((out[component] ?? 0) + seconds - (before[label] ?? 0)) * 100) / 100;
  }
  return out;
}
