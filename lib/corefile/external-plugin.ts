/**
 * The external-plugin flavour (CoreDNS >= 1.9.3 built with github.com/coredns/multicluster): a
 * server-level `multicluster <zone>` directive on its own line just above the `kubernetes` plugin,
 * which itself stays as it was. The `kubernetes` plugin must not be authoritative for the
 * clusterset zone here, or it would answer NXDOMAIN before the multicluster plugin is asked.
 */
import { argsNaming, namesOnly, PatchContext } from './patch-context';
import { directivesNamed } from './query';
import { Directive } from './syntax';
import { KubernetesTarget } from './targets';

export function applyExternalPlugin(context: PatchContext, target: KubernetesTarget): void {
  removeInTreeOption(context, target.kubernetes);
  removeClustersetZone(context, target.kubernetes);
  addMulticlusterDirective(context, target);
}

/** Undoes the in-tree flavour's `multicluster <zone>` option, and the block if it held nothing else. */
function removeInTreeOption({ editor, options }: PatchContext, kubernetes: Directive): void {
  const zone = options.clustersetZone;
  const block = kubernetes.block;
  const naming = directivesNamed(block, 'multicluster').filter((option) => argsNaming(option, zone).length > 0);
  const onlyOption = block?.directives.length === 1 && naming.length === 1 && namesOnly(naming[0], zone);
  if (block && onlyOption && !editor.blockHasComments(block)) {
    editor.removeBlock(kubernetes);
    return;
  }
  for (const option of naming) {
    if (namesOnly(option, zone)) editor.removeDirective(option);
    else argsNaming(option, zone).forEach((arg) => editor.removeArg(arg));
  }
}

function removeClustersetZone({ editor, options }: PatchContext, kubernetes: Directive): void {
  argsNaming(kubernetes, options.clustersetZone).forEach((arg) => editor.removeArg(arg));
}

function addMulticlusterDirective({ editor, options }: PatchContext, { serverBlock, kubernetes }: KubernetesTarget): void {
  const zone = options.clustersetZone;
  // The plugin may appear once per server block, so an existing one for other zones is extended.
  const existing = directivesNamed(serverBlock.body, 'multicluster')[0];
  if (!existing) {
    editor.insertLineBefore(kubernetes, `multicluster ${zone}`);
  } else if (argsNaming(existing, zone).length === 0) {
    editor.insertArgsAfter(existing.args[existing.args.length - 1] ?? existing.name, [zone]);
  }
}
