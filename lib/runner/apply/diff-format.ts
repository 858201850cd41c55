/** `diff` output: per cluster, per object, the fields that differ, as a unified-ish diff. */
import { stringify } from 'yaml';
import { FieldChange } from './compare';
import { formatPath } from './field-path';
import { describeRef } from './object-ref';
import { ObjectOutcome } from './report';
import { lineDiff } from './text-diff';

/** The diff of one object, or nothing for objects that would not change. */
export function formatObjectDiff(o: ObjectOutcome): string[] {
  const title = `diff [${o.clusterId}] ${describeRef(o.ref)}`;
  switch (o.outcome) {
    case 'created':
      return [`${title} (create)`, '--- (absent)', `+++ ${o.file ?? 'dist'}`, '@@ new object @@', ...prefixLines('+', stringify(o.desired ?? {}))];
    case 'updated':
      return [title, '--- live', `+++ ${o.file ?? 'dist'}`, ...(o.changes ?? []).flatMap(formatChange)];
    case 'pruned':
      return [`${title} (prune)`, '--- live', '+++ (absent)', '@@ deleted by --prune @@'];
    case 'failed':
      if (o.refused) {
        return [`# [${o.clusterId}] apply refuses ${describeRef(o.ref)}: ${o.reason ?? ''}`, title, '--- live', `+++ ${o.file ?? 'dist'}`, ...(o.changes ?? []).flatMap(formatChange)];
      }
      return [`# [${o.clusterId}] ${o.outcome} ${describeRef(o.ref)}: ${o.reason ?? ''}`];
    case 'kept':
      return [`# [${o.clusterId}] ${o.outcome} ${describeRef(o.ref)}: ${o.reason ?? ''}`];
    default:
      return [];
  }
}

/** `@@ spec.replicas @@`, then `-` live and `+` desired; multi-line strings as a line diff. */
export function formatChange(c: FieldChange): string[] {
  const head = `@@ ${formatPath(c.path)}${c.desired === undefined ? ' (removed: dist no longer sets it)' : ''}${c.uncertain ? ' (list holds items others added)' : ''} @@`;
  if (typeof c.live === 'string' && typeof c.desired === 'string' && (c.live.includes('\n') || c.desired.includes('\n'))) {
    return [head, ...lineDiff(c.live, c.desired)];
  }
  return [head, ...valueLines('-', c.live), ...valueLines('+', c.desired)];
}

function valueLines(sign: '-' | '+', value: unknown): string[] {
  return value === undefined ? [] : prefixLines(sign, stringify(value));
}

function prefixLines(sign: string, text: string): string[] {
  return text.replace(/\n$/, '').split('\n').map((l) => `${sign}${l}`);
}
