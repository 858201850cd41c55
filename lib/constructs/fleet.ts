import { App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { exportsOf, ExportSpec, FleetModel, GitOps, GitOpsSpec, Problem } from '../fleet/model';
import { preferSmallHeap } from '../fleet/process-heap';
import { installCleanErrors } from './clean-errors';
import { Cluster, ClusterProps } from './cluster';
import { analyzeFleet, FleetAnalysis, scanFleet } from './fleet-model';
import { clustersOf, creationCount, fleetOf, isFleet, markFleet } from './fleet-tree';
import { resolveGitOps } from './gitops-props';
import { FileSink, FleetOutput, MemorySink, renderFleetTo, StagedOutput } from './output';
import { closestName, requireDnsLabel } from './validate';

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
   * Switch this process's V8 to `--optimize-for-size` when the Fleet is created (the flag applies
   * only to what is allocated after it, so a Fleet sets it before its tree is built): a synth of
   * 50 clusters x 200 services peaks at about 300 MiB instead of 490 MiB, for about 30% more CPU
   * in constructs and render (BENCHMARKS.md, synth). The flag is process-wide; set `false` in a
   * program that does more than synthesize and wants V8's throughput defaults.
   * @default true
   */
  readonly smallHeap?: boolean;
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
 * Each cluster is a cdk8s Chart whose objects (those of charts nested in it included) are written
 * to `<outdir>/<cluster-id>/`. The fleet model, its checks, `fleet.json` and `fleet.md` are derived
 * from the construct tree when the fleet is rendered. `synth()` checks the whole fleet first and
 * writes nothing if anything is wrong.
 */
export class Fleet extends App {
  /** The fleet a construct belongs to. */
  public static of(construct: IConstruct): Fleet {
    return fleetOf(construct) as Fleet;
  }

  /** Whether `x` is a Fleet (also across copies of this library). */
  public static isFleet(x: unknown): x is Fleet {
    return isFleet(x);
  }

  /** Name of the ClusterSet. */
  public readonly name: string;
  private readonly gitops?: GitOpsSpec;
  /** The model of the render in progress: Lazy values read it instead of walking the tree again. */
  private renderModel?: FleetModel;
  /**
   * Outside a render, the model as of the last creation of a cluster or library construct, so that
   * serializing many objects (Testing.synth) walks the tree once, not once per ServiceImport.
   * Every serialization starts from a fresh walk (the validation below clears it).
   */
  private modelCache?: { readonly created: number; readonly model: FleetModel };

  public constructor(props: FleetProps = {}) {
    if (props.smallHeap ?? true) {
      preferSmallHeap(); // before the tree is built: lib/fleet/process-heap.ts
    }
    super({ outdir: props.outdir });
    installCleanErrors();
    markFleet(this);
    this.name = props.name ?? 'clusterset';
    requireDnsLabel('Fleet', 'name', this.name);
    this.gitops = resolveGitOps(props);
    // cdk8s validates the whole app before it serializes any chart (Testing.synth, chart.toJson).
    this.node.addValidation({ validate: () => ((this.modelCache = undefined), []) });
  }

  /**
   * Adds a cluster: the same as `new Cluster(fleet, id, props)`. Its ID becomes the chart ID, the
   * output folder name and the MCS cluster ID.
   */
  public addCluster(id: string, props: ClusterProps = {}): Cluster {
    return new Cluster(this, id, props);
  }

  /** The clusters, in construct-tree order (the order they were created in, for clusters created in the Fleet). */
  public get clusters(): readonly Cluster[] {
    return clustersOf(this);
  }

  /** The cluster with this ID. */
  public cluster(id: string): Cluster {
    const clusters = this.clusters;
    const found = clusters.find((c) => c.clusterId === id);
    if (!found) {
      const closest = closestName(id, clusters.map((c) => c.clusterId));
      const fix = closest !== undefined ? `use fleet.cluster("${closest}"), or add "${id}" first with fleet.addCluster("${id}")` : `add it first with fleet.addCluster("${id}")`;
      throw new Error(`no cluster "${id}" in the fleet (clusters: ${clusters.map((c) => `"${c.clusterId}"`).join(', ') || 'none'}). Fix: ${fix}`);
    }
    return found;
  }

  /** The plain-data model of the fleet, as the checks, `fleet.json` and `fleet.md` see it, derived from the construct tree. */
  public get model(): FleetModel {
    if (this.renderModel) {
      return this.renderModel;
    }
    if (this.modelCache?.created !== creationCount()) {
      this.modelCache = { created: creationCount(), model: this.analyze().model };
    }
    return this.modelCache.model;
  }

  /** Warnings of the fleet as it stands (plaintext secrets opted into Git, what the Corefile patch warns about...). */
  public get warnings(): readonly Problem[] {
    return this.analyze().warnings;
  }

  /** The exports of a namespaced service name, in construct-tree order. */
  public exportsOf(key: { namespace: string; name: string }): readonly ExportSpec[] {
    return exportsOf(this.model, key);
  }

  /**
   * Checks the fleet and renders every output file in memory, without touching the disk.
   * Throws one error listing every problem when the fleet is invalid.
   */
  public render(): FleetOutput {
    const sink = new MemorySink();
    const warnings = this.renderTo(sink);
    return { files: sink.files, warnings };
  }

  /**
   * Checks the fleet, then replaces `outdir` with the rendered files in one step: the files are
   * written one by one into a staging folder beside `outdir`, which replaces `outdir` only when
   * every file is written. An invalid fleet leaves `outdir` as it was.
   */
  public override synth(): void {
    const staged = new StagedOutput(this.outdir);
    let warnings: readonly Problem[];
    try {
      warnings = this.renderTo(staged);
    } catch (e) {
      staged.abort();
      throw e;
    }
    staged.commit();
    for (const w of warnings) {
      process.stderr.write(`warning: [${w.path}] ${w.message}\n`);
    }
  }

  /** @internal Renders into any sink (the synth benchmark times the writes). */
  public _renderTo(sink: FileSink): readonly Problem[] {
    return this.renderTo(sink);
  }

  private analyze(): FleetAnalysis {
    return analyzeFleet({ name: this.name, gitops: this.gitops }, scanFleet(this));
  }

  private renderTo(sink: FileSink): readonly Problem[] {
    const scan = scanFleet(this);
    const analysis = analyzeFleet({ name: this.name, gitops: this.gitops }, scan);
    this.renderModel = analysis.model;
    try {
      return renderFleetTo({ scan, analysis }, sink);
    } finally {
      this.renderModel = undefined;
    }
  }
}
