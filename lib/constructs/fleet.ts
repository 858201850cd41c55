import { App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ExportSpec, FleetModel, GitOps, GitOpsSpec, ImportSpec, Problem, RunnerSpec, serviceKey, VolumeClaimSpec } from '../fleet/model';
import { RESERVED_OUTPUT_FOLDERS } from '../gitops';
import { Cluster, ClusterProps } from './cluster';
import { resolveGitOps } from './gitops-props';
import { FleetOutput, renderFleet, writeFleetOutput } from './output';
import { requireDnsLabel } from './validate';

export interface FleetProps {
  /**
   * Name of the ClusterSet, written into every cluster as the `clusterset.k8s.io` ClusterProperty.
   * @default 'clusterset'
   */
  readonly name?: string;
  /**
   * Folder that receives one sub-folder per cluster, `fleet.json` and `fleet.md`.
   * @default - $CDK8S_OUTDIR (set by `cdk8s synth`), else 'dist'
   */
  readonly outdir?: string;
  /**
   * The GitOps tool that syncs the output into the clusters. `ARGOCD` adds an Application per
   * cluster (`argocd/`) and sync waves; `FLUX` splits each cluster folder into stage folders with
   * `kustomization.yaml` files and adds Flux Kustomizations (`clusters/<cluster-id>/`).
   * @default GitOps.NONE
   */
  readonly gitops?: GitOps;
  /**
   * URL of the Git repository the output is committed to (Argo CD `source.repoURL`).
   * @default - none; required with GitOps.ARGOCD
   */
  readonly gitRepoUrl?: string;
  /**
   * Branch, tag or commit the GitOps tool syncs (Argo CD `targetRevision`).
   * @default 'HEAD'
   */
  readonly gitRevision?: string;
  /**
   * Path of the output folder inside the repository.
   * @default 'dist'
   */
  readonly gitPath?: string;
  /**
   * Namespace of the Argo CD Applications or Flux Kustomizations.
   * @default - 'argocd' for Argo CD, 'flux-system' for Flux
   */
  readonly gitopsNamespace?: string;
  /**
   * Argo CD project of the Applications.
   * @default 'default'
   */
  readonly argoCdProject?: string;
  /**
   * Name of the Flux GitRepository (in `gitopsNamespace`) that holds the repository.
   * @default 'flux-system' (what `flux bootstrap` creates)
   */
  readonly fluxSource?: string;
}

/**
 * A fleet of clusters forming one ClusterSet: the root of a cdk8s-mcs app.
 *
 * Each cluster is a cdk8s Chart whose objects are written to `<outdir>/<cluster-id>/`.
 * `synth()` checks the whole fleet first and writes nothing if anything is wrong.
 */
export class Fleet extends App {
  /** The fleet a construct belongs to. */
  public static of(construct: IConstruct): Fleet {
    const root = construct.node.root;
    if (!(root instanceof Fleet)) {
      throw new Error(`"${construct.node.path}" is not part of a Fleet: create it with a Fleet, or a construct inside one, as its scope`);
    }
    return root;
  }

  /** Name of the ClusterSet. */
  public readonly name: string;
  private readonly _clusters: Cluster[] = [];
  private readonly _clusterListeners: Array<(cluster: Cluster) => void> = [];
  private readonly _exports: ExportSpec[] = [];
  private readonly _exportsByKey = new Map<string, ExportSpec[]>();
  private readonly _imports: ImportSpec[] = [];
  private readonly _volumeClaims: VolumeClaimSpec[] = [];
  private readonly _warnings: Problem[] = [];
  private _runner?: RunnerSpec;
  private readonly _extraFiles = new Map<string, { path: string; produce: () => string }>();
  private readonly gitops?: GitOpsSpec;

  public constructor(props: FleetProps = {}) {
    super({ outdir: props.outdir });
    this.name = props.name ?? 'clusterset';
    requireDnsLabel('Fleet', 'name', this.name);
    this.gitops = resolveGitOps(props);
  }

