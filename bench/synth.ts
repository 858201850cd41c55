/**
 * synth: a generated fleet (default 50 clusters x 200 exported services, see fleets/synth-fleet.ts)
 * through the library, against a plain cdk8s App writing the same Kubernetes objects without it,
 * and against the physical floor: a bare Node loop writing the library's very files into a fresh
 * folder on the same disk. Each runs in its own Node process (compiled JavaScript) into a fresh
 * folder; the three kinds rotate, so all see the same machine. Wall time is measured inside the
 * process (construct to last file written) and around it (spawn to exit); memory is the process's
 * peak RSS (VmHWM).
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
  readonly mode: 'library' | 'plain' | 'bare';
  readonly totalMs: number;
  readonly constructMs: number;
  readonly renderMs?: number;
  readonly writeMs?: number;
  readonly synthMs?: number;
  readonly objects: number;
  readonly files?: number;
  readonly bytes?: number;
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
    readonly bare: { writeMs: number; processWallMs: number; peakRssBytes: number };
    /** Median over the reps of library/plain, each pair run back to back. */
    readonly timeRatio: number;
    readonly memoryRatio: number;
    /** Median over the reps of the library's time in file system calls / the bare loop's write time. */
    readonly writeRatio: number;
    /** Median over the reps of the library's whole synth / (bare write + the library's constructs, checks and render). */
    readonly boundRatio: number;
  };
  readonly targets: {
    readonly fullSynthAtMost10s: boolean;
    readonly withinBareWritePlusRender1_3: boolean;
    readonly peakRssAtMost400MiB: boolean;
    readonly overheadRatioAtMost1_5: boolean;
  };
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

async function bare(source: string, dir: string): Promise<SynthRun> {
  const { result, processWallMs } = await runNodeJson<ChildResult>(CHILD(), ['bare', source, dir]);
  return { ...result, processWallMs };
}

const MIB = 1024 * 1024;

const pick = (runs: readonly SynthRun[], f: (r: SynthRun) => number | undefined) => round(median(runs.map((r) => f(r) ?? NaN)), 1);

