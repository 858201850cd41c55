/**
 * Would applying dist's CoreDNS configuration lose something the live cluster has? Pure.
 *
 * The rule: the live Corefile, patched exactly as the compiler patches (the patch is idempotent
 * and converts between flavours), must equal dist's Corefile. When it does not, the lines of the
 * live Corefile that dist lacks, other than lines the patch itself rewrites, are what `apply`
 * would remove. Lines dist adds are not a loss. No base Corefile needs to be recorded in dist.
 */
import { CoreDnsFlavour, MIN_IN_TREE_VERSION, patchCorefile } from '../../corefile';
import { COREDNS_CONFIGMAP, COREDNS_CUSTOM_CONFIGMAP, COREDNS_CUSTOM_SERVER_KEY, COREDNS_NAMESPACE, COREFILE_KEY } from '../../fleet/coredns-objects';
import { FleetManifestCoreDns } from '../../fleet/manifest';
import { CLUSTERSET_ZONE, DEFAULT_CLUSTER_DOMAIN } from '../../fleet/names';
import { diffOps } from './text-diff';

/** What the fleet declares for one cluster's CoreDNS (from fleet.json). */
export interface CoreDnsDeclaration {
  readonly clusterId: string;
  readonly clusterDomain?: string;
  /** Absent for a dist written before fleet.json recorded it: compared without the patch. */
  readonly coreDns?: FleetManifestCoreDns;
}

/** A line of the live configuration that applying dist would remove or change. */
export interface LostLine {
  /** 1-based line number in the live text. */
  readonly line: number;
  readonly text: string;
}

export type CorefileVerdict =
  /** Nothing live to lose: the object or key does not exist yet. */
  | { readonly kind: 'new' }
  /** Dist is the live configuration plus the clusterset patch, nothing else. */
  | { readonly kind: 'kept' }
  /** Nothing live is lost; dist adds lines beyond the patch. */
  | { readonly kind: 'adds'; readonly added: readonly string[] }
  | { readonly kind: 'loses'; readonly lost: readonly LostLine[]; readonly note?: string };

/** The CoreDNS configuration objects `apply` guards: `kube-system/coredns` and `kube-system/coredns-custom`. */
export function guardedKey(ref: { apiVersion: string; kind: string; namespace?: string; name: string }): string | undefined {
  if (ref.kind !== 'ConfigMap' || ref.apiVersion !== 'v1' || ref.namespace !== COREDNS_NAMESPACE) {
    return undefined;
  }
  return ref.name === COREDNS_CONFIGMAP ? COREFILE_KEY : ref.name === COREDNS_CUSTOM_CONFIGMAP ? COREDNS_CUSTOM_SERVER_KEY : undefined;
}

/**
 * Compares the live value of a guarded key with dist's. `ownedByUs`: our field manager applied
 * the key before, so a difference in it is our own earlier output, not someone else's.
 */
export function checkCorefileChange(key: string, live: string | undefined, desired: string, o: { declaration: CoreDnsDeclaration; ownedByUs?: boolean }): CorefileVerdict {
  if (live === undefined) {
    return { kind: 'new' };
  }
  if (key === COREFILE_KEY) {
    return compareMainCorefile(live, desired, o.declaration);
  }
  // coredns-custom: the key holds only our server block; server-side apply leaves the other keys alone.
  if (o.ownedByUs || sameLines(live, desired)) {
    return { kind: 'kept' };
  }
  return lossesOrAdds(live, desired, { removed: new Map(), added: new Map() });
}

function compareMainCorefile(live: string, desired: string, declaration: CoreDnsDeclaration): CorefileVerdict {
  const patched = patchLive(live, declaration);
  if (patched.text !== undefined && sameLines(patched.text, desired)) {
    return { kind: 'kept' };
  }
  // Lines the patch itself rewrites (a kubernetes line gaining the zone, a cache line) are ours to change.
  const ours = patched.text === undefined ? { removed: new Map<string, number>(), added: new Map<string, number>() } : patchEdits(live, patched.text);
  const verdict = lossesOrAdds(live, desired, ours);
  return verdict.kind === 'loses' && patched.note ? { ...verdict, note: patched.note } : verdict;
}

function patchLive(live: string, d: CoreDnsDeclaration): { text?: string; note?: string } {
  // Without a declaration (a dist older than fleet.json's coreDns), the in-tree syntax of the oldest supporting version is the best guess.
  const declared = d.coreDns ?? { flavour: CoreDnsFlavour.IN_TREE, version: MIN_IN_TREE_VERSION };
  const guessed = d.coreDns ? undefined : `dist/fleet.json records no CoreDNS version for cluster "${d.clusterId}" (synthesized by an older cdk8s-mcs), so the live Corefile was compared with the in-tree clusterset patch applied; synthesize again for an exact comparison`;
  try {
    const options = { flavour: declared.flavour as CoreDnsFlavour, version: declared.version, clusterDomain: d.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN, clustersetZone: CLUSTERSET_ZONE };
    return { text: patchCorefile(live, options).corefile, note: guessed };
  } catch (e) {
    return { note: `the live Corefile cannot be patched (${(e as Error).message}), so it was compared with dist's as it is` };
  }
}

/** Lines the patch removes from and adds to the live Corefile, counted. */
interface PatchEdits {
  readonly removed: Map<string, number>;
  readonly added: Map<string, number>;
}

function lossesOrAdds(live: string, desired: string, ours: PatchEdits): CorefileVerdict {
  const liveLines = meaningfulLines(live);
  const ops = diffOps(liveLines.map((l) => l.key), meaningfulLines(desired).map((l) => l.key));
  const lost: LostLine[] = [];
  const added: string[] = [];
  let i = 0;
  for (const op of ops) {
    if (op.sign === '+') {
      if (!takeOne(ours.added, op.line)) {
        added.push(op.line);
      }
      continue;
    }
    const line = liveLines[i++];
    if (op.sign === '-' && !takeOne(ours.removed, line.key)) {
      lost.push({ line: line.number, text: line.text });
    }
  }
  return lost.length > 0 ? { kind: 'loses', lost } : { kind: 'adds', added };
}

interface NumberedLine {
  readonly number: number;
  readonly text: string;
  /** Whitespace-insensitive form: CoreDNS ignores indentation and repeated blanks. */
  readonly key: string;
}

function meaningfulLines(text: string): NumberedLine[] {
  return text.split('\n')
    .map((t, i) => ({ number: i + 1, text: t.replace(/\s+$/, ''), key: t.trim().replace(/\s+/g, ' ') }))
    .filter((l) => l.key !== '');
}

function sameLines(a: string, b: string): boolean {
  const keys = (t: string) => meaningfulLines(t).map((l) => l.key).join('\n');
  return keys(a) === keys(b);
}

function patchEdits(before: string, after: string): PatchEdits {
  const ops = diffOps(meaningfulLines(before).map((l) => l.key), meaningfulLines(after).map((l) => l.key));
  return { removed: countKeys(ops.filter((op) => op.sign === '-').map((op) => op.line)), added: countKeys(ops.filter((op) => op.sign === '+').map((op) => op.line)) };
}

function countKeys(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  keys.forEach((k) => counts.set(k, (counts.get(k) ?? 0) + 1));
  return counts;
}

function takeOne(counts: Map<string, number>, key: string): boolean {
  const n = counts.get(key) ?? 0;
  if (n === 0) {
    return false;
  }
  counts.set(key, n - 1);
  return true;
}
