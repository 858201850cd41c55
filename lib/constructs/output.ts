import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import { describeObject, ManifestObject, sortForApply } from '../fleet/apply-order';
import { checkFleet, checkStorageClasses } from '../fleet/checks';
import { renderFleetMarkdown } from '../fleet/fleet-md';
import { toFleetManifest } from '../fleet/manifest';
import { Problem, VolumeClaimSpec } from '../fleet/model';
import { renderGitOps } from '../gitops';
import type { Cluster } from './cluster';
import { CheckedStatefulSet } from './contribution';
import { FleetAnalysis, FleetScan, strayProblems } from './fleet-model';
import { yamlText } from './yaml-text';

/** Everything `synth` writes, keyed by path relative to the output folder. */
export interface FleetOutput {
  /** File contents by path relative to the output folder, e.g. `cluster-1/05-statefulset.db.mysql.yaml`. */
  readonly files: ReadonlyMap<string, string>;
  /** Warnings of the render (also printed by `synth` and listed in `fleet.md`). */
  readonly warnings: readonly Problem[];
}

/** Where rendered files go, one at a time (so a large fleet is never held in memory whole). */
export interface FileSink {
  /** Takes one file, by path relative to the output folder. */
  write(file: string, text: string): void;
}

/** What the output step needs: the tree's objects, the model and what the contributions add. */
export interface RenderInput {
  readonly scan: FleetScan;
  readonly analysis: FleetAnalysis;
}

/**
 * Checks the fleet, then renders every file into `sink`. Throws one error listing every problem:
 * first the construct validations, the objects outside every cluster and the whole-fleet checks on
 * the model (nothing is rendered then); then, if those pass, what only the rendered objects show
 * (an object emitted twice into one cluster, a volume claim without a storage class). A sink that
 * must be all-or-nothing discards what it got when this throws.
 */
