import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, Chart } from 'cdk8s';
import { describeObject, ManifestObject, sortForApply } from '../fleet/apply-order';
import { checkFleet } from '../fleet/checks';
import { renderFleetMarkdown } from '../fleet/fleet-md';
import { toFleetManifest } from '../fleet/manifest';
import { Problem } from '../fleet/model';
import { renderGitOps } from '../gitops';
import type { Fleet } from './fleet';
import { yamlText } from './yaml-text';

/** Everything `synth` writes, keyed by path relative to the output folder. */
export interface FleetOutput {
  /** File contents by path relative to the output folder, e.g. `cluster-1/05-statefulset.db.mysql.yaml`. */
  readonly files: ReadonlyMap<string, string>;
  /** Warnings of the render (also printed by `synth` and listed in `fleet.md`). */
  readonly warnings: readonly Problem[];
}

/** Validates the whole fleet, then renders every file in memory. Throws one error listing every problem. */
export function renderFleet(fleet: Fleet): FleetOutput {
  const problems = [...constructErrors(fleet), ...checkFleet(fleet.model)];
  if (problems.length === 0) {
    problems.push(...duplicateObjects(fleet));
  }
  if (problems.length > 0) {
    throw new Error(formatProblems(problems));
  }
  const files = new Map<string, string>();
  const clusters = fleet.clusters.map((c) => ({ clusterId: c.clusterId, objects: sortForApply(clusterObjects(c)) }));
  for (const doc of renderGitOps(fleet.model, clusters)) {
    files.set(doc.path, yamlText(doc.document));
  }
  for (const [file, text] of fleet._renderExtraFiles()) {
    files.set(file, text);
  }
  files.set('fleet.json', `${JSON.stringify(toFleetManifest(fleet.model), null, 2)}\n`);
  files.set('fleet.md', renderFleetMarkdown(fleet.model, fleet.warnings));
  return { files, warnings: fleet.warnings };
}

export function formatProblems(problems: readonly Problem[]): string {
  const noun = problems.length === 1 ? 'problem' : 'problems';
  return `the fleet has ${problems.length} ${noun}; nothing was written:\n${problems.map((p) => `  [${p.path}] ${p.message}`).join('\n')}`;
}

/**
 * Replaces `outdir` with the rendered files in one rename, so a reader (or Git) never sees a
 * half-written output and stale files from an earlier synth never survive.
 */
export function writeFleetOutput(outdir: string, output: FleetOutput): void {
  const target = path.resolve(outdir);
  const staging = `${target}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const folders = new Set<string>(); // one mkdir per folder, not per file
  for (const [file, text] of output.files) {
    const full = path.join(staging, file);
    const folder = path.dirname(full);
    if (!folders.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      folders.add(folder);
    }
    fs.writeFileSync(full, text);
  }
  const previous = `${target}.previous-${process.pid}`;
  if (fs.existsSync(target)) {
    fs.renameSync(target, previous);
  }
  fs.renameSync(staging, target);
  fs.rmSync(previous, { recursive: true, force: true });
}

function constructErrors(fleet: Fleet): Problem[] {
  return fleet.node.findAll().flatMap((c) => c.node.validate().map((message) => ({ path: c.node.path, message })));
}

function clusterObjects(chart: Chart): ManifestObject[] {
  return chart.node
    .findAll()
    .filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart)
    .map((o) => o.toJson() as ManifestObject);
}

function duplicateObjects(fleet: Fleet): Problem[] {
  const problems: Problem[] = [];
  for (const cluster of fleet.clusters) {
    const seen = new Map<string, string>();
    const objects = cluster.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === cluster);
    for (const o of objects) {
      const key = `${o.apiVersion.split('/')[0]}|${o.kind}|${o.metadata.namespace ?? ''}|${o.name}`;
      const first = seen.get(key);
      if (first) {
        const description = describeObject({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.name, namespace: o.metadata.namespace } });
        problems.push({ path: o.node.path, message: `cluster "${cluster.clusterId}" would get ${description} twice (also from ${first}). Fix: remove one of the two constructs` });
      } else {
        seen.set(key, o.node.path);
      }
    }
  }
  return problems;
}
