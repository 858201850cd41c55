/** Readiness probes: one HTTP (or DNS) check per component, and waiting until a component is ready. */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { dnsAnswers } from './dns';
import { waitFor } from './kube';
import { componentAlive, logTail } from './processes';
import type { ClusterState, ComponentName } from './state';

function httpGet(url: string, opts: { ca?: Buffer; token?: string; insecure?: boolean } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method: 'GET',
        timeout: 2000,
        ...(u.protocol === 'https:' ? { ca: opts.ca, rejectUnauthorized: !opts.insecure, agent: false } : { agent: false }),
        headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export async function probe(c: ClusterState, name: ComponentName): Promise<boolean> {
  switch (name) {
    case 'etcd': {
      const r = await httpGet(`http://127.0.0.1:${c.ports.etcd}/health`);
      return r.status === 200 && /"health":\s*"true"/.test(r.body);
    }
    case 'kube-apiserver': {
      const r = await httpGet(`${c.server}/readyz`, { ca: fs.readFileSync(c.caFile), token: c.adminToken });
      return r.status === 200;
    }
    case 'kube-controller-manager':
      return (await httpGet(`https://127.0.0.1:${c.ports.kcm}/healthz`, { insecure: true })).status === 200;
    case 'kube-scheduler':
      return (await httpGet(`https://127.0.0.1:${c.ports.scheduler}/healthz`, { insecure: true })).status === 200;
    case 'kwok':
      return (await httpGet(`http://127.0.0.1:${c.ports.kwok}/healthz`)).status === 200;
    case 'coredns':
      return dnsAnswers(c.coredns.address);
  }
}

export async function waitComponent(c: ClusterState, name: ComponentName, timeoutMs: number): Promise<void> {
  const comp = c.components[name];
  await waitFor(
    `${c.id}/${name} to become ready`,
    async () => {
      if (!componentAlive(comp)) throw Object.assign(new Error(`${c.id}/${name} (pid ${comp.pid}) exited; log ${comp.log}:\n${logTail(comp.log)}`), { fatal: true });
      return probe(c, name);
    },
    { timeoutMs, intervalMs: 200, fatal: (e) => (e as { fatal?: boolean }).fatal === true },
  ).catch((e) => {
    throw new Error(`${(e as Error).message}\n--- ${comp.log} (tail) ---\n${logTail(comp.log)}`);
  });
}
