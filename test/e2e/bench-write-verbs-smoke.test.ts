/**
 * The write-verbs benchmark, tiny, on the suite's bed: so `npm run bench -- write-verbs` cannot
 * rot. It asserts what the benchmark does (every verb wrote its slices, CPU was read from the bed's
 * processes, the namespace is gone afterwards), never a figure: the suite is not a timed test.
 */
import * as tb from './support/testbed';
import { machineInfo } from '../../bench/common/machine';
import { writeVerbsBenchmark, WriteVerbsParams, WriteVerbsResults } from '../../bench/write-verbs';
import { KubeClient } from '../../lib/kube/client';
import { adminClients } from '../../bench/common/bed';

const params: WriteVerbsParams = { ...writeVerbsBenchmark.defaults, slices: 20, rounds: 1, concurrency: 4, namespace: tb.uniqueName('bench-wv-smoke') };
let results: WriteVerbsResults;
let client: KubeClient;

beforeAll(async () => {
  client = adminClients([tb.bed().clusterIds[0]]).get(tb.bed().clusterIds[0])!;
  results = await writeVerbsBenchmark.run({ log: (l) => process.stderr.write(`[bench write-verbs smoke] ${l}\n`), workDir: '/nonexistent' }, params);
}, 300_000);

afterAll(() => {
  client.close();
  tb.closeClients();
});

describe('npm run bench -- write-verbs (smoke)', () => {
  it('measured every verb once per round, with the API server\'s CPU read from /proc', () => {
    expect(Object.keys(results.rounds).sort()).toEqual(['apply (change)', 'apply (new)', 'create', 'replace (change)']);
    for (const rounds of Object.values(results.rounds)) {
      expect(rounds).toHaveLength(1);
      expect(rounds[0].wallMs).toBeGreaterThan(0);
      expect(rounds[0].apiserverMsPerWrite).toBeGreaterThanOrEqual(0);
    }
    // 80 writes cannot cost the API server nothing: the CPU figures are read, not defaulted
    expect(Object.values(results.rounds).reduce((a, r) => a + r[0].apiserverMsPerWrite, 0)).toBeGreaterThan(0);
  });

  it('left the bed as found: its namespace is gone', async () => {
    await expect(client.get(`/api/v1/namespaces/${params.namespace}`)).rejects.toMatchObject({ status: 404 });
  });

  it('formats the table BENCHMARKS.md quotes', () => {
    const text = writeVerbsBenchmark.format({ benchmark: 'write-verbs', command: 'npm run bench -- write-verbs --slices 20 --rounds 1', machine: machineInfo(), params, results, durationSeconds: 1 } as never);
    expect(text).toContain('| create ');
    expect(text).toMatch(/create \/ apply \(new\): \d/);
  });
});
