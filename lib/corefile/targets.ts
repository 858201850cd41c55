/** Finds the `kubernetes` plugins a patch works on: those serving the cluster domain. */
import { describeServerBlock, directivesNamed, pluginZones, serverBlocks } from './query';
import { Corefile, Directive, ServerBlock } from './syntax';

export interface KubernetesTarget {
  readonly serverBlock: ServerBlock;
  readonly kubernetes: Directive;
}

/** Every `kubernetes` plugin serving `clusterDomain`, with its server block; throws when there is none. */
export function findKubernetesTargets(corefile: Corefile, clusterDomain: string): KubernetesTarget[] {
  serverBlocks(corefile).forEach(rejectRepeatedKubernetes);
  const targets = serverBlocks(corefile).flatMap((serverBlock) =>
    directivesNamed(serverBlock.body, 'kubernetes')
      .filter((kubernetes) => pluginZones(kubernetes.args, serverBlock).includes(clusterDomain))
      .map((kubernetes) => ({ serverBlock, kubernetes })),
  );
  if (targets.length === 0) {
    throw new Error(
      `no server block has a kubernetes plugin serving the cluster domain "${clusterDomain}"; found: ${describeFound(corefile)}. ` +
        'Pass clusterDomain if the cluster uses another domain, or start from KUBEADM_DEFAULT_COREFILE',
    );
  }
  return targets;
}

function rejectRepeatedKubernetes(serverBlock: ServerBlock): void {
  const kubernetes = directivesNamed(serverBlock.body, 'kubernetes');
  if (kubernetes.length > 1) {
    const lines = kubernetes.map((directive) => directive.name.line).join(', ');
    throw new Error(`${describeServerBlock(serverBlock)} has ${kubernetes.length} kubernetes plugins (lines ${lines}); CoreDNS allows one per server block`);
  }
}

function describeFound(corefile: Corefile): string {
  const blocks = serverBlocks(corefile);
  if (blocks.length === 0) return 'no server blocks';
  return blocks.map(describeKubernetesUse).join('; ');
}

function describeKubernetesUse(serverBlock: ServerBlock): string {
  const kubernetes = directivesNamed(serverBlock.body, 'kubernetes');
  if (kubernetes.length === 0) {
    const plugins = serverBlock.body.directives.map((directive) => directive.name.value);
    return `${describeServerBlock(serverBlock)} without kubernetes (plugins: ${plugins.join(', ') || 'none'})`;
  }
  const zones = kubernetes.map((directive) => pluginZones(directive.args, serverBlock).join(' '));
  return `${describeServerBlock(serverBlock)} with kubernetes serving ${zones.join(' and ')}`;
}
