/**
 * What the kubelet does to a container spec before the process starts, for tests that run the
 * emitted runner Deployment without a cluster: resolve `env` (the downward API fields a pod has),
 * expand `$(VAR)` references in `command`/`args` as Kubernetes does, and map each volume mount
 * onto a folder of the test, so the process sees its files "at the mounted paths".
 */
import * as path from 'node:path';

export interface ContainerSpec {
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  readonly volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodIdentity {
  readonly name: string;
  readonly namespace: string;
}

/** The container's environment, with `fieldRef` values taken from the pod. */
export function containerEnv(c: ContainerSpec, pod: PodIdentity): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': pod.name, 'metadata.namespace': pod.namespace };
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const fieldPath = e.valueFrom?.fieldRef?.fieldPath;
    if (e.value !== undefined) {
      env[e.name] = expandReferences(e.value, env);
    } else if (fieldPath && fields[fieldPath] !== undefined) {
      env[e.name] = fields[fieldPath];
    } else {
      throw new Error(`env ${e.name}: only value and fieldRef ${Object.keys(fields).join('/')} are supported here, got ${JSON.stringify(e.valueFrom)}`);
    }
  }
  return env;
}

/**
 * Kubernetes' `$(VAR)` expansion (k8s.io/kubernetes third_party/forked/golang/expansion): a
 * defined variable is replaced, `$$` is a literal `$`, an undefined reference stays as written.
 */
export function expandReferences(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') {
      return '$';
    }
    return name !== undefined && Object.hasOwn(env, name) ? env[name] : whole;
  });
}

/** `command` + `args` after expansion; an empty `command` means the image's ENTRYPOINT, given here. */
export function containerArgv(c: ContainerSpec, env: Readonly<Record<string, string>>, entrypoint: readonly string[]): string[] {
  const command = c.command && c.command.length > 0 ? c.command : entrypoint;
  return [...command, ...(c.args ?? [])].map((a) => expandReferences(a, env));
}

/**
 * Rewrites absolute paths inside a volume mount to the same path under `root`
 * (`/etc/cdk8s-mcs/fleet` -> `<root>/etc/cdk8s-mcs/fleet`), leaving every other word alone.
 */
export function mapMountedPaths(argv: readonly string[], c: ContainerSpec, root: string): string[] {
  const mounts = (c.volumeMounts ?? []).map((m) => m.mountPath);
  return argv.map((a) => (mounts.some((m) => a === m || a.startsWith(`${m}/`)) ? path.join(root, a) : a));
}
