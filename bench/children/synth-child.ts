/**
 * One synth measured in its own process (so its peak memory is its own), printing one JSON line:
 *
 *   node synth-child.js library <outdir> <clusters> <servicesPerCluster> [objects.ndjson]
 *     the bench fleet through the library, as Fleet.synth() does it: constructs, fleet checks,
 *     then each file rendered and written into the staging folder, one rename; the time spent in
 *     file system calls is measured apart (writeMs). Optionally (after the clock stops) every
 *     emitted Kubernetes object to objects.ndjson;
 *   node synth-child.js plain <outdir> <objects.ndjson>
 *     the same objects as plain cdk8s ApiObjects, one Chart per cluster, `app.synth()` writing a
 *     folder per chart and a file per object: what a cdk8s program without cdk8s-mcs costs;
 *   node synth-child.js bare <srcdir> <outdir>
 *     the physical floor: the files of a library synth (read into memory first, not timed)
 *     written by a bare loop (one mkdirSync per folder, writeFileSync per file) into a fresh folder.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import * as path from 'node:path';
import { Fleet } from '../../lib/constructs/fleet';
import { FileSink, StagedOutput } from '../../lib/constructs/output';
import { buildSynthFleet } from '../fleets/synth-fleet';
import { processMemory } from '../common/machine';

interface PlainObject {
  readonly cluster: string;
  readonly object: { apiVersion: string; kind: string; metadata?: Record<string, unknown>; [k: string]: unknown };
}

function report(result: Record<string, unknown>): void {
  const mem = processMemory(process.pid);
  process.stdout.write(`${JSON.stringify({ ...result, peakRssBytes: mem?.peakRssBytes, heapUsedBytes: process.memoryUsage().heapUsed })}\n`);
}

function library(outdir: string, clusters: number, servicesPerCluster: number, dump?: string): void {
  const t0 = performance.now();
  const fleet = new Fleet({ name: 'bench', outdir });
  buildSynthFleet(fleet, { clusters, servicesPerCluster });
  const t1 = performance.now();
  // Fleet.synth() with a clock around the file system calls.
  const staged = new StagedOutput(outdir);
  let writeMs = 0;
  let files = 0;
  const sink: FileSink = {
    write(file, text) {
      const w = performance.now();
      staged.write(file, text);
      writeMs += performance.now() - w;
      files += 1;
    },
  };
  fleet._renderTo(sink);
  const c = performance.now();
  staged.commit();
  const t2 = performance.now();
  writeMs += t2 - c;
  const objects = fleet.clusters.reduce((n, cl) => n + objectsOf(cl).length, 0);
  report({ mode: 'library', constructMs: t1 - t0, renderMs: t2 - t1 - writeMs, writeMs, totalMs: t2 - t0, files, objects });
  if (dump) {
    const out = fs.openSync(dump, 'w');
    for (const cluster of fleet.clusters) {
      for (const o of objectsOf(cluster)) {
        fs.writeSync(out, `${JSON.stringify({ cluster: cluster.clusterId, object: o.toJson() })}\n`);
      }
    }
    fs.closeSync(out);
  }
}

/** Every Kubernetes object a cluster chart emits (the library's constructs nest them). */
function objectsOf(chart: Chart): ApiObject[] {
  return chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart);
}

async function readObjects(file: string): Promise<PlainObject[]> {
  const objects: PlainObject[] = [];
  for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
    if (line) {
      objects.push(JSON.parse(line) as PlainObject);
    }
  }
  return objects;
}

async function plain(outdir: string, file: string): Promise<void> {
  const objects = await readObjects(file);
  const t0 = performance.now();
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
  const charts = new Map<string, Chart>();
  objects.forEach(({ cluster, object }, i) => {
    let chart = charts.get(cluster);
    if (!chart) {
      chart = new Chart(app, cluster);
      charts.set(cluster, chart);
    }
    new ApiObject(chart, `o${i}`, object);
  });
  const t1 = performance.now();
  app.synth();
  const t2 = performance.now();
  report({ mode: 'plain', constructMs: t1 - t0, synthMs: t2 - t1, totalMs: t2 - t0, objects: objects.length });
}

/** Every file under `dir`, by path relative to it, with its content. */
function readTree(dir: string): Array<[string, string]> {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .map((rel) => [rel, fs.readFileSync(path.join(dir, rel), 'utf8')]);
}

function bare(srcdir: string, outdir: string): void {
  const files = readTree(srcdir);
  const bytes = files.reduce((n, [, text]) => n + Buffer.byteLength(text), 0);
  const t0 = performance.now();
  const folders = new Set<string>();
  for (const [rel, text] of files) {
    const full = path.join(outdir, rel);
    const folder = path.dirname(full);
    if (!folders.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      folders.add(folder);
    }
    fs.writeFileSync(full, text);
  }
  const t1 = performance.now();
  report({ mode: 'bare', constructMs: 0, writeMs: t1 - t0, totalMs: t1 - t0, files: files.length, bytes, objects: 0 });
}

async function main(argv: string[]): Promise<void> {
  const [mode, outdir, ...rest] = argv;
  if (mode === 'library') {
    library(outdir, Number(rest[0]), Number(rest[1]), rest[2]);
  } else if (mode === 'plain') {
    await plain(outdir, rest[0]);
  } else if (mode === 'bare') {
    bare(outdir, rest[0]);
  } else {
    throw new Error(`usage: synth-child.js library|plain|bare <dir> ...; got "${mode}"`);
  }
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
