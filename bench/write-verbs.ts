/**
 * write-verbs: what one write of a derived EndpointSlice costs the API server, by verb. The runner
 * creates and replaces its slices whole instead of applying them (lib/runner/sync/writer.ts); this
 * is the measurement behind that choice. Against one bed cluster, in rounds that alternate the
 * verbs so that the machine's load falls on all alike: `slices` server-side applies of new slices,
 * `slices` creates, then `slices` changes of existing ones by apply and by unconditional replace.
 * Reported: kube-apiserver and etcd CPU milliseconds per write (from /proc), and wall time.
 */
import { DnsMethod } from '../lib/fleet/names';
import { KubeClient } from '../lib/kube/client';
import { ENDPOINT_SLICES, resourcePath } from '../lib/kube/resources';
import { EndpointSlice } from '../lib/kube/types';
import { adminClients, deleteNamespace } from './common/bed';
import { Benchmark } from './common/benchmark';
import { describeMachine } from './common/machine';
import { bedPids, cpuByComponent, cpuSnapshot } from './common/process-cpu';
import { median, round } from './common/stats';
import { markdownTable } from './common/table';

export interface WriteVerbsParams {
  [key: string]: number | string | boolean;
  slices: number;
  endpoints: number;
  rounds: number;
  concurrency: number;
  namespace: string;
}

type Mode = 'apply (new)' | 'create' | 'apply (change)' | 'replace (change)';
const MODES: readonly Mode[] = ['apply (new)', 'create', 'apply (change)', 'replace (change)'];

export interface WriteVerbsResults {
  readonly cluster: string;
  /** Per mode, one entry per round. */
  readonly rounds: Readonly<Record<Mode, readonly { wallMs: number; apiserverMsPerWrite: number; etcdMsPerWrite: number }[]>>;
}

const FIELD_MANAGER = 'cdk8s-mcs-bench';

function slice(namespace: string, name: string, i: number, endpoints: number, generation: number): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace, labels: { 'kubernetes.io/service-name': `svc-${i}`, 'endpointslice.kubernetes.io/managed-by': 'cdk8s-mcs', 'multicluster.kubernetes.io/source-cluster': 'cluster-1', 'multicluster.kubernetes.io/service-name': `svc-${i}`, 'mcs.cdk8s.io/dns-method': DnsMethod.CLUSTERSET } },
    addressType: 'IPv4',
    ports: [{ name: 'mysql', port: 3306, protocol: 'TCP' }],
    endpoints: Array.from({ length: endpoints }, (_, k) => ({ addresses: [`10.10.${i % 250}.${k + 1}`], hostname: `svc-${i}-${k}`, conditions: { ready: (k + generation) % 2 === 0, serving: true, terminating: false } })),
  } as EndpointSlice;
}

async function inParallel(n: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  }));
}

export const writeVerbsBenchmark: Benchmark<WriteVerbsParams, WriteVerbsResults> = {
  name: 'write-verbs',
  summary: 'API server and etcd CPU per EndpointSlice write: server-side apply against create (new) and against unconditional replace (change)',
  defaults: { slices: 500, endpoints: 10, rounds: 3, concurrency: 16, namespace: 'bench-write-verbs' },
  bedClusters: () => ['cluster-1'],

  async run(ctx, p) {
    const cluster = 'cluster-1';
    const client: KubeClient = adminClients([cluster]).get(cluster)!;
    const path = (name: string) => resourcePath(ENDPOINT_SLICES, { namespace: p.namespace, name });
    const rounds: Record<Mode, { wallMs: number; apiserverMsPerWrite: number; etcdMsPerWrite: number }[]> = { 'apply (new)': [], create: [], 'apply (change)': [], 'replace (change)': [] };
    try {
      await client.request({ verb: 'create', method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: p.namespace } } }).catch(() => undefined);
      for (let r = 0; r < p.rounds; r++) {
        const write: Record<Mode, (i: number) => Promise<unknown>> = {
          'apply (new)': (i) => client.apply(path(`a${r}-${i}`), slice(p.namespace, `a${r}-${i}`, i, p.endpoints, 0), { fieldManager: FIELD_MANAGER, force: true }),
          create: (i) => client.create(path(`c${r}-${i}`), slice(p.namespace, `c${r}-${i}`, i, p.endpoints, 0), { fieldManager: FIELD_MANAGER }),
          'apply (change)': (i) => client.apply(path(`a${r}-${i}`), slice(p.namespace, `a${r}-${i}`, i, p.endpoints, 1), { fieldManager: FIELD_MANAGER, force: true }),
          'replace (change)': (i) => client.replace(path(`c${r}-${i}`), slice(p.namespace, `c${r}-${i}`, i, p.endpoints, 1), { fieldManager: FIELD_MANAGER }),
        };
        for (const mode of MODES) {
          const pids = bedPids();
          const before = cpuSnapshot(pids);
          const started = Date.now();
          await inParallel(p.slices, p.concurrency, write[mode]);
          const wallMs = Date.now() - started;
          const cpu = cpuByComponent(before, cpuSnapshot(pids));
          const perWrite = (s: number | undefined) => round(((s ?? 0) * 1000) / p.slices, 2);
          rounds[mode].push({ wallMs, apiserverMsPerWrite: perWrite(cpu['kube-apiserver']), etcdMsPerWrite: perWrite(cpu.etcd) });
          ctx.log(`round ${r + 1}/${p.rounds} ${mode}: ${p.slices} writes in ${wallMs} ms, kube-apiserver ${perWrite(cpu['kube-apiserver'])} ms CPU per write`);
        }
      }
    } finally {
      await deleteNamespace(client, p.namespace);
      client.close();
    }
    return { cluster, rounds };
  },

  format(report) {
    const r = report.results;
    const p = report.params;
    const med = (mode: Mode, k: 'wallMs' | 'apiserverMsPerWrite' | 'etcdMsPerWrite') => median(r.rounds[mode].map((x) => x[k]));
    const rows = MODES.map((mode) => [mode, round(med(mode, 'apiserverMsPerWrite'), 2), round(med(mode, 'etcdMsPerWrite'), 2), round(med(mode, 'wallMs') / p.slices, 2)]);
    const ratio = (a: Mode, b: Mode) => round(med(a, 'apiserverMsPerWrite') / Math.max(0.001, med(b, 'apiserverMsPerWrite')), 2);
    return [
      `write-verbs: ${p.slices} EndpointSlices of ${p.endpoints} endpoints per verb and round, ${p.concurrency} requests in flight, ${p.rounds} rounds alternating the verbs, one bed cluster (${r.cluster}); medians of the rounds`,
      describeMachine(report.machine),
      '',
      markdownTable(['write', 'kube-apiserver CPU ms per write', 'etcd CPU ms per write', 'wall ms per write'], rows),
      '',
      `create / apply (new): ${ratio('create', 'apply (new)')}; replace / apply (change): ${ratio('replace (change)', 'apply (change)')} (kube-apiserver CPU per write)`,
    ].join('\n');
  },
};
