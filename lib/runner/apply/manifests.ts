/** Reads the YAML files under `dist/<cluster-id>/` (sub-folders included) into objects, in apply order, with the file each came from. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { applyPhase, ApplyPhase, ManifestObject } from '../../fleet/apply-order';
import { describeRef, refKey, refOf } from './object-ref';

export interface ManifestFile {
  /** Path of the file, as given (relative to the working directory when `dist` was relative). */
  readonly file: string;
  readonly object: ManifestObject;
  readonly phase: ApplyPhase;
}

/**
 * Every object of a cluster's folder: files in name order (the compiler names them so that name
 * order is apply order), then stably grouped by apply phase so hand-written files fit in too.
 */
export function readClusterManifests(dist: string, clusterId: string): ManifestFile[] {
  const dir = path.join(dist, clusterId);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`${dir} not found: dist has no folder for cluster "${clusterId}" (run "npm run synth", or pass --dist pointing at the synth output)`);
  }
  const files = manifestFiles(dir);
  const manifests = files.flatMap((f) => parseManifestFile(path.join(dir, f), fs.readFileSync(path.join(dir, f), 'utf8')));
  rejectDuplicates(manifests);
  return manifests.map((m, i) => ({ m, i })).sort((a, b) => a.m.phase - b.m.phase || a.i - b.i).map(({ m }) => m);
}

/** Kustomize's own config files (Flux stage folders carry one each): not Kubernetes objects. */
const KUSTOMIZE_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/**
 * YAML files under `dir`, sub-folders included (the Flux layout splits a cluster into stage
 * folders `1-crds/`, `2-workloads/`, `3-dns/`), as relative paths in name order.
 */
function manifestFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name) && !KUSTOMIZE_FILES.has(e.name))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** The objects of one YAML file (one or more documents); errors name the file and the document. */
export function parseManifestFile(file: string, text: string): ManifestFile[] {
  const out: ManifestFile[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    const where = `${file}${i > 0 ? ` (document ${i + 1})` : ''}`;
    if (doc.errors.length > 0) {
      throw new Error(`${where}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
    }
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) {
      return;
    }
    out.push({ file, object: checkObject(value, where), phase: applyPhase(value as ManifestObject) });
  });
  return out;
}

function checkObject(value: unknown, where: string): ManifestObject {
  const o = value as Partial<ManifestObject>;
  const problems = [
    typeof o?.apiVersion !== 'string' || !o.apiVersion ? `apiVersion ${JSON.stringify(o?.apiVersion)}` : undefined,
    typeof o?.kind !== 'string' || !o.kind ? `kind ${JSON.stringify(o?.kind)}` : undefined,
    typeof o?.metadata?.name !== 'string' || !o.metadata.name ? `metadata.name ${JSON.stringify(o?.metadata?.name)}` : undefined,
  ].filter((p): p is string => p !== undefined);
  if (problems.length > 0) {
    throw new Error(`${where}: expected a Kubernetes object with apiVersion, kind and metadata.name, got ${problems.join(', ')}`);
  }
  return o as ManifestObject;
}

function rejectDuplicates(manifests: readonly ManifestFile[]): void {
  const seen = new Map<string, string>();
  for (const m of manifests) {
    const key = refKey(refOf(m.object));
    const first = seen.get(key);
    if (first !== undefined) {
      throw new Error(`${describeRef(refOf(m.object))} is defined twice: in ${first} and in ${m.file} (an object may appear once per cluster)`);
    }
    seen.set(key, m.file);
  }
}