export const synthBenchmark: Benchmark<SynthParams, SynthResults> = {
  name: 'synth',
  summary: 'synth wall time and peak memory of a generated fleet, against plain cdk8s writing the same objects',
  defaults: { clusters: 50, services: 200, reps: 3 },

  async run(ctx, p) {
    const objectsFile = path.join(ctx.workDir, 'objects.ndjson');
    // The warm-up library synth also writes the objects for the plain runs and the files the bare loop writes.
    const source = path.join(ctx.workDir, 'warm-library');
    ctx.log(`warm-up: the library synth of ${p.clusters} clusters x ${p.services} services (also writes the objects for the plain run)`);
    const warm = await library(source, p, objectsFile);
    await plain(path.join(ctx.workDir, 'warm-plain'), objectsFile);
    await removeAndSettle(path.join(ctx.workDir, 'warm-plain'));
    const runs: SynthRun[] = [];
    const ratios: number[] = [];
    const memoryRatios: number[] = [];
    const writeRatios: number[] = [];
    const boundRatios: number[] = [];
    const kinds = ['library', 'plain', 'bare'] as const;
    for (let rep = 0; rep < p.reps; rep++) {
      // Rotate which goes first, so none always runs on the quieter side of the set.
      const order = kinds.map((_, i) => kinds[(i + rep) % kinds.length]);
      const set: Record<string, SynthRun> = {};
      for (const kind of order) {
        const dir = path.join(ctx.workDir, `${kind}-${rep}`);
        set[kind] = kind === 'library' ? await library(dir, p) : kind === 'plain' ? await plain(dir, objectsFile) : await bare(source, dir);
        ctx.log(`rep ${rep + 1}/${p.reps} ${kind}: ${seconds(set[kind].totalMs)} in-process${kind === 'library' ? ` (write ${seconds(set[kind].writeMs ?? 0)})` : ''}, ${seconds(set[kind].processWallMs)} process, peak RSS ${mib(set[kind].peakRssBytes)}`);
        await removeAndSettle(dir);
      }
      runs.push(set.library, set.plain, set.bare);
      ratios.push(set.library.totalMs / set.plain.totalMs);
      memoryRatios.push(set.library.peakRssBytes / set.plain.peakRssBytes);
      writeRatios.push((set.library.writeMs ?? 0) / (set.bare.writeMs ?? 1));
      boundRatios.push(set.library.totalMs / ((set.bare.writeMs ?? 0) + set.library.constructMs + (set.library.renderMs ?? 0)));
    }
    await removeAndSettle(source);
    const existing = path.join(ctx.workDir, 'existing');
    await library(existing, p);
    await new Promise((r) => setTimeout(r, 2000));
    const resynthOverExisting = await library(existing, p);
    ctx.log(`re-synth over an existing output folder: ${seconds(resynthOverExisting.totalMs)}`);
    await removeAndSettle(existing);
    fs.rmSync(objectsFile, { force: true });
    const lib = runs.filter((r) => r.mode === 'library');
    const pl = runs.filter((r) => r.mode === 'plain');
    const ba = runs.filter((r) => r.mode === 'bare');
    const timeRatio = round(median(ratios), 2);
    const boundRatio = round(median(boundRatios), 2);
    const libraryTotal = pick(lib, (r) => r.totalMs);
    const libraryPeak = median(lib.map((r) => r.peakRssBytes));
    return {
      objects: warm.objects,
      files: warm.files ?? 0,
      runs,
      resynthOverExisting,
      median: {
        library: { totalMs: libraryTotal, constructMs: pick(lib, (r) => r.constructMs), renderMs: pick(lib, (r) => r.renderMs), writeMs: pick(lib, (r) => r.writeMs), processWallMs: pick(lib, (r) => r.processWallMs), peakRssBytes: libraryPeak },
        plain: { totalMs: pick(pl, (r) => r.totalMs), constructMs: pick(pl, (r) => r.constructMs), synthMs: pick(pl, (r) => r.synthMs), processWallMs: pick(pl, (r) => r.processWallMs), peakRssBytes: median(pl.map((r) => r.peakRssBytes)) },
        bare: { writeMs: pick(ba, (r) => r.writeMs), processWallMs: pick(ba, (r) => r.processWallMs), peakRssBytes: median(ba.map((r) => r.peakRssBytes)) },
        timeRatio,
        memoryRatio: round(median(memoryRatios), 2),
        writeRatio: round(median(writeRatios), 2),
        boundRatio,
      },
      targets: {
        fullSynthAtMost10s: libraryTotal <= 10_000,
        withinBareWritePlusRender1_3: boundRatio <= 1.3,
        peakRssAtMost400MiB: libraryPeak <= 400 * MIB,
        overheadRatioAtMost1_5: timeRatio <= 1.5,
      },
    };
  },

  format(report) {
    const p = report.params;
    const r = report.results;
    const m = r.median;
    const header = `synth: ${p.clusters} clusters x ${p.services} exported services = ${r.objects.toLocaleString('en-US')} Kubernetes objects (${r.files.toLocaleString('en-US')} files); median of ${p.reps} runs each\n${describeMachine(report.machine)}`;
    const table = markdownTable(
      ['', 'in-process wall', 'constructs', 'checks + render', 'write', 'process wall (spawn to exit)', 'peak RSS'],
      [
        ['cdk8s-mcs (Fleet.synth)', seconds(m.library.totalMs), seconds(m.library.constructMs), seconds(m.library.renderMs), seconds(m.library.writeMs), seconds(m.library.processWallMs), mib(m.library.peakRssBytes)],
        ['plain cdk8s, same objects (App.synth)', seconds(m.plain.totalMs), seconds(m.plain.constructMs), `${seconds(m.plain.synthMs)} (render + write)`, '', seconds(m.plain.processWallMs), mib(m.plain.peakRssBytes)],
        ['bare Node loop, same files (writeFileSync)', seconds(m.bare.writeMs), '', '', seconds(m.bare.writeMs), seconds(m.bare.processWallMs), mib(m.bare.peakRssBytes)],
        ['cdk8s-mcs / plain cdk8s (median of sets)', `${m.timeRatio}`, '', '', '', '', `${m.memoryRatio}`],
        ['cdk8s-mcs write / bare write (median of sets)', '', '', '', `${m.writeRatio}`, '', ''],
        ['cdk8s-mcs / (bare write + constructs + checks + render)', `${m.boundRatio}`, '', '', '', '', ''],
      ],
    );
    const t = r.targets;
    const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const targets = [
      `targets: whole synth <= 10 s: ${met(t.fullSynthAtMost10s)} (${seconds(m.library.totalMs)}); or <= 1.3 x (bare write + render): ${met(t.withinBareWritePlusRender1_3)} (${m.boundRatio});`,
      `peak RSS <= 400 MiB: ${met(t.peakRssAtMost400MiB)} (${mib(m.library.peakRssBytes)}); overhead against plain cdk8s <= 1.5: ${met(t.overheadRatioAtMost1_5)} (${m.timeRatio});`,
      `re-synth over an existing dist: ${seconds(r.resynthOverExisting.totalMs)}`,
    ].join('\n');
    return `${header}\n\n${table}\n\n${targets}\n`;
  },
};
