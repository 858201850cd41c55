/**
 * How a KubeClient reaches and authenticates to one cluster. Static credentials are applied here
 * (TLS material once, on the connection agent; a bearer token per request, re-read from its file
 * as client-go does, since projected ServiceAccount tokens rotate). Credential plugins are
 * client-node's job: it is loaded only for them.
 */
import * as fs from 'node:fs';
import type * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeconfigCluster, KubeconfigUser } from './kubeconfig';

export interface ClusterAuth {
  readonly server: string;
  /** TLS options for every connection (CA, client certificate, verification). */
  readonly tls: Pick<https.AgentOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;
  /** Adds what each request needs to authenticate (headers, or a plugin's TLS options). */
  authenticate(options: https.RequestOptions): Promise<void>;
}

export interface StaticAuthConfig {
  readonly cluster: KubeconfigCluster;
  readonly user: KubeconfigUser;
}

/** A token file is re-read at most this often (client-go re-reads projected tokens each minute). */
const TOKEN_FILE_REFRESH_MS = 60_000;

export function staticAuth(o: StaticAuthConfig, source: string): ClusterAuth {
  const read = (what: string, file?: string, data?: string): Buffer | undefined => {
    if (data) {
      return Buffer.from(data, 'base64');
    }
    if (!file) {
      return undefined;
    }
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new Error(`kubeconfig "${source}": cannot read the ${what} file "${file}" (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const { cluster, user } = o;
  const tls = {
    ...optional('ca', read('certificate authority', cluster['certificate-authority'], cluster['certificate-authority-data'])),
    ...optional('cert', read('client certificate', user['client-certificate'], user['client-certificate-data'])),
    ...optional('key', read('client key', user['client-key'], user['client-key-data'])),
    ...(cluster['insecure-skip-tls-verify'] ? { rejectUnauthorized: false } : {}),
    ...(cluster['tls-server-name'] ? { servername: cluster['tls-server-name'] } : {}),
  };
  const header = authorizationHeader(user, source);
  return {
    server: cluster.server,
    tls,
    async authenticate(options) {
      const value = header();
      if (value) {
        options.headers = { ...options.headers, Authorization: value };
      }
    },
  };
}

function optional<K extends string>(key: K, value: Buffer | undefined): Partial<Record<K, Buffer>> {
  return value ? ({ [key]: value } as Record<K, Buffer>) : {};
}

function authorizationHeader(user: KubeconfigUser, source: string): () => string | undefined {
  if (user.token) {
    const value = `Bearer ${user.token}`;
    return () => value;
  }
  if (user.tokenFile) {
    const file = user.tokenFile;
    let cached: { value: string; at: number } | undefined;
    return () => {
      if (!cached || Date.now() - cached.at > TOKEN_FILE_REFRESH_MS) {
        try {
          cached = { value: `Bearer ${fs.readFileSync(file, 'utf8').trim()}`, at: Date.now() };
        } catch (e) {
          if (!cached) {
            throw new Error(`kubeconfig "${source}": cannot read the token file "${file}" (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
          }
        }
      }
      return cached.value;
    };
  }
  if (user.username !== undefined && user.password !== undefined) {
    const value = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    return () => value;
  }
  return () => undefined;
}

/** Credential plugins (exec, auth-provider) and proxies: client-node's KubeConfig, loaded now and not before. */
export function clientNodeAuth(files: readonly string[], context: string, source: string): ClusterAuth {
  const { KubeConfig: KubeConfigClass } = require('@kubernetes/client-node') as typeof import('@kubernetes/client-node');
  const kc = new KubeConfigClass();
  try {
    kc.loadFromFile(files[0]);
    for (const file of files.slice(1)) {
      const more = new KubeConfigClass();
      more.loadFromFile(file);
      kc.mergeConfig(more);
    }
  } catch (e) {
    throw new Error(`kubeconfig "${source}" cannot be read: ${(e as Error).message.split('\n')[0].replace(/:.*$/, '')}`);
  }
  kc.setCurrentContext(context);
  return fromKubeConfig(kc);
}

/** A client-node KubeConfig (its current context) as a ClusterAuth. */
export function fromKubeConfig(kc: KubeConfig): ClusterAuth {
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new Error(`kubeconfig context "${kc.getCurrentContext()}" names no cluster`);
  }
  return { server: cluster.server, tls: {}, authenticate: (options) => kc.applyToHTTPSOptions(options) };
}
