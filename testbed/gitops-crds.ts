/**
 * The Argo CD and Flux CRDs, for validating what the compiler emits for them against the real
 * API server. Downloaded as Go modules (`go mod download`) into the build cache, never committed.
 *
 * Versions: the newest releases whose go.mod the test bed's Go (>= 1.26) accepts; argo-cd v3.6
 * and kustomize-controller v1.10 need Go 1.27.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findGo, Log } from './build';
import { cacheRoot } from './versions';

export interface CrdSource {
  readonly module: string;
  readonly version: string;
  /** CRD files inside the module. */
  readonly files: readonly string[];
}

export const GITOPS_CRD_SOURCES: readonly CrdSource[] = [
  { module: 'github.com/argoproj/argo-cd/v3', version: 'v3.5.7', files: ['manifests/crds/application-crd.yaml', 'manifests/crds/applicationset-crd.yaml', 'manifests/crds/appproject-crd.yaml'] },
  { module: 'github.com/fluxcd/kustomize-controller', version: 'v1.9.6', files: ['config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml'] },
];

/** `<cache>/gitops-crds/<module with / as _>@<version>/` */
export function crdCacheDir(source: CrdSource): string {
  return path.join(cacheRoot(), 'gitops-crds', `${source.module.replace(/\//g, '_')}@${source.version}`);
}

/** Paths of every CRD file, downloading the modules that are not cached yet. */
export function ensureGitOpsCrds(log: Log = () => undefined): string[] {
  return GITOPS_CRD_SOURCES.flatMap((source) => {
    const dir = crdCacheDir(source);
    const targets = source.files.map((f) => path.join(dir, path.basename(f)));
    if (targets.every((t) => fs.existsSync(t))) {
      return targets;
    }
    log(`downloading ${source.module}@${source.version} (go mod download) for its CRDs`);
    const moduleDir = downloadModule(source);
    fs.mkdirSync(dir, { recursive: true });
    source.files.forEach((f, i) => fs.copyFileSync(path.join(moduleDir, f), targets[i]));
    return targets;
  });
}

function downloadModule(source: CrdSource): string {
  const go = findGo();
  const r = spawnSync(go, ['mod', 'download', '-json', `${source.module}@${source.version}`], {
    cwd: os.tmpdir(),
    encoding: 'utf8',
    env: { ...process.env, GOTOOLCHAIN: 'local' },
    maxBuffer: 16 * 1024 * 1024,
  });
  let info: { Dir?: string; Error?: string } = {};
  try {
    info = JSON.parse(r.stdout) as { Dir?: string; Error?: string };
  } catch {
    // reported below with stderr
  }
  if (r.status !== 0 || !info.Dir) {
    throw new Error(`go mod download ${source.module}@${source.version} failed: ${info.Error ?? (r.stderr || r.error?.message || `exit ${r.status}`)}`);
  }
  return info.Dir;
}
