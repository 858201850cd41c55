/**
 * A small REST client for one cluster: JSON requests, server-side apply, streaming watches.
 * Authentication and TLS come from the kubeconfig via @kubernetes/client-node; every request is
 * counted so the runner can prove it writes nothing when nothing changed.
 */
import * as https from 'node:https';
import * as tls from 'node:tls';
import * as http from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterAuth, fromKubeConfig } from './cluster-auth';
import { KubeApiError } from './errors';
import { RequestCounter } from './request-counter';
import { KubeObject } from './types';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'apply' | 'update' | 'patch' | 'delete';

export interface RequestOptions {
  readonly verb: Verb;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly query?: Record<string, string | undefined>;
  readonly body?: unknown;
  readonly contentType?: string;
  /** Per-request timeout in ms (not for watches). */
  readonly timeoutMs?: number;
  /** Aborts the request (e.g. a write of a replica that just lost its leadership). */
  readonly signal?: AbortSignal;
}

export interface ApplyOptions {
  readonly fieldManager: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
  readonly subresource?: 'status';
  readonly signal?: AbortSignal;
}

/** Options of a create or replace. */
export interface WriteOptions {
  readonly fieldManager: string;
  readonly signal?: AbortSignal;
}

const APPLY_PATCH = 'application/apply-patch+yaml';
const MERGE_PATCH = 'application/merge-patch+json';
const DEFAULT_TIMEOUT_MS = 30_000;

export class KubeClient {
  /** Requests made so far, by verb and resource (the runner's API-request metrics). */
  public readonly counter = new RequestCounter();
  private readonly agent: https.Agent;
  private readonly server: URL;
  private readonly auth: ClusterAuth;