  /** Adds a cluster; its ID becomes the chart ID, the output folder name and the MCS cluster ID. */
  public addCluster(id: string, props: ClusterProps = {}): Cluster {
    requireDnsLabel(`cluster "${id}"`, 'the cluster ID (used as <clusterid> in <pod>.<clusterid>.<svc>.<ns>.svc.clusterset.local)', id);
    if (RESERVED_OUTPUT_FOLDERS.includes(id)) {
      throw new Error(`cluster "${id}": the cluster ID is reserved (the output folders ${RESERVED_OUTPUT_FOLDERS.map((f) => `"${f}/"`).join(' and ')} hold the GitOps entry points); choose another ID`);
    }
    if (this._clusters.some((c) => c.clusterId === id)) {
      throw new Error(`cluster "${id}" is added twice: cluster IDs must be unique within the fleet (they are the MCS source-cluster label)`);
    }
    const cluster = new Cluster(this, id, props);
    this._clusters.push(cluster);
    this._clusterListeners.forEach((listener) => listener(cluster));
    return cluster;
  }

  /** The clusters, in the order they were added. */
  public get clusters(): readonly Cluster[] {
    return [...this._clusters];
  }

  /** The cluster with this ID. */
  public cluster(id: string): Cluster {
    const found = this._clusters.find((c) => c.clusterId === id);
    if (!found) {
      throw new Error(`no cluster "${id}" in the fleet (clusters: ${this._clusters.map((c) => `"${c.clusterId}"`).join(', ') || 'none'})`);
    }
    return found;
  }

  /** The plain-data model of the fleet, as the checks, `fleet.json` and `fleet.md` see it. */
  public get model(): FleetModel {
    return {
      name: this.name,
      clusters: this._clusters.map((c) => c.spec),
      exports: [...this._exports],
      imports: [...this._imports],
      volumeClaims: [...this._volumeClaims],
      ...(this._runner ? { runner: this._runner } : {}),
      ...(this.gitops ? { gitops: this.gitops } : {}),
    };
  }

  /**
   * @internal
   * Files written next to `fleet.json` that are not Kubernetes objects (e.g. EKS add-on values), by
   * path; produced only after the fleet checks passed.
   */
  public _renderExtraFiles(): Map<string, string> {
    return new Map([...this._extraFiles.values()].map((f) => [f.path, f.produce()]));
  }

  /** Warnings collected so far (e.g. plaintext secrets opted into Git). */
  public get warnings(): readonly Problem[] {
    return [...this._warnings];
  }

  /** The exports of a namespaced service name, in declaration order. */
  public exportsOf(key: { namespace: string; name: string }): readonly ExportSpec[] {
    return this._exportsByKey.get(serviceKey(key)) ?? [];
  }

  /** @internal */
  public _registerExport(spec: ExportSpec): void {
    this._exports.push(spec);
    this._exportsByKey.set(serviceKey(spec), [...this.exportsOf(spec), spec]);
  }

  /** @internal Calls `listener` with every cluster added from now on (constructs that reach into every cluster). */
  public _onClusterAdded(listener: (cluster: Cluster) => void): void {
    this._clusterListeners.push(listener);
  }

  /** @internal */
  public _registerRunner(spec: RunnerSpec): void {
    if (this._runner) {
      throw new Error(`the fleet already has a SyncRunner (in cluster "${this._runner.hostClusterId}"); one runner deployment serves the whole fleet`);
    }
    this._runner = spec;
  }

  /** @internal */
  public _registerImport(spec: ImportSpec): void {
    this._imports.push(spec);
  }

  /** @internal */
  public _registerVolumeClaim(spec: VolumeClaimSpec): void {
    this._volumeClaims.push(spec);
  }

  /**
   * @internal
   * Registers an output file; `owner` (a construct path) may register the same path again (rendering twice).
   */
  public _addExtraFile(owner: string, file: string, produce: () => string): void {
    const other = [...this._extraFiles.entries()].find(([o, f]) => o !== owner && f.path === file);
    if (other) {
      throw new Error(`[${owner}] output file "${file}" is already written by ${other[0]}; each file needs one owner`);
    }
    this._extraFiles.set(owner, { path: file, produce });
  }

  /** @internal */
  public _addWarning(warning: Problem): void {
    if (this._warnings.some((w) => w.path === warning.path && w.message === warning.message)) {
      return; // rendering twice must not repeat warnings
    }
    this._warnings.push(warning);
  }

  /**
   * Checks the fleet and renders every output file in memory, without touching the disk.
   * Throws one error listing every problem when the fleet is invalid.
   */
  public render(): FleetOutput {
    return renderFleet(this);
  }

  /** Checks the fleet, then replaces `outdir` with the rendered files in one step. */
  public override synth(): void {
    const output = this.render();
    for (const w of output.warnings) {
      process.stderr.write(`warning: [${w.path}] ${w.message}\n`);
    }
    writeFleetOutput(this.outdir, output);
  }
}
