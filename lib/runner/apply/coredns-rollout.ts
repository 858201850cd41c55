/**
 * Waits, after a CoreDNS configuration change, until every CoreDNS instance serves with it: ready,
 * and either seen to load another Corefile (a new reload hash, or a new pod) or, where that cannot
 * be seen, ready after a settle time. Fails at once when an instance rejects the new Corefile.
 */
import { messageOf } from '../../kube/errors';
import { CoreDnsInstance, CoreDnsProbe } from './coredns-probe';

export interface CoreDnsRolloutOptions {
  readonly probe: CoreDnsProbe;
  /** How long CoreDNS may take to load the change and be ready. */
  readonly timeoutMs: number;
  /**
   * Where an instance cannot show which Corefile it runs (no reload metrics, a URL probe, a
   * ConfigMap created rather than changed): ready is believed only this long after the change.
   */
  readonly settleMs: number;
  /** @default 1000 */
  readonly pollMs?: number;
}

/** What the instances looked like before the change. */
export interface RolloutBaseline {
  readonly instances: ReadonlyMap<string, CoreDnsInstance>;
  readonly error?: string;
}

export type RolloutResult =
  | { readonly kind: 'ready'; readonly ms: number; readonly detail: string }
  | { readonly kind: 'failed'; readonly ms: number; readonly reason: string }
  /** Nothing to watch: no instance found before or after. */
  | { readonly kind: 'unchecked'; readonly reason: string };

/** Consecutive good observations needed: one good poll can be the old process still answering. */
const STABLE_POLLS = 2;

export async function takeBaseline(probe: CoreDnsProbe): Promise<RolloutBaseline> {
  try {
    return { instances: new Map((await probe.observe()).map((i) => [i.name, i])) };
  } catch (e) {
    return { instances: new Map(), error: messageOf(e) };
  }
}

/**
 * Polls until ready, rejected or timed out. `expectReload`: the change replaced a Corefile the
 * instances were running, so a changed reload hash proves they loaded it.
 */
export async function waitForRollout(baseline: RolloutBaseline, o: CoreDnsRolloutOptions & { expectReload: boolean; startedAt: number }): Promise<RolloutResult> {
  let stable = 0;
  let last = 'no observation yet';
  for (;;) {
    const elapsed = Date.now() - o.startedAt;
    const seen = await o.probe.observe().catch((e: Error) => e);
    if (seen instanceof Error) {
      last = `cannot observe CoreDNS: ${seen.message}`;
      stable = 0;
    } else if (seen.length === 0 && baseline.instances.size === 0) {
      return { kind: 'unchecked', reason: `found no ${o.probe.description}; the rollout was not checked${baseline.error ? ` (${baseline.error})` : ''}` };
    } else {
      const verdict = judge(seen, baseline, o, elapsed);
      if (verdict.rejected) {
        return { kind: 'failed', ms: elapsed, reason: verdict.rejected };
      }
      stable = verdict.pending.length === 0 ? stable + 1 : 0;
      last = verdict.pending.length === 0 ? verdict.summary : verdict.pending.join('; ');
      if (stable >= STABLE_POLLS) {
        return { kind: 'ready', ms: Date.now() - o.startedAt, detail: verdict.summary };
      }
    }
    if (elapsed >= o.timeoutMs) {
      return { kind: 'failed', ms: elapsed, reason: `not serving the new configuration ${Math.round(o.timeoutMs / 1000)}s after the change: ${last}` };
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
  }
}

interface Judgement {
  /** Set when an instance refused the new Corefile: no point waiting. */
  readonly rejected?: string;
  /** Instances not there yet, with why. */
  readonly pending: readonly string[];
  readonly summary: string;
}

function judge(seen: readonly CoreDnsInstance[], baseline: RolloutBaseline, o: { expectReload: boolean; settleMs: number }, elapsed: number): Judgement {
  const pending: string[] = [];
  let confirmed = 0;
  for (const now of seen) {
    const before = baseline.instances.get(now.name);
    if (before?.reloadFailures !== undefined && now.reloadFailures !== undefined && now.reloadFailures > before.reloadFailures) {
      return { rejected: `${now.name} rejected the new Corefile and keeps running the old one (coredns_reload_failed_total ${before.reloadFailures} -> ${now.reloadFailures}; its log says why)`, pending: [], summary: '' };
    }
    const loaded = loadedNewConfig(now, before, o.expectReload);
    if (!now.ready) {
      pending.push(`${now.name}: ${now.detail}`);
    } else if (loaded === 'no') {
      pending.push(`${now.name}: ready, still on the previous Corefile (reload hash unchanged)`);
    } else if (loaded === 'unknown' && elapsed < o.settleMs) {
      pending.push(`${now.name}: ready, settling (${Math.ceil((o.settleMs - elapsed) / 1000)}s more: it cannot show which Corefile it runs)`);
    } else {
      confirmed += loaded === 'yes' ? 1 : 0;
    }
  }
  if (seen.length === 0) {
    pending.push(`no ${'CoreDNS instance'} found any more (${baseline.instances.size} before the change)`);
  }
  const summary = `${seen.length} instance${seen.length === 1 ? '' : 's'} ready${confirmed > 0 ? `, ${confirmed} seen loading the new Corefile` : ''}`;
  return { pending, summary };
}

function loadedNewConfig(now: CoreDnsInstance, before: CoreDnsInstance | undefined, expectReload: boolean): 'yes' | 'no' | 'unknown' {
  if (before === undefined || (before.uid !== undefined && before.uid !== now.uid)) {
    return now.uid !== undefined ? 'yes' : 'unknown'; // a pod started after the change reads the new ConfigMap
  }
  if (!expectReload || before.reloadHash === undefined || now.reloadHash === undefined) {
    return 'unknown';
  }
  return now.reloadHash !== before.reloadHash ? 'yes' : 'no';
}