export function renderFleetTo(input: RenderInput, sink: FileSink): readonly Problem[] {
  const { scan, analysis } = input;
  const problems = [...constructErrors(scan), ...strayProblems(scan), ...analysis.problems, ...checkFleet(analysis.model)];
  if (problems.length > 0) {
    throw new Error(formatProblems(problems));
  }
  const checked = new Map(analysis.statefulSets.map((s) => [s.apiObject, s]));
  for (const cluster of scan.clusters) {
    const rendered = renderCluster(cluster, scan.objects.get(cluster) ?? []);
    problems.push(...rendered.problems, ...checkStorageClasses(analysis.model, renderedClaims(rendered.objects, checked)));
    if (problems.length === 0) {
      const objects = sortForApply(rendered.objects.map((r) => r.json));
      for (const doc of renderGitOps(analysis.model, [{ clusterId: cluster.clusterId, objects }])) {
        sink.write(doc.path, yamlText(doc.document));
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(formatProblems(problems));
  }
  for (const [file, extra] of analysis.files) {
    sink.write(file, extra.produce());
  }
  const warnings = analysis.warnings;
  sink.write('fleet.json', `${JSON.stringify(toFleetManifest(analysis.model), null, 2)}\n`);
  sink.write('fleet.md', renderFleetMarkdown(analysis.model, warnings));
  return warnings;
}

export function formatProblems(problems: readonly Problem[]): string {
  const noun = problems.length === 1 ? 'problem' : 'problems';
  return `the fleet has ${problems.length} ${noun}; nothing was written:\n${problems.map((p) => `  [${p.path}] ${p.message}`).join('\n')}`;
}

/** Collects the files in memory: `Fleet.render()`. */
export class MemorySink implements FileSink {
  public readonly files = new Map<string, string>();

  public write(file: string, text: string): void {
    this.files.set(file, text);
  }
}

/**
 * Writes into a staging folder beside `outdir`, then replaces `outdir` with it in one rename
 * (`commit`), so a reader (or Git) never sees a half-written output and stale files from an earlier
 * synth never survive; `abort` removes the staging folder and leaves `outdir` as it was.
 */
export class StagedOutput implements FileSink {
  private readonly target: string;
  private readonly staging: string;
  private readonly folders = new Set<string>(); // one mkdir per folder, not per file
  private started = false;

  public constructor(outdir: string) {
    this.target = path.resolve(outdir);
    this.staging = `${this.target}.staging-${process.pid}`;
  }

  public write(file: string, text: string): void {
    if (!this.started) {
      fs.rmSync(this.staging, { recursive: true, force: true });
      fs.mkdirSync(this.staging, { recursive: true });
      this.started = true;
    }
    const full = path.join(this.staging, file);
    const folder = path.dirname(full);
    if (!this.folders.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      this.folders.add(folder);
    }
    fs.writeFileSync(full, text);
  }

  public commit(): void {
    if (!this.started) {
      throw new Error(`nothing was rendered into ${this.staging}; refusing to replace ${this.target} with an empty folder`);
    }
    const previous = `${this.target}.previous-${process.pid}`;
    if (fs.existsSync(this.target)) {
      fs.renameSync(this.target, previous);
    }
    fs.renameSync(this.staging, this.target);
    fs.rmSync(previous, { recursive: true, force: true });
  }

  public abort(): void {
    fs.rmSync(this.staging, { recursive: true, force: true });
  }
}

/** Replaces `outdir` with already rendered files in one rename (see `StagedOutput`). */
export function writeFleetOutput(outdir: string, output: FleetOutput): void {
  const staged = new StagedOutput(outdir);
  try {
    output.files.forEach((text, file) => staged.write(file, text));
  } catch (e) {
    staged.abort();
    throw e;
  }
  staged.commit();
}

function constructErrors(scan: FleetScan): Problem[] {
  return scan.constructs.flatMap((c) => c.node.validate().map((message) => ({ path: c.node.path, message })));
}

interface RenderedObject {
  readonly apiObject: ApiObject;
  readonly json: ManifestObject;
}

/** A cluster's objects as JSON (each rendered once), with what is wrong with them as rendered. */
function renderCluster(cluster: Cluster, apiObjects: readonly ApiObject[]): { objects: RenderedObject[]; problems: Problem[] } {
  const objects: RenderedObject[] = [];
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  for (const apiObject of apiObjects) {
    let json: ManifestObject;
    try {
      json = apiObject.toJson() as ManifestObject;
    } catch (e) {
      problems.push({ path: apiObject.node.path, message: `${apiObject.kind} "${apiObject.name}" cannot be rendered: ${(e as Error).message}` });
      continue;
    }
    const key = `${json.apiVersion.split('/')[0]}|${json.kind}|${json.metadata.namespace ?? ''}|${json.metadata.name}`;
    const first = seen.get(key);
    if (first) {
      problems.push({ path: apiObject.node.path, message: `cluster "${cluster.clusterId}" would get ${describeObject(json)} twice (also from ${first}). Fix: remove one of the two constructs` });
    } else {
      seen.set(key, apiObject.node.path);
    }
    objects.push({ apiObject, json });
  }
  return { objects, problems };
}

/** The volume claim templates of the checked StatefulSets, as rendered (JSON patches included). */
function renderedClaims(objects: readonly RenderedObject[], checked: ReadonlyMap<ApiObject, CheckedStatefulSet>): VolumeClaimSpec[] {
  return objects.flatMap(({ apiObject, json }) => {
    const sts = checked.get(apiObject);
    const templates = ((json.spec as { volumeClaimTemplates?: unknown[] } | undefined)?.volumeClaimTemplates ?? []) as Array<{ metadata?: { name?: string }; spec?: { storageClassName?: string } }>;
    return sts
      ? templates.map((t) => ({ path: sts.path, clusterId: sts.clusterId, workload: sts.workload, claimName: t.metadata?.name ?? '', storageClass: t.spec?.storageClassName ?? undefined }))
      : [];
  });
}
