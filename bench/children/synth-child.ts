/**
 * One synth measured in its own process (so its peak memory is its own), printing one JSON line:
 *
 *   node synth-child.js library <outdir> <clusters> <servicesPerCluster> [objects.ndjson]
 *     the bench fleet through the library: constructs, fleet checks, render, write; optionally
 *     (after the clock stops) every emitted Kubernetes object to objects.ndjson;
 *   node synth-child.js plain <outdir> <objects.ndjson>
 *     the same objects as plain cdk8s ApiObjects, one Chart per cluster, `app.synth()` writing a
 *     folder per chart and a file per object: what a cdk8s program without cdk8s-mcs costs.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { Fleet } from '../../lib/constructs/fleet';
import { writeFleetOutput } from '../../lib/constructs/output';
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
  const output = fleet.render();
  const t2 = performance.now();
  writeFleetOutput(outdir, output);
  const t3 = performance.now();
  const objects = fleet.clusters.reduce((n, c) => n + objectsOf(c).length, 0);
  report({ mode: 'library', constructMs: t1 - t0, renderMs: t2 - t1, writeMs: t3 - t2, totalMs: t3 - t0, files: output.files.size, objects });
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

async function main(argv: string[]): Promise<void> {
  const [mode, outdir, ...rest] = argv;
  if (mode === 'library') {
    library(outdir, Number(rest[0]), Number(rest[1]), rest[2]);
  } else if (mode === 'plain') {
    await plain(outdir, rest[0]);
  } else {
    throw new Error(`usage: synth-child.js library|plain <outdir> ...; got "${mode}"`);
  }
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
