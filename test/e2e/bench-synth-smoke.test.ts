/**
 * The synth benchmark, tiny: so `npm run bench -- synth` cannot rot. Its synths run as compiled
 * child processes, hence compileForBench; it needs no bed, but takes the bed lock all the same so
 * that its compile never overlaps another bench smoke test's (they write the same build folder).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import './support/testbed';
import { compileForBench } from '../../bench/common/build';
import { buildSynthFleet } from '../../bench/fleets/synth-fleet';
import { synthBenchmark, SynthParams, SynthResults } from '../../bench/synth';
import { machineInfo } from '../../bench/common/machine';
import { Fleet } from '../../lib/constructs/fleet';
import { readClusterManifests } from '../../lib/runner/apply/manifests';

const params: SynthParams = { clusters: 3, services: 5, reps: 1 };
let results: SynthResults;
let workDir: string;
let expectedObjects: number;
let expectedFiles: number;

beforeAll(async () => {
  compileForBench(() => undefined);
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-smoke-'));
  // The expected count, independently: the same fleet synthesized here, its dist files parsed as apply reads them.
  const dist = path.join(workDir, 'expected');
  const fleet = new Fleet({ name: 'bench', outdir: dist });
  buildSynthFleet(fleet, { clusters: params.clusters, servicesPerCluster: params.services });
  fleet.synth();
  const clusterDirs = fs.readdirSync(dist, { withFileTypes: true }).filter((e) => e.isDirectory() && /^c\d\d$/.test(e.name)).map((e) => e.name);
  expect(clusterDirs).toHaveLength(params.clusters);
  expectedObjects = clusterDirs.reduce((n, id) => n + readClusterManifests(dist, id).length, 0);
  expectedFiles = fs.readdirSync(dist, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  fs.mkdirSync(path.join(workDir, 'run'));
  results = await synthBenchmark.run({ log: () => undefined, workDir: path.join(workDir, 'run') }, params);
}, 600_000);

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('npm run bench -- synth (smoke)', () => {
  it('synthesized the fleet with the expected number of objects and files', () => {
    expect(expectedObjects).toBeGreaterThan(params.clusters * params.services * 5);
    expect(results.objects).toBe(expectedObjects);
    expect(results.files).toBe(expectedFiles);
  });

  it('ran the three kinds, the library and plain cdk8s on every object, the bare loop on every file, and measured each', () => {
    expect(results.runs.map((r) => r.mode).sort()).toEqual(['bare', 'library', 'plain']);
    for (const r of [...results.runs, results.resynthOverExisting]) {
      expect(r.objects).toBe(r.mode === 'bare' ? 0 : expectedObjects);
      expect(r.totalMs).toBeGreaterThan(0);
      expect(r.processWallMs).toBeGreaterThanOrEqual(r.totalMs);
      expect(r.peakRssBytes).toBeGreaterThan(0);
    }
    const library = results.runs.find((r) => r.mode === 'library')!;
    expect(library.writeMs! + library.renderMs! + library.constructMs).toBeCloseTo(library.totalMs, 3);
    expect(results.runs.find((r) => r.mode === 'bare')!.files).toBe(expectedFiles);
    expect(results.resynthOverExisting.mode).toBe('library');
    expect(results.median.timeRatio).toBeGreaterThan(0);
    expect(results.median.memoryRatio).toBeGreaterThan(0);
    expect(results.median.writeRatio).toBeGreaterThan(0);
    expect(results.median.boundRatio).toBeGreaterThan(0);
  });

  it('formats its table', () => {
    const text = synthBenchmark.format({ benchmark: 'synth', command: 'npm run bench -- synth --clusters 3 --services 5 --reps 1', machine: machineInfo(), params, results, durationSeconds: 1 });
    expect(text).toContain(`= ${expectedObjects} Kubernetes objects`);
    expect(text).toContain('| cdk8s-mcs (Fleet.synth)');
    expect(text).toContain('| bare Node loop, same files (writeFileSync)');
    expect(text).toContain('cdk8s-mcs write / bare write');
  });
});
