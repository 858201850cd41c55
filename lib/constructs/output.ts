import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import { ANNOTATION_APPLY_PHASE, describeObject, ManifestObject } from '../fleet/apply-order';
import { checkFleet, checkStorageClasses } from '../fleet/checks';
import { checkNamespacesExist, PlacedObject } from '../fleet/checks/namespaces';
import { renderFleetMarkdown } from '../fleet/fleet-md';
import { toFleetManifest } from '../fleet/manifest';
import { FleetModel, Problem, VolumeClaimSpec } from '../fleet/model';
import { clusterToolDocuments, placeObject } from '../gitops';
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
 * (an object emitted twice into one cluster, a volume claim without a storage class, an object in
 * a namespace nothing creates in its cluster). A sink that
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
    renderCluster({ cluster, apiObjects: scan.objects.get(cluster) ?? [], model: analysis.model, checked, sink }, problems);
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

interface ClusterRender {
  readonly cluster: Cluster;
  readonly apiObjects: readonly ApiObject[];
  readonly model: FleetModel;
  readonly checked: ReadonlyMap<ApiObject, CheckedStatefulSet>;
  readonly sink: FileSink;
}

/**
 * Renders a cluster's objects one at a time (each rendered once, written as soon as it is, and
 * dropped: a large fleet never sits in memory as JSON or YAML), and its GitOps files from the
 * objects' skeletons. Adds to `problems` what only rendered objects show; once there is one,
 * nothing more is written, but every object is still checked.
 */
function renderCluster(r: ClusterRender, problems: Problem[]): void {
  const seen = new Map<string, string>();
  const skeletons: ManifestObject[] = [];
  const placed: PlacedObject[] = [];
  for (const apiObject of r.apiObjects) {
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
      problems.push({ path: apiObject.node.path, message: `cluster "${r.cluster.clusterId}" would get ${describeObject(json)} twice (also from ${first}). Fix: remove one of the two constructs` });
    } else {
      seen.set(key, apiObject.node.path);
    }
    placed.push({ path: apiObject.node.path, apiVersion: json.apiVersion, kind: json.kind, name: json.metadata.name, namespace: json.metadata.namespace });
    const sts = r.checked.get(apiObject);
    if (sts) {
      problems.push(...checkStorageClasses(r.model, renderedClaims(json, sts)));
    }
    if (problems.length === 0) {
      const doc = placeObject(r.model, r.cluster.clusterId, json);
      r.sink.write(doc.path, yamlText(doc.document));
    }
    skeletons.push(skeleton(json));
  }
  problems.push(...checkNamespacesExist(r.cluster.clusterId, r.cluster.existingNamespaces, placed));
  if (problems.length === 0) {
    for (const doc of clusterToolDocuments(r.model, { clusterId: r.cluster.clusterId, objects: skeletons })) {
      r.sink.write(doc.path, yamlText(doc.document));
    }
  }
}

/** What the GitOps files of a cluster read of an object: its kind, name, namespace and apply phase. */
function skeleton(json: ManifestObject): ManifestObject {
  const phase = json.metadata.annotations?.[ANNOTATION_APPLY_PHASE];
  const metadata = { name: json.metadata.name, namespace: json.metadata.namespace, ...(phase !== undefined ? { annotations: { [ANNOTATION_APPLY_PHASE]: phase } } : {}) };
  return { apiVersion: json.apiVersion, kind: json.kind, metadata };
}

/** The volume claim templates of a checked StatefulSet, as rendered (JSON patches included). */
function renderedClaims(json: ManifestObject, sts: CheckedStatefulSet): VolumeClaimSpec[] {
  const templates = ((json.spec as { volumeClaimTemplates?: unknown[] } | undefined)?.volumeClaimTemplates ?? []) as Array<{ metadata?: { name?: string }; spec?: { storageClassName?: string } }>;
  return templates.map((t) => ({ path: sts.path, clusterId: sts.clusterId, workload: sts.workload, claimName: t.metadata?.name ?? '', storageClass: t.spec?.storageClassName ?? undefined }));
}
