/**
 * The in-tree flavour (stock CoreDNS >= 1.12.2): the `kubernetes` plugin serving the cluster domain
 * also becomes authoritative for the clusterset zone and marks it with `multicluster <zone>`:
 *
 *     kubernetes cluster.local clusterset.local in-addr.arpa ip6.arpa {
 *        multicluster clusterset.local
 *        ...
 *
 * The cluster domain stays first: CoreDNS uses the first zone for PTR answers.
 */
import { argsNaming, namesOnly, PatchContext } from './patch-context';
import { directivesNamed, pluginZones, serverZones } from './query';
import { KubernetesTarget } from './targets';

export function applyInTree(context: PatchContext, target: KubernetesTarget): void {
  removeExternalPluginDirective(context, target);
  addClustersetZone(context, target);
  addMulticlusterOption(context, target);
}

/** Undoes the external flavour: its server-level `multicluster` directive for the clusterset zone. */
function removeExternalPluginDirective({ editor, options, warnings }: PatchContext, { serverBlock }: KubernetesTarget): void {
  const zone = options.clustersetZone;
  for (const directive of directivesNamed(serverBlock.body, 'multicluster')) {
    if (!namesOnly(directive, zone)) {
      argsNaming(directive, zone).forEach((arg) => editor.removeArg(arg));
      continue;
    }
    editor.removeDirective(directive);
    if (directive.block?.directives.length) {
      const dropped = directive.block.directives.map((option) => option.name.value).join(', ');
      warnings.push(`removed the external-plugin "multicluster ${zone}" directive (input line ${directive.name.line}) together with its options (${dropped}); the in-tree option takes its settings from the kubernetes plugin`);
    }
  }
}

function addClustersetZone({ editor, options }: PatchContext, { serverBlock, kubernetes }: KubernetesTarget): void {
  const { clusterDomain, clustersetZone } = options;
  if (pluginZones(kubernetes.args, serverBlock).includes(clustersetZone)) return;
  if (kubernetes.args.length === 0) {
    // Without zone arguments the plugin serves the server block's zones; spell them out so one more can follow.
    editor.insertArgsAfter(kubernetes.name, [...serverZones(serverBlock), clustersetZone]);
    return;
  }
  editor.insertArgsAfter(argsNaming(kubernetes, clusterDomain)[0], [clustersetZone]);
}

function addMulticlusterOption({ editor, options }: PatchContext, { kubernetes }: KubernetesTarget): void {
  const zone = options.clustersetZone;
  // CoreDNS keeps only the last `multicluster` option of a kubernetes block, so that is the one to extend.
  const existing = directivesNamed(kubernetes.block, 'multicluster').pop();
  if (!existing) {
    editor.insertFirstLinesInDirective(kubernetes, [`multicluster ${zone}`]);
  } else if (argsNaming(existing, zone).length === 0) {
    editor.insertArgsAfter(existing.args[existing.args.length - 1] ?? existing.name, [zone]);
  }
}
