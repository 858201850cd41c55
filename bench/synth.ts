/**
 * synth: a generated fleet (default 50 clusters x 200 exported services, see fleets/synth-fleet.ts)
 * through the library, against a plain cdk8s App writing the same Kubernetes objects without it.
 * Each synth runs in its own Node process (compiled JavaScript) into a fresh folder; the two kinds
 * alternate, so both see the same machine. Wall time is measured inside the process (construct
 * to last file written) and around it (spawn to exit); memory is the process's peak RSS (VmHWM).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Benchmark } from './common/benchmark';
import { compiled } from './common/build';
import { runNodeJson, removeAndSettle } from './common/child';
import { describeMachine } from './common/machine';
import { median, round } from './common/stats';
import { markdownTable, mib, seconds } from './common/table';

export interface SynthParams {
  [key: string]: number;
  clusters: number;
  services: number;
  /** Measured runs of each kind (after one warm-up run of each). */
  reps: number;
}

interface ChildResult {
  readonly mode: 'library' | 'plain';
  readonly totalMs: number;
  readonly constructMs: number;
  readonly renderMs?: number;
  readonly writeMs?: number;
  readonly synthMs?: number;
  readonly objects: number;
  readonly files?: number;
  readonly peakRssBytes: number;
}

export interface SynthRun extends ChildResult {
  readonly processWallMs: number;
}

export interface SynthResults {
  readonly objects: number;
  readonly files: number;
  readonly runs: readonly SynthRun[];
  /** Re-synth of the library over an existing output folder (the old one is removed inside the timing). */
  readonly resynthOverExisting: SynthRun;
  readonly median: {
    readonly library: { totalMs: number; constructMs: number; renderMs: number; writeMs: number; processWallMs: number; peakRssBytes: number };
    readonly plain: { totalMs: number; constructMs: number; synthMs: number; processWallMs: number; peakRssBytes: number };
    /** Median over the reps of library/plain, each pair run back to back. */
    readonly timeRatio: number;
    readonly memoryRatio: number;
  };
  readonly targets: { readonly fullSynthAtMost10s: boolean; readonly overheadRatioAtMost1_5: boolean };
}

const CHILD = () => compiled('bench/children/synth-child.ts');

async function library(dir: string, p: SynthParams, dump?: string): Promise<SynthRun> {
  const { result, processWallMs } = await runNodeJson<ChildResult>(CHILD(), ['library', dir, String(p.clusters), String(p.services), ...(dump ? [dump] : [])]);
  return { ...result, processWallMs };
}

async function plain(dir: string, objects: string): Promise<SynthRun> {
  const { result, processWallMs } = await runNodeJson<ChildResult>(CHILD(), ['plain', dir, objects]);
  return { ...result, processWallMs };
}

const pick = (runs: readonly SynthRun[], f: (r: SynthRun) => number | undefined) => round(median(runs.map((r) => f(r) ?? NaN)), 1);

