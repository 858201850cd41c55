/**
 * Reading a kubeconfig without @kubernetes/client-node for the common case: static credentials
 * (a bearer token or token file, a client certificate, basic auth) and a CA. Importing
 * client-node loads its whole generated API (its sources alone keep ~15 MB of strings in the
 * heap; ~60 MiB of resident memory in all), which the runner paid only to read its kubeconfig.
 * Anything else (exec and auth-provider plugins, proxies) is handed to client-node, loaded then.
 *
 * The same files as client-node's loadFromDefault: `file`, else each file of $KUBECONFIG (merged,
 * the first definition of a name wins), else ~/.kube/config, else the in-cluster ServiceAccount.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ClusterAuth, clientNodeAuth, staticAuth, StaticAuthConfig } from './cluster-auth';

interface Named<T> {
  readonly name: string;
  readonly value: T;
}

export interface KubeconfigCluster {
  readonly server: string;
  readonly 'certificate-authority'?: string;
  readonly 'certificate-authority-data'?: string;
  readonly 'insecure-skip-tls-verify'?: boolean;
  readonly 'tls-server-name'?: string;
  readonly 'proxy-url'?: string;
}

export interface KubeconfigUser {
  readonly token?: string;
  readonly tokenFile?: string;
  readonly 'client-certificate'?: string;
  readonly 'client-certificate-data'?: string;
  readonly 'client-key'?: string;
  readonly 'client-key-data'?: string;
  readonly username?: string;
  readonly password?: string;
  readonly exec?: unknown;
  readonly 'auth-provider'?: unknown;
}

interface KubeconfigContext {
  readonly cluster: string;
  readonly user: string;
}

/** The in-cluster ServiceAccount, as client-node names it. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export class Kubeconfig {
  public constructor(
    /** What the errors name: the file, or `$KUBECONFIG` / `~/.kube/config`. */
    public readonly source: string,
    private readonly clusters: readonly Named<KubeconfigCluster>[],
    private readonly users: readonly Named<KubeconfigUser>[],
    private readonly contexts: readonly Named<KubeconfigContext>[],
    /** The files it was read from, for client-node when a credential plugin needs it. */
    private readonly files: readonly string[],
  ) {}

  public contextNames(): string[] {
    return this.contexts.map((c) => c.name);
  }

  /** The cluster a context points at; throws naming the context when it names no cluster. */
  public clusterOf(context: string): KubeconfigCluster {
    const ctx = this.contexts.find((c) => c.name === context)?.value;
    const cluster = ctx ? this.clusters.find((c) => c.name === ctx.cluster)?.value : undefined;
    if (!cluster?.server) {
      throw new Error(`kubeconfig "${this.source}": context "${context}" names no cluster with a server`);
    }
    return cluster;
  }

  /** How to reach and authenticate to a context's cluster. */
  public authFor(context: string): ClusterAuth {
    const cluster = this.clusterOf(context);
    const userName = this.contexts.find((c) => c.name === context)!.value.user;
    const user = this.users.find((u) => u.name === userName)?.value ?? {};
    if (user.exec || user['auth-provider'] || cluster['proxy-url']) {
      return clientNodeAuth(this.files, context, this.source);
    }
    const config: StaticAuthConfig = { cluster, user };
    return staticAuth(config, this.source);
  }
}

/** Loads a kubeconfig file (or $KUBECONFIG / ~/.kube/config / the in-cluster ServiceAccount when `file` is undefined). */
export function loadKubeConfig(file?: string): Kubeconfig {
  if (file !== undefined && !fs.existsSync(file)) {
    throw new Error(`kubeconfig "${file}" does not exist`);
  }
  const files = file !== undefined ? [file] : defaultFiles();
  const kc = files.length > 0 ? fromFiles(files, file ?? (process.env.KUBECONFIG ? '$KUBECONFIG' : '~/.kube/config')) : inCluster();
  if (kc.contextNames().length === 0) {
    throw new Error(`kubeconfig "${kc.source}" defines no contexts`);
  }
  return kc;
}

function defaultFiles(): string[] {
  if (process.env.KUBECONFIG) {
    return process.env.KUBECONFIG.split(path.delimiter).filter((f) => f && fs.existsSync(f));
  }
  const home = path.join(os.homedir(), '.kube', 'config');
  return fs.existsSync(home) ? [home] : [];
}

function fromFiles(files: readonly string[], source: string): Kubeconfig {
  const clusters: Named<KubeconfigCluster>[] = [];
  const users: Named<KubeconfigUser>[] = [];
  const contexts: Named<KubeconfigContext>[] = [];
  for (const file of files) {
    const doc = readDocument(file, source);
    // Like kubectl, the first definition of a name wins when files are merged.
    const add = <T>(into: Named<T>[], items: unknown, key: string, resolve: (v: T) => T = (v) => v) => {
      for (const item of Array.isArray(items) ? (items as Record<string, unknown>[]) : []) {
        const name = String(item?.name ?? '');
        if (name && !into.some((x) => x.name === name) && item[key]) {
          into.push({ name, value: resolve(item[key] as T) });
        }
      }
    };
    const dir = path.dirname(path.resolve(file));
    add<KubeconfigCluster>(clusters, doc.clusters, 'cluster', (c) => ({ ...c, ...absolute(dir, c, ['certificate-authority']) }));
    add<KubeconfigUser>(users, doc.users, 'user', (u) => ({ ...u, ...absolute(dir, u, ['client-certificate', 'client-key', 'tokenFile']) }));
    add<KubeconfigContext>(contexts, doc.contexts, 'context');
  }
  return new Kubeconfig(source, clusters, users, contexts, files);
}

/** A file's YAML; errors name the file and the kind of problem only (the parser's message can quote content). */
function readDocument(file: string, source: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`kubeconfig "${source}" cannot be read: ${(e as Error).name === 'YAMLParseError' ? 'it is not valid YAML' : (e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  if (doc !== null && doc !== undefined && typeof doc !== 'object') {
    throw new Error(`kubeconfig "${source}" cannot be read: it is not a kubeconfig (a YAML mapping with clusters, users and contexts)`);
  }
  return (doc ?? {}) as Record<string, unknown>;
}

/** Relative file paths in a kubeconfig are relative to its own folder. */
function absolute<T extends object>(dir: string, o: T, keys: readonly string[]): Partial<T> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = (o as Record<string, unknown>)[k];
    if (typeof v === 'string' && v && !path.isAbsolute(v)) {
      out[k] = path.join(dir, v);
    }
  }
  return out as Partial<T>;
}

function inCluster(): Kubeconfig {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  const tokenFile = path.join(SERVICE_ACCOUNT_DIR, 'token');
  if (!host || !port || !fs.existsSync(tokenFile)) {
    throw new Error('no kubeconfig: pass --kubeconfig, set $KUBECONFIG, create ~/.kube/config, or run in a pod with a ServiceAccount token');
  }
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Kubeconfig('in-cluster ServiceAccount', [{ name: 'inCluster', value: { server, 'certificate-authority': path.join(SERVICE_ACCOUNT_DIR, 'ca.crt') } }], [{ name: 'inClusterUser', value: { tokenFile } }], [{ name: 'inClusterContext', value: { cluster: 'inCluster', user: 'inClusterUser' } }], []);
}
