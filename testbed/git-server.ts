/**
 * A Git server on 127.0.0.1 for the test bed: bare repositories under one root, served read-only
 * over Git's smart-HTTP protocol by Git's own CGI program (`git http-backend`) behind a small Node
 * HTTP server. Flux's source-controller clones from it like from any Git host. Commits are made
 * locally (`commitTree`) and pushed to the bare repository over the file system.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

export interface GitServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** directory holding the bare repositories (`<name>.git`) */
  readonly root: string;
  /** requests served so far, e.g. `GET /fleet.git/info/refs?service=git-upload-pack 200` */
  readonly requests: string[];
  close(): Promise<void>;
}

function gitExecPath(): string {
  const r = spawnSync('git', ['--exec-path'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git --exec-path failed: ${r.stderr || r.error}`);
  return r.stdout.trim();
}

/** Serves `<root>/*.git` at `http://127.0.0.1:<port>/<name>.git` (port 0: any free port). */
export async function startGitServer(root: string, port = 0): Promise<GitServer> {
  fs.mkdirSync(root, { recursive: true });
  const backend = path.join(gitExecPath(), 'git-http-backend');
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_PROTOCOL: 'HTTP/1.1',
    };
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
    if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
    const child = spawn(backend, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    let status = 200;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const sep = head.indexOf('\r\n\r\n') >= 0 ? head.indexOf('\r\n\r\n') : head.indexOf('\n\n');
      if (sep < 0) return;
      const sepLen = head[sep] === 13 ? 4 : 2;
      const lines = head.subarray(0, sep).toString('utf8').split(/\r?\n/);
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]) || 200;
        else res.setHeader(k, v);
      }
      res.statusCode = status;
      headersDone = true;
      const rest = head.subarray(sep + sepLen);
      if (rest.length) res.write(rest);
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      requests.push(`${req.method} ${url.pathname}${url.search} ${headersDone ? status : 500}${code ? ` (git http-backend exit ${code}: ${stderr.trim()})` : ''}`);
      if (!headersDone) {
        res.statusCode = 500;
        res.end(stderr);
      } else res.end();
    });
    child.on('error', (e) => {
      if (!res.headersSent) res.statusCode = 500;
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    root,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'cdk8s-mcs testbed',
      GIT_AUTHOR_EMAIL: 'testbed@cdk8s-mcs.invalid',
      GIT_COMMITTER_NAME: 'cdk8s-mcs testbed',
      GIT_COMMITTER_EMAIL: 'testbed@cdk8s-mcs.invalid',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: cwd,
      ...env,
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} (in ${cwd}) failed: ${r.stderr || r.error}`);
  return r.stdout.trim();
}

/** A bare repository `<root>/<name>.git` (branch `main`) with a work tree next to it for commits. */
export interface GitRepo {
  readonly bare: string;
  readonly work: string;
  /** replaces the work tree's `<dir>` with a copy of `from`, commits and pushes; returns the commit SHA */
  commitTree(dir: string, from: string, message: string): string;
  /** writes files (path -> content, null deletes), commits and pushes; returns the commit SHA */
  commitFiles(files: Record<string, string | null>, message: string): string;
  head(): string;
}

export function createRepo(root: string, name: string): GitRepo {
  const bare = path.join(root, `${name}.git`);
  const work = path.join(root, `${name}.work`);
  fs.rmSync(bare, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(bare, { recursive: true });
  fs.mkdirSync(work, { recursive: true });
  git(bare, ['init', '--bare', '--initial-branch=main', '.']);
  git(work, ['init', '--initial-branch=main', '.']);
  git(work, ['remote', 'add', 'origin', bare]);
  const commit = (message: string) => {
    git(work, ['add', '-A', '.']);
    git(work, ['commit', '--allow-empty', '-q', '-m', message]);
    git(work, ['push', '-q', 'origin', 'main']);
    return git(work, ['rev-parse', 'HEAD']);
  };
  return {
    bare,
    work,
    commitTree(dir, from, message) {
      const target = path.join(work, dir);
      fs.rmSync(target, { recursive: true, force: true });
      fs.cpSync(from, target, { recursive: true });
      return commit(message);
    },
    commitFiles(files, message) {
      for (const [p, content] of Object.entries(files)) {
        const target = path.join(work, p);
        if (content === null) fs.rmSync(target, { force: true });
        else {
          fs.mkdirSync(path.dirname(target), { recursive: true });
          fs.writeFileSync(target, content);
        }
      }
      return commit(message);
    },
    head: () => git(work, ['rev-parse', 'HEAD']),
  };
}