export const synthBenchmark: Benchmark<SynthParams, SynthResults> = {
  name: 'synth',
  summary: 'synth wall time and peak memory of a generated fleet, against plain cdk8s writing the same objects',
  defaults: { clusters: 50, services: 200, reps: 3 },

  async run(ctx, p) {
    const objectsFile = path.join(ctx.workDir, 'objects.ndjson');
    ctx.log(`warm-up: the library synth of ${p.clusters} clusters x ${p.services} services (also writes the objects for the plain run)`);
    const warm = await library(path.join(ctx.workDir, 'warm-library'), p, objectsFile);
    await plain(path.join(ctx.workDir, 'warm-plain'), objectsFile);
    await removeAndSettle(path.join(ctx.workDir, 'warm-library'));
    await removeAndSettle(path.join(ctx.workDir, 'warm-plain'));
    const runs: SynthRun[] = [];
    const ratios: number[] = [];
    const memoryRatios: number[] = [];
    for (let rep = 0; rep < p.reps; rep++) {
      // Alternate which goes first, so neither always runs on the quieter side of the pair.
      const order = rep % 2 === 0 ? ['library', 'plain'] : ['plain', 'library'];
      const pair: Record<string, SynthRun> = {};
      for (const kind of order) {
        const dir = path.join(ctx.workDir, `${kind}-${rep}`);
        pair[kind] = kind === 'library' ? await library(dir, p) : await plain(dir, objectsFile);
        ctx.log(`rep ${rep + 1}/${p.reps} ${kind}: ${seconds(pair[kind].totalMs)} in-process, ${seconds(pair[kind].processWallMs)} process, peak RSS ${mib(pair[kind].peakRssBytes)}`);
        await removeAndSettle(dir);
      }
      runs.push(pair.library, pair.plain);
      ratios.push(pair.library.totalMs / pair.plain.totalMs);
      memoryRatios.push(pair.library.peakRssBytes / pair.plain.peakRssBytes);
    }
    const existing = path.join(ctx.workDir, 'existing');
    await library(existing, p);
    await new Promise((r) => setTimeout(r, 2000));
    const resynthOverExisting = await library(existing, p);
    ctx.log(`re-synth over an existing output folder: ${seconds(resynthOverExisting.totalMs)}`);
    await removeAndSettle(existing);
    fs.rmSync(objectsFile, { force: true });
    const lib = runs.filter((r) => r.mode === 'library');
    const pl = runs.filter((r) => r.mode === 'plain');
    const timeRatio = round(median(ratios), 2);
    const libraryTotal = pick(lib, (r) => r.totalMs);
    return {
      objects: warm.objects,
      files: warm.files ?? 0,
      runs,
      resynthOverExisting,
      median: {
        library: { totalMs: libraryTotal, constructMs: pick(lib, (r) => r.constructMs), renderMs: pick(lib, (r) => r.renderMs), writeMs: pick(lib, (r) => r.writeMs), processWallMs: pick(lib, (r) => r.processWallMs), peakRssBytes: median(lib.map((r) => r.peakRssBytes)) },
        plain: { totalMs: pick(pl, (r) => r.totalMs), constructMs: pick(pl, (r) => r.constructMs), synthMs: pick(pl, (r) => r.synthMs), processWallMs: pick(pl, (r) => r.processWallMs), peakRssBytes: median(pl.map((r) => r.peakRssBytes)) },
        timeRatio,
        memoryRatio: round(median(memoryRatios), 2),
      },
      targets: { fullSynthAtMost10s: libraryTotal <= 10_000, overheadRatioAtMost1_5: timeRatio <= 1.5 },
    };
  },

  format(report) {
    const p = report.params;
    const m = report.results.median;
    const header = `synth: ${p.clusters} clusters x ${p.services} exported services = ${report.results.objects.toLocaleString('en-US')} Kubernetes objects (${report.results.files.toLocaleString('en-US')} files); median of ${p.reps} runs each\n${describeMachine(report.machine)}`;
    const table = markdownTable(
      ['', 'in-process wall', 'constructs', 'checks + render', 'write', 'process wall (spawn to exit)', 'peak RSS'],
      [
        ['cdk8s-mcs (Fleet.synth)', seconds(m.library.totalMs), seconds(m.library.constructMs), seconds(m.library.renderMs), seconds(m.library.writeMs), seconds(m.library.processWallMs), mib(m.library.peakRssBytes)],
        ['plain cdk8s, same objects (App.synth)', seconds(m.plain.totalMs), seconds(m.plain.constructMs), `${seconds(m.plain.synthMs)} (render + write)`, '', seconds(m.plain.processWallMs), mib(m.plain.peakRssBytes)],
        ['ratio (median of back-to-back pairs)', `${m.timeRatio}`, '', '', '', '', `${m.memoryRatio}`],
      ],
    );
    const targets = `targets: full synth <= 10 s: ${report.results.targets.fullSynthAtMost10s ? 'met' : 'MISSED'} (${seconds(m.library.totalMs)}); overhead ratio <= 1.5: ${report.results.targets.overheadRatioAtMost1_5 ? 'met' : 'MISSED'} (${m.timeRatio}); re-synth over an existing dist: ${seconds(report.results.resynthOverExisting.totalMs)}`;
    return `${header}\n\n${table}\n\n${targets}\n`;
  },
};
