import { GitOps, GitOpsSpec } from '../fleet/model';
import type { FleetProps } from './fleet';
import { requireDnsLabel, requireDnsSubdomain } from './validate';

const DEFAULT_NAMESPACE: Record<GitOps, string> = { [GitOps.ARGOCD]: 'argocd', [GitOps.FLUX]: 'flux-system', [GitOps.NONE]: '' };

/** The fleet's GitOps settings, checked and completed with defaults; undefined without GitOps. */
export function resolveGitOps(props: FleetProps): GitOpsSpec | undefined {
  const tool: GitOps = props.gitops ?? GitOps.NONE;
  if (!Object.values(GitOps).includes(tool)) {
    const members = Object.entries(GitOps) as Array<[string, string]>;
    const match = members.find(([key, value]) => [key.toLowerCase(), value].includes(String(tool).trim().toLowerCase().replace(/[\s_-]+/g, '')));
    const fix = match ? `use GitOps.${match[0]}` : `use ${members.map(([key]) => `GitOps.${key}`).join(', ')}`;
    throw new Error(`Fleet: gitops must be one of ${Object.values(GitOps).map((t) => `"${t}"`).join(', ')}, got ${JSON.stringify(tool)}. Fix: ${fix}`);
  }
  if (tool === GitOps.NONE) {
    return undefined;
  }
  if (tool === GitOps.ARGOCD && !props.gitRepoUrl) {
    throw new Error(
      'Fleet: gitops ARGOCD needs gitRepoUrl, the URL of the Git repository the output is committed to (Argo CD source.repoURL), got none. ' +
        'Fix: set gitRepoUrl to the URL Argo CD clones, e.g. "https://git.example.com/platform/fleet.git"',
    );
  }
  const spec: GitOpsSpec = {
    tool,
    repoUrl: props.gitRepoUrl,
    revision: props.gitRevision ?? 'HEAD',
    path: props.gitPath ?? 'dist',
    namespace: props.gitopsNamespace ?? DEFAULT_NAMESPACE[tool],
    argoCdProject: props.argoCdProject ?? 'default',
    fluxSource: props.fluxSource ?? 'flux-system',
  };
  requireDnsLabel('Fleet', 'gitopsNamespace', spec.namespace);
  requireDnsSubdomain('Fleet', 'fluxSource', spec.fluxSource);
  if (spec.path.split('/').includes('..') || spec.path.startsWith('/')) {
    const inside = spec.path.split('/').filter((part) => part !== '' && part !== '.' && part !== '..').join('/');
    const fix = inside !== '' ? `use "${inside}", relative to the repository root` : 'omit gitPath to use "dist"';
    throw new Error(`Fleet: gitPath must be a path inside the repository (relative, without ".."), got "${spec.path}". Fix: ${fix}`);
  }
  return spec;
}
