/**
 * The runner reads static kubeconfig credentials itself and loads @kubernetes/client-node only for
 * credential plugins: same files and merge rules, relative paths resolved against the file, token
 * files re-read, and errors that name the file but never echo its content.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { clientForContext, loadKubeConfig } from '../../../lib/kube/connect';

const REPO = path.join(__dirname, '..', '..', '..');
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-test-'));
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, doc: object | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof doc === 'string' ? doc : stringify(doc));
  return file;
}

function config(o: { cluster?: object; user?: object; name?: string } = {}): object {
  const name = o.name ?? 'c1';
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA PEM').toString('base64'), ...o.cluster } }],
    users: [{ name: `${name}-user`, user: { token: 'sekret-token', ...o.user } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-user` } }],
    'current-context': name,
  };
}

async function headersOf(file: string, context = 'c1'): Promise<https.RequestOptions> {
  const auth = loadKubeConfig(file).authFor(context);
  const options: https.RequestOptions = { headers: {} };
  await auth.authenticate(options);
  return options;
}

describe('kubeconfig without client-node', () => {
  it('authenticates with a bearer token and puts the CA on the connection', async () => {
    const file = write('config', config());
    const auth = loadKubeConfig(file).authFor('c1');
    expect(auth.server).toBe('https://127.0.0.1:6443');
    expect(auth.tls.ca?.toString()).toBe('CA PEM');
    expect((await headersOf(file)).headers).toEqual({ Authorization: 'Bearer sekret-token' });
  });

  it('resolves relative certificate and token file paths against the kubeconfig\'s folder, and re-reads the token file', async () => {
    fs.mkdirSync(path.join(dir, 'pki'));
    fs.writeFileSync(path.join(dir, 'pki', 'ca.crt'), 'CA FROM FILE');
    fs.writeFileSync(path.join(dir, 'pki', 'client.crt'), 'CERT');
    fs.writeFileSync(path.join(dir, 'pki', 'client.key'), 'KEY');
    fs.writeFileSync(path.join(dir, 'token'), 'first\n');
    const file = write('config', config({ cluster: { 'certificate-authority-data': undefined, 'certificate-authority': 'pki/ca.crt', 'insecure-skip-tls-verify': false }, user: { token: undefined, tokenFile: 'token', 'client-certificate': 'pki/client.crt', 'client-key': 'pki/client.key' } }));
    const auth = loadKubeConfig(file).authFor('c1');
    expect([auth.tls.ca?.toString(), auth.tls.cert?.toString(), auth.tls.key?.toString()]).toEqual(['CA FROM FILE', 'CERT', 'KEY']);
    const first: https.RequestOptions = {};
    await auth.authenticate(first);
    expect(first.headers).toEqual({ Authorization: 'Bearer first' });
    fs.writeFileSync(path.join(dir, 'token'), 'rotated\n');
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    const later: https.RequestOptions = {};
    await auth.authenticate(later);
    jest.restoreAllMocks();
    expect(later.headers).toEqual({ Authorization: 'Bearer rotated' });
  });

  it('merges $KUBECONFIG files, the first definition of a name winning', () => {
    const a = write('a', config({ name: 'c1' }));
    const b = write('b', { ...config({ name: 'c2' }), clusters: [{ name: 'c1', cluster: { server: 'https://other:1' } }, ...(config({ name: 'c2' }) as { clusters: object[] }).clusters] });
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = [a, b].join(path.delimiter);
    try {
      const kc = loadKubeConfig();
      expect(kc.contextNames()).toEqual(['c1', 'c2']);
      expect(kc.clusterOf('c1').server).toBe('https://127.0.0.1:6443');
      expect(kc.source).toBe('$KUBECONFIG');
    } finally {
      process.env.KUBECONFIG = saved;
    }
  });

  it('refuses a malformed file naming it, without echoing what is in it', () => {
    const file = write('broken', 'apiVersion: v1\nusers: [{name: x, user: {token: sekret-token}}\ncontexts: [[[\n');
    expect(() => loadKubeConfig(file)).toThrow(`kubeconfig "${file}" cannot be read: it is not valid YAML`);
    try {
      loadKubeConfig(file);
    } catch (e) {
      expect((e as Error).message).not.toContain('sekret');
    }
  });

  it('names a missing file, a file without contexts and an unknown context with the flag that fixes it', () => {
    expect(() => loadKubeConfig(path.join(dir, 'nope'))).toThrow(`kubeconfig "${path.join(dir, 'nope')}" does not exist`);
    expect(() => loadKubeConfig(write('empty', { apiVersion: 'v1' }))).toThrow('defines no contexts');
    const kc = loadKubeConfig(write('config', config()));
    expect(() => clientForContext(kc, 'c9', 'cluster-9')).toThrow('cluster "cluster-9": kubeconfig has no context "c9" (contexts: "c1"); pass --context-map cluster-9=<context>');
    expect(() => loadKubeConfig(write('nocluster', { ...config(), clusters: [] })).authFor('c1')).toThrow('context "c1" names no cluster with a server');
  });

  it('hands exec credential plugins to client-node, which runs the plugin', async () => {
    const plugin = path.join(dir, 'plugin.sh');
    fs.writeFileSync(plugin, '#!/bin/sh\necho \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin"}}\'\n', { mode: 0o755 });
    const file = write('config', config({ user: { token: undefined, exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } } }));
    const headers = (await headersOf(file)).headers as Record<string, string>;
    expect(headers.Authorization ?? headers.authorization).toBe('Bearer from-plugin');
  }, 60_000); // the first import of client-node is transpiled by ts-jest (ESM-only): seconds on a busy machine

  it('does not load @kubernetes/client-node for a token kubeconfig (it costs ~60 MiB of resident memory)', () => {
    const file = write('config', config());
    const script = `require(${JSON.stringify(path.join(REPO, 'lib/kube/connect.ts'))}).clientForContext(require(${JSON.stringify(path.join(REPO, 'lib/kube/connect.ts'))}).loadKubeConfig(${JSON.stringify(file)}), 'c1', 'c1').close();
      process.stdout.write(String(Object.keys(require.cache).filter((k) => k.includes('@kubernetes/client-node')).length));`;
    const loaded = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: REPO, encoding: 'utf8' });
    expect(loaded).toBe('0');
  });
});
