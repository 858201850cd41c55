/**
 * Patches a Corefile so its CoreDNS serves the KEP-1645 clusterset zone, in the syntax of the
 * cluster's CoreDNS flavour. Only the touched tokens change; patching twice changes nothing, and
 * patching with the other flavour converts (so a CoreDNS upgrade is a clean re-synth).
 */
import { applyExternalPlugin } from './external-plugin';
import { mirrorCacheExemptions } from './cache';
import { CorefileEditor } from './editor';
import { CoreDnsFlavour } from './flavour';
import { applyInTree } from './in-tree';
import { lintCorefile } from './lint';
import { PatchOptions, ResolvedPatchOptions, resolvePatchOptions } from './options';
import { parseCorefile } from './parse';
import { PatchContext } from './patch-context';
import { Corefile } from './syntax';
import { findKubernetesTargets, KubernetesTarget } from './targets';
import { hasInTreeMulticluster, MIN_IN_TREE_VERSION } from './versions';
import { cacheDelayWarning, primaryZoneWarning, unreachableZoneWarning } from './warnings';

export interface PatchResult {
  /** The patched Corefile; the input itself when nothing needed to change. */
  readonly corefile: string;
  readonly changed: boolean;
  /** Things left as they are that may not behave as hoped (cache delays, unreachable zones …). */
  readonly warnings: string[];
}

const APPLY: Record<CoreDnsFlavour, (context: PatchContext, target: KubernetesTarget) => void> = {
  [CoreDnsFlavour.IN_TREE]: applyInTree,
  [CoreDnsFlavour.EXTERNAL_PLUGIN]: applyExternalPlugin,
};

export function patchCorefile(text: string, options: PatchOptions): PatchResult {
  const resolved = resolvePatchOptions(options);
  const corefile = parseCorefile(text);
  const context: PatchContext = { editor: new CorefileEditor(corefile), options: resolved, warnings: [] };
  findKubernetesTargets(corefile, resolved.clusterDomain).forEach((target) => {
    APPLY[resolved.flavour](context, target);
    mirrorCacheExemptions(context, target);
  });
  const patched = context.editor.result();
  const warnings = [...context.warnings, ...reviewResult(parseCorefile(patched), resolved)];
  return { corefile: patched, changed: patched !== text, warnings: [...new Set(warnings)] };
}

/** Warnings about the patched Corefile as a whole; parsing it again also proves it is well formed. */
function reviewResult(patched: Corefile, options: ResolvedPatchOptions): string[] {
  const targets = findKubernetesTargets(patched, options.clusterDomain);
  return [...targetWarnings(targets, options), ...flavourAdvice(options), ...lintCorefile(patched)];
}

function targetWarnings(targets: readonly KubernetesTarget[], options: ResolvedPatchOptions): string[] {
  const { clusterDomain, clustersetZone } = options;
  const warnings = targets.flatMap((target) => [
    unreachableZoneWarning(target, clustersetZone),
    primaryZoneWarning(target, clusterDomain, clustersetZone),
    cacheDelayWarning(target.serverBlock, clustersetZone),
  ]);
  return warnings.filter((warning): warning is string => warning !== undefined);
}

function flavourAdvice({ flavour, version }: ResolvedPatchOptions): string[] {
  if (flavour !== CoreDnsFlavour.EXTERNAL_PLUGIN || !hasInTreeMulticluster(version)) return [];
  return [
    `CoreDNS ${version} (>= ${MIN_IN_TREE_VERSION}) has the multicluster option in its kubernetes plugin; ` +
      `flavour "${CoreDnsFlavour.IN_TREE}" needs no custom CoreDNS build`,
  ];
}