  public constructor(
    /** The fleet cluster ID, used in errors and metrics. */
    public readonly clusterId: string,
    /** From loadKubeConfig().authFor(context), or a client-node KubeConfig (its current context). */
    auth: ClusterAuth | KubeConfig,
  ) {
    try {
      this.auth = 'authenticate' in auth ? auth : fromKubeConfig(auth);
    } catch (e) {
      throw new Error(`cluster "${clusterId}": ${(e as Error).message}`);
    }
    this.server = new URL(this.auth.server);
    // TLS material once, in one SecureContext every connection shares (each would otherwise parse the CA and key again and keep its own copy).
    const { ca, cert, key, ...verification } = this.auth.tls;
    const secureContext = ca || cert || key ? tls.createSecureContext({ ca, cert, key }) : undefined;
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 32, ...verification, ...(secureContext ? { secureContext } : {}) });
  }

  public async get<T extends KubeObject>(path: string): Promise<T> {
    return (await this.request({ verb: 'get', method: 'GET', path })) as T;
  }

  /** One list request; with `limit`, one page of it, and `continueToken` names the next page (undefined after the last). */
  public async list<T extends KubeObject>(path: string, query: Record<string, string | undefined> = {}): Promise<{ items: T[]; resourceVersion: string; continueToken?: string }> {
    const body = (await this.request({ verb: 'list', method: 'GET', path, query })) as { items?: T[]; metadata?: { resourceVersion?: string; continue?: string } };
    return { items: body.items ?? [], resourceVersion: body.metadata?.resourceVersion ?? '', ...(body.metadata?.continue ? { continueToken: body.metadata.continue } : {}) };
  }

  /** Server-side apply of a whole object (or its status) with our field manager. */
  public async apply<T extends KubeObject>(path: string, obj: KubeObject, o: ApplyOptions): Promise<T> {
    const query = { fieldManager: o.fieldManager, force: o.force ? 'true' : undefined, dryRun: o.dryRun ? 'All' : undefined };
    const p = o.subresource ? `${path}/${o.subresource}` : path;
    return (await this.request({ verb: 'apply', method: 'PATCH', path: p, query, body: obj, contentType: APPLY_PATCH, signal: o.signal })) as T;
  }

  /** A JSON merge patch (RFC 7386) of the object; the API server records `fieldManager` with operation Update. */
  public async mergePatch<T extends KubeObject>(path: string, patch: object, o: WriteOptions): Promise<T> {
    return (await this.request({ verb: 'patch', method: 'PATCH', path, query: { fieldManager: o.fieldManager }, body: patch, contentType: MERGE_PATCH, signal: o.signal })) as T;
  }

  /**
   * Creates an object: POST to its collection (`path` names the object; its collection is derived).
   * The API server records `fieldManager` in managedFields with operation Update.
   */
  public async create<T extends KubeObject>(path: string, obj: KubeObject, o: WriteOptions): Promise<T> {
    return (await this.request({ verb: 'create', method: 'POST', path: collectionOf(path), query: { fieldManager: o.fieldManager }, body: obj, signal: o.signal })) as T;
  }

  /**
   * Replaces an object: PUT of the whole object. Without `metadata.resourceVersion` in `obj` the
   * replace is unconditional (last write wins), as a forced apply is.
   */
  public async replace<T extends KubeObject>(path: string, obj: KubeObject, o: WriteOptions): Promise<T> {
    return (await this.request({ verb: 'update', method: 'PUT', path, query: { fieldManager: o.fieldManager }, body: obj, signal: o.signal })) as T;
  }

  /** Deletes; `uid` makes it a no-op when the object was replaced meanwhile. Returns false if it did not exist. */
  public async delete(path: string, o: { uid?: string; propagationPolicy?: string; signal?: AbortSignal } = {}): Promise<boolean> {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', ...(o.uid ? { preconditions: { uid: o.uid } } : {}), ...(o.propagationPolicy ? { propagationPolicy: o.propagationPolicy } : {}) };
    try {
      await this.request({ verb: 'delete', method: 'DELETE', path, body, signal: o.signal });
      return true;
    } catch (e) {
      if (e instanceof KubeApiError && (e.status === 404 || (e.status === 409 && o.uid))) {
        return false;
      }
      throw e;
    }
  }

  public async request(o: RequestOptions): Promise<unknown> {
    const started = Date.now();
    try {
      const res = await this.send(o, o.signal);
      const text = await readAll(res);
      if (res.statusCode! >= 300) {
        throw this.apiError(o, res.statusCode!, text);
      }
      return parseBody(text);
    } finally {
      this.counter.record(o.verb, pathResource(o.path), Date.now() - started);
    }
  }

  /**
   * Opens a watch and calls `onEvent` per event until the server closes the stream (resolves),
   * the signal aborts (resolves) or the connection fails (rejects).
   */
  public async watch(path: string, query: Record<string, string | undefined>, onEvent: (e: { type: string; object: KubeObject }) => void, signal: AbortSignal): Promise<void> {
    this.counter.record('watch', pathResource(path), 0);
    const res = await this.send({ verb: 'watch', method: 'GET', path, query: { ...query, watch: 'true' } }, signal);
    if (res.statusCode! >= 300) {
      throw this.apiError({ verb: 'watch', path }, res.statusCode!, await readAll(res));
    }
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      let settled = false;
      // The first outcome wins: destroying the stream after a handler error emits 'aborted' too.
      const settle = (err?: Error) => {
        if (!settled) {
          settled = true;
          if (err) {
            reject(err);
          } else {
            resolve();
          }
        }
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        try {
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (line) {
              onEvent(JSON.parse(line));
            }
          }
        } catch (err) {
          // A handler's error (e.g. a 410 ERROR event) ends this watch; the caller decides what next.
          settle(err as Error);
          res.destroy();
        }
      });
      res.on('end', () => settle());
      res.on('error', (err) => settle(signal.aborted ? undefined : this.networkError('watch', path, err)));
      res.on('aborted', () => settle(signal.aborted ? undefined : this.networkError('watch', path, new Error('stream aborted'))));
    });
  }

  /** Closes idle keep-alive connections. */
  public close(): void {
    this.agent.destroy();
  }

  private async send(o: RequestOptions, signal?: AbortSignal): Promise<http.IncomingMessage> {
    const url = new URL(o.path, this.server);
    for (const [k, v] of Object.entries(o.query ?? {})) {
      if (v !== undefined) {
        url.searchParams.set(k, v);
      }
    }
    const options: https.RequestOptions = { method: o.method, headers: { Accept: 'application/json' } };
    await this.auth.authenticate(options);
    options.agent = this.agent;
    const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
    if (payload !== undefined) {
      options.headers = { ...options.headers, 'Content-Type': o.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(payload) };
    }
    return new Promise((resolve, reject) => {
      const req = https.request(url, { ...options, signal }, resolve);
      if (o.verb !== 'watch') {
        req.setTimeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${o.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)));
      }
      req.on('error', (err) => reject(this.networkError(o.verb, o.path, err)));
      req.end(payload);
    });
  }

  private apiError(o: { verb: Verb; path: string }, status: number, text: string): KubeApiError {
    let reason = '';
    let detail = text.slice(0, 500);
    try {
      const s = JSON.parse(text) as { reason?: string; message?: string };
      reason = s.reason ?? '';
      detail = s.message ?? detail;
    } catch {
      // not a Status object; keep the raw text
    }
    return new KubeApiError(`cluster "${this.clusterId}": ${o.verb} ${o.path}: ${status} ${reason}: ${detail}`, status, reason, this.clusterId);
  }

  private networkError(verb: string, path: string, err: Error): KubeApiError {
    return new KubeApiError(`cluster "${this.clusterId}": ${verb} ${path}: cannot reach ${this.server.host}: ${err.message}`, 0, 'Unreachable', this.clusterId);
  }
}

/** JSON bodies parsed; plain-text ones (e.g. `/readyz`) returned as text. */
function parseBody(text: string): unknown {
  if (!text) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function readAll(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    // An aborted request (its signal fired) may only close the response: settle instead of waiting forever.
    res.on('close', () => {
      if (!res.complete) {
        reject(new Error('the response was cut off before its end (request aborted or connection lost)'));
      }
    });
  });
}

/** `endpointslices` from `/apis/discovery.k8s.io/v1/namespaces/x/endpointslices/name`. */
function pathResource(path: string): string {
  const parts = path.split('?')[0].split('/').filter(Boolean);
  const start = parts[0] === 'api' ? 2 : 3;
  const rest = parts.slice(start);
  return rest[0] === 'namespaces' && rest.length > 2 ? rest[2] : rest[0] ?? '';
}

/** `/apis/g/v/namespaces/ns/plural/name` -> `/apis/g/v/namespaces/ns/plural`. */
function collectionOf(objectPath: string): string {
  const i = objectPath.lastIndexOf('/');
  if (i <= 0) {
    throw new Error(`not an object path: "${objectPath}"`);
  }
  return objectPath.slice(0, i);
}
