/**
 * A small Kubernetes REST client (Node https + CA + bearer token) used by the test bed harness and
 * the e2e support code: server-side apply of objects or multi-document YAML, get/list/delete,
 * create/patch on subresources, and discovery of resource names. No dependency on client-node,
 * so the harness also runs from plain ts-node and from jest's globalSetup.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import { parseAllDocuments } from 'yaml';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export class KubeError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
  }
}

interface ResourceInfo {
  name: string;
  namespaced: boolean;
}

export interface KubeClientOptions {
  server: string;
  /** PEM text of the CA that signed the apiserver's serving certificate */
  ca: string | Buffer;
  token: string;
  /** default request timeout (ms) */
  timeoutMs?: number;
}

/** Parses multi-document YAML (anchors allowed) into objects, skipping empty documents. */
export function parseYamlObjects(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if ((doc as { errors?: unknown[] }).errors?.length) throw new Error(`YAML: ${(doc as { errors: Error[] }).errors[0].message}`);
    const v = doc.toJS({ maxAliasCount: -1 });
    if (v == null) continue;
    if (v.kind === 'List' && Array.isArray(v.items)) out.push(...v.items);
    else out.push(v);
  }
  return out;
}

export class KubeClient {
  readonly server: string;
  private readonly agent: https.Agent;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly discovery = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(opts: KubeClientOptions) {
    this.server = opts.server.replace(/\/$/, '');
    this.agent = new https.Agent({ ca: opts.ca, keepAlive: true, maxSockets: 16 });
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 30000;
  }

  static fromFiles(server: string, caFile: string, token: string): KubeClient {
    return new KubeClient({ server, ca: fs.readFileSync(caFile), token });
  }

  /** Closes idle keep-alive sockets (lets a process exit promptly). */
  close(): void {
    this.agent.destroy();
  }

  /** Raw request; resolves with the parsed JSON (or text) body for 2xx, rejects with KubeError otherwise. */
  request<T = any>(method: string, path: string, body?: unknown, contentType = 'application/json', timeoutMs = this.timeoutMs): Promise<T> {
    const url = new URL(this.server + path);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: 'application/json',
            ...(payload !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}),
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* plain text, e.g. /readyz */
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(parsed as T);
            else {
              const msg = (parsed as { message?: string })?.message ?? text;
              reject(new KubeError(`${method} ${path}: ${status} ${msg}`, status, parsed));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  private groupVersionPath(apiVersion: string): string {
    return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  }

  /** kind -> {plural, namespaced} for one apiVersion (cached; refreshed once on a miss, e.g. a new CRD). */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let p = this.discovery.get(apiVersion);
      if (!p || attempt > 0) {
        p = this.request<{ resources: { name: string; kind: string; namespaced: boolean }[] }>('GET', this.groupVersionPath(apiVersion)).then((list) => {
          const m = new Map<string, ResourceInfo>();
          for (const r of list.resources) if (!r.name.includes('/')) m.set(r.kind, { name: r.name, namespaced: r.namespaced });
          return m;
        });
        p.catch(() => this.discovery.delete(apiVersion));
        this.discovery.set(apiVersion, p);
      }
      try {
        const info = (await p).get(kind);
        if (info) return info;
      } catch (e) {
        if (attempt > 0) throw e;
        continue;
      }
    }
    throw new Error(`no resource for kind ${kind} in ${apiVersion}`);
  }

  /** Path of an object, or of the collection when name is omitted. */
  async pathFor(apiVersion: string, kind: string, namespace?: string, name?: string): Promise<string> {
    const r = await this.resourceFor(apiVersion, kind);
    let p = this.groupVersionPath(apiVersion);
    if (r.namespaced) {
      if (!namespace) throw new Error(`${kind} is namespaced: namespace required`);
      p += `/namespaces/${encodeURIComponent(namespace)}`;
    }
    p += `/${r.name}`;
    if (name) p += `/${encodeURIComponent(name)}`;
    return p;
  }

  /** Server-side apply (force) of objects, a single object or multi-document YAML text; returns the applied objects. */
  async apply(input: KubeObject | KubeObject[] | string, opts: { fieldManager?: string; namespace?: string } = {}): Promise<KubeObject[]> {
    const objs = typeof input === 'string' ? parseYamlObjects(input) : Array.isArray(input) ? input : [input];
    const out: KubeObject[] = [];
    for (const o of objs) {
      const ns = o.metadata.namespace ?? opts.namespace;
      const r = await this.resourceFor(o.apiVersion, o.kind);
      const body = r.namespaced && ns && !o.metadata.namespace ? { ...o, metadata: { ...o.metadata, namespace: ns } } : o;
      const p = await this.pathFor(o.apiVersion, o.kind, r.namespaced ? ns : undefined, o.metadata.name);
      const q = `?fieldManager=${encodeURIComponent(opts.fieldManager ?? 'testbed')}&force=true`;
      out.push(await this.request<KubeObject>('PATCH', p + q, body, 'application/apply-patch+yaml'));
    }
    return out;
  }

  async get<T = any>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T> {
    return this.request<T>('GET', await this.pathFor(apiVersion, kind, namespace, name));
  }

  /** get, but undefined on 404 */
  async tryGet<T = any>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined> {
    try {
      return await this.get<T>(apiVersion, kind, name, namespace);
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
    }
  }

  async list<T = any>(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<T[]> {
    const r = await this.resourceFor(apiVersion, kind);
    let p = await this.pathFor(apiVersion, kind, r.namespaced ? namespace : undefined);
    if (r.namespaced && !namespace) p = `${this.groupVersionPath(apiVersion)}/${r.name}`; // all namespaces
    if (labelSelector) p += `?labelSelector=${encodeURIComponent(labelSelector)}`;
    return (await this.request<{ items: T[] }>('GET', p)).items;
  }

  async create<T = any>(obj: KubeObject): Promise<T> {
    return this.request<T>('POST', await this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace), obj);
  }

  /** delete; true if it existed */
  async delete(apiVersion: string, kind: string, name: string, namespace?: string): Promise<boolean> {
    try {
      await this.request('DELETE', await this.pathFor(apiVersion, kind, namespace, name));
      return true;
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return false;
      throw e;
    }
  }

  /** Mints a ServiceAccount token with the TokenRequest API. */
  async createToken(namespace: string, serviceAccount: string, expirationSeconds = 86400, audiences?: string[]): Promise<string> {
    const res = await this.request<{ status: { token: string } }>(
      'POST',
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds, ...(audiences ? { audiences } : {}) } },
    );
    return res.status.token;
  }
}

/** Polls fn until it returns a truthy value (returned) or the timeout passes (throws with the last error/value). */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, opts: { timeoutMs?: number; intervalMs?: number; fatal?: (e: unknown) => boolean } = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 60000;
  const intervalMs = opts.intervalMs ?? 250;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
      last = v;
    } catch (e) {
      if (opts.fatal?.(e)) throw e;
      last = e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until every CRD in `crds` reports Established=True (30 s; `what` names them in the timeout error). */
export async function waitForCrdsEstablished(kube: KubeClient, crds: readonly KubeObject[], what: string): Promise<void> {
  await waitFor(`${what} Established`, async () => {
    for (const crd of crds) {
      const got = await kube.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', crd.metadata.name);
      if (!got.status?.conditions?.some((x: { type: string; status: string }) => x.type === 'Established' && x.status === 'True')) return false;
    }
    return true;
  }, { timeoutMs: 30000 });
}
