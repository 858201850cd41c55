/**
 * The recipes of the test bed's components: how each is built from Go modules into the cache,
 * what it outputs, and its success stamp.
 *
 *   kube-apiserver, kube-controller-manager, kube-scheduler  <- k8s.io/kubernetes (wrapper module,
 *                                                              staging replaces generated from the
 *                                                              release's own go.mod)
 *   etcd                                                     <- go.etcd.io/etcd/server/v3 (wrapper)
 *   kwok (+ kwok-stages.yaml, kwok-storage-class.yaml)       <- sigs.k8s.io/kwok (copied, patched: kwok-patches.ts)
 *   coredns                                                  <- github.com/coredns/coredns
 *   coredns-multicluster (optional)                          <- coredns + github.com/coredns/multicluster
 *   flux (optional): source-controller, kustomize-controller <- github.com/fluxcd/* (flux-build.ts)
 *   argocd (optional): application controller, repo server  <- github.com/argoproj/argo-cd/v3 (argocd-build.ts)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BuildContext, countDeps, goModDownloadJson, runGo } from './build-go';
import { argoCdComponent } from './argocd-build';
import { fluxComponent } from './flux-build';
import { applyPatches, patchesRecord } from './kwok-patches';
import { BuildDirs, VERSIONS } from './versions';

export interface Component {
  name: string;
  outputs: string[];
  optional?: boolean;
  build: (ctx: BuildContext) => Promise<void>;
}

/** The file whose presence says the component built completely. */
export function stamp(dirs: BuildDirs, component: string): string {
  return path.join(dirs.bin, `.${component}.ok`);
}

function freshDir(d: string) {
  fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(d, { recursive: true });
}

/** Moves finished binaries from a temporary output dir into bin/ (so bin/ never holds a half-written file). */
function install(tmpDir: string, dirs: BuildDirs, names: string[]) {
  for (const n of names) fs.renameSync(path.join(tmpDir, n), path.join(dirs.bin, n));
  fs.rmSync(tmpDir, { recursive: true, force: true });
}

const k8sComponent: Component = {
  name: 'kubernetes',
  outputs: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
  async build(ctx) {
    const K8S = VERSIONS.kubernetes;
    const m = /^v1\.(\d+)\.(\d+)$/.exec(K8S);
    if (!m) throw new Error(`unexpected kubernetes version ${K8S}`);
    const staging = `v0.${m[1]}.${m[2]}`;
    const dir = path.join(ctx.dirs.src, 'k8s');
    freshDir(dir);
    await runGo(ctx, 'k8s: go mod init', ['mod', 'init', 'testbed/k8sbins'], { cwd: dir });
    await runGo(ctx, 'k8s: go mod edit', ['mod', 'edit', '-go=1.26.0', '-godebug=default=go1.26'], { cwd: dir });
    // The staging list comes from the release's own go.mod (fetched through the module proxy):
    // every `k8s.io/<m> => ./staging/src/k8s.io/<m>` becomes `k8s.io/<m> => k8s.io/<m> v0.<minor>.<patch>`.
    const dl = await goModDownloadJson(ctx, `k8s.io/kubernetes@${K8S}`, dir);
    const upstream = fs.readFileSync(dl.GoMod, 'utf8');
    const mods = [...new Set([...upstream.matchAll(/^\s*(k8s\.io\/[A-Za-z0-9._-]+)\s+=>\s+\.\/staging\//gm)].map((x) => x[1]))].sort();
    if (mods.length < 20) throw new Error(`k8s: found only ${mods.length} staging replaces in ${dl.GoMod}; the release's go.mod layout changed?`);
    ctx.log(`k8s: ${mods.length} staging modules from k8s.io/kubernetes@${K8S}'s go.mod -> ${staging}`);
    await runGo(ctx, 'k8s: go mod edit', ['mod', 'edit', ...mods.map((x) => `-replace=${x}=${x}@${staging}`), `-require=k8s.io/kubernetes@${K8S}`], { cwd: dir });
    fs.writeFileSync(
      path.join(dir, 'tools.go'),
      '//go:build tools\n\npackage tools\n\nimport (\n' +
        '\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n\t_ "k8s.io/kubernetes/cmd/kube-controller-manager"\n\t_ "k8s.io/kubernetes/cmd/kube-scheduler"\n)\n',
    );
    await runGo(ctx, 'k8s: go mod tidy (downloads ~1 GB of modules on a cold cache)', ['mod', 'tidy'], { cwd: dir });
    const pkgs = ['k8s.io/kubernetes/cmd/kube-apiserver', 'k8s.io/kubernetes/cmd/kube-controller-manager', 'k8s.io/kubernetes/cmd/kube-scheduler'];
    const total = await countDeps(ctx, dir, pkgs);
    const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const ld = ['-s', '-w'];
    for (const p of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
      ld.push(`-X ${p}.gitVersion=${K8S}`, `-X ${p}.gitMajor=1`, `-X ${p}.gitMinor=${m[1]}`, `-X ${p}.gitTreeState=clean`, `-X ${p}.buildDate=${date}`);
    }
    const tmp = path.join(ctx.dirs.bin, '.tmp-k8s');
    freshDir(tmp);
    ctx.log(`k8s: compiling kube-apiserver, kube-controller-manager, kube-scheduler (${total ?? '?'} packages; ~10 min cold on 2 cores)`);
    await runGo(ctx, 'k8s: go build', ['build', '-v', '-ldflags', ld.join(' '), '-o', tmp + '/', ...pkgs], { cwd: dir, total });
    install(tmp, ctx.dirs, this.outputs);
  },
};

const etcdComponent: Component = {
  name: 'etcd',
  outputs: ['etcd'],
  async build(ctx) {
    // `go install go.etcd.io/etcd/server/v3@...` is refused (its go.mod has replace directives);
    // a wrapper main calling etcdmain.Main needs none, the sibling modules are tagged alike.
    const dir = path.join(ctx.dirs.src, 'etcd');
    freshDir(dir);
    fs.writeFileSync(
      path.join(dir, 'main.go'),
      'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n',
    );
    await runGo(ctx, 'etcd: go mod init', ['mod', 'init', 'testbed/etcdbin'], { cwd: dir });
    await runGo(ctx, 'etcd: go get', ['get', `go.etcd.io/etcd/server/v3@${VERSIONS.etcd}`], { cwd: dir });
    await runGo(ctx, 'etcd: go mod tidy', ['mod', 'tidy'], { cwd: dir });
    const total = await countDeps(ctx, dir, ['.']);
    const tmp = path.join(ctx.dirs.bin, '.tmp-etcd');
    freshDir(tmp);
    await runGo(ctx, 'etcd: go build', ['build', '-v', '-ldflags', '-s -w', '-o', path.join(tmp, 'etcd'), '.'], { cwd: dir, total });
    install(tmp, ctx.dirs, this.outputs);
  },
};

/** Stage files shipped in the kwok module, concatenated into one --config file. */
const KWOK_STAGES = [
  'kustomize/stage/node/fast/node-initialize.yaml',
  'kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'kustomize/stage/pod/fast/pod-ready.yaml',
  'kustomize/stage/pod/fast/pod-complete.yaml',
  'kustomize/stage/pod/fast/pod-delete.yaml',
  'kustomize/stage/volume/fast/pvc-provision.yaml',
  'kustomize/stage/volume/fast/pv-bind.yaml',
  'kustomize/stage/volume/fast/pvc-delete.yaml',
  'kustomize/stage/volume/fast/pv-delete.yaml',
];

/** A writable copy of a module from the read-only module cache. */
function copyModule(from: string, to: string) {
  freshDir(to);
  fs.cpSync(from, to, { recursive: true });
  const writable = (d: string) => {
    fs.chmodSync(d, 0o755);
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) writable(path.join(d, e.name));
  };
  writable(to);
}

const kwokComponent: Component = {
  name: 'kwok',
  // kwok.patches lists the fixes the binary carries (kwok-patches.ts); a cache built before them lacks it and rebuilds kwok alone.
  outputs: ['kwok', 'kwok-stages.yaml', 'kwok-storage-class.yaml', 'kwok.patches'],
  async build(ctx) {
    const tmp = path.join(ctx.dirs.bin, '.tmp-kwok');
    freshDir(tmp);
    const mod = `sigs.k8s.io/kwok@${VERSIONS.kwok}`;
    const dl = await goModDownloadJson(ctx, mod, tmp);
    const src = path.join(ctx.dirs.src, 'kwok');
    copyModule(dl.Dir, src);
    applyPatches(src);
    await runGo(ctx, 'kwok: go build', ['build', '-v', '-ldflags', '-s -w', '-o', path.join(tmp, 'kwok'), './cmd/kwok'], { cwd: src });
    fs.writeFileSync(path.join(tmp, 'kwok.patches'), `# fixes applied to ${mod} before building it (testbed/kwok-patches.ts)\n${patchesRecord()}`);
    const stages = KWOK_STAGES.map((f) => `# from ${mod}/${f}\n` + fs.readFileSync(path.join(dl.Dir, f), 'utf8').trim() + '\n');
    fs.writeFileSync(path.join(tmp, 'kwok-stages.yaml'), stages.join('---\n'));
    fs.copyFileSync(path.join(dl.Dir, 'kustomize/stage/volume/fast/storage-class.yaml'), path.join(tmp, 'kwok-storage-class.yaml'));
    install(tmp, ctx.dirs, this.outputs);
  },
};

const corednsComponent: Component = {
  name: 'coredns',
  outputs: ['coredns'],
  async build(ctx) {
    const tmp = path.join(ctx.dirs.bin, '.tmp-coredns');
    freshDir(tmp);
    await runGo(ctx, 'coredns: go install', ['install', '-v', '-ldflags', '-s -w', `github.com/coredns/coredns@${VERSIONS.coredns}`], { cwd: tmp, env: { GOBIN: tmp } });
    install(tmp, ctx.dirs, this.outputs);
  },
};

const corednsMcComponent: Component = {
  name: 'coredns-multicluster',
  outputs: ['coredns-multicluster'],
  optional: true,
  async build(ctx) {
    // Stock CoreDNS plus the external github.com/coredns/multicluster plugin, ordered right
    // before `kubernetes` in the plugin chain (what its README asks for in plugin.cfg).
    const dir = path.join(ctx.dirs.src, 'coredns-multicluster');
    freshDir(dir);
    fs.writeFileSync(
      path.join(dir, 'main.go'),
      `package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	_ "github.com/coredns/coredns/core/plugin"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/multicluster"
)

// Put "multicluster" right before "kubernetes" in the directive (plugin chain) order.
func init() {
	out := make([]string, 0, len(dnsserver.Directives)+1)
	for _, d := range dnsserver.Directives {
		if d == "kubernetes" {
			out = append(out, "multicluster")
		}
		out = append(out, d)
	}
	dnsserver.Directives = out
}

func main() { coremain.Run() }
`,
    );
    // Only the Go module proxy may be used. On this project's machines it answers 403 "This module
    // version is not available" for github.com/coredns/multicluster (no tags; every query refused),
    // so this optional build fails there, its error is recorded, and the bed offers stock CoreDNS
    // only. Where the proxy serves the module, the build works unchanged.
    await runGo(ctx, 'coredns-multicluster: go mod init', ['mod', 'init', 'testbed/corednsmc'], { cwd: dir });
    await runGo(ctx, 'coredns-multicluster: go mod edit', ['mod', 'edit', '-go=1.26.0'], { cwd: dir });
    await runGo(ctx, 'coredns-multicluster: go get plugin', ['get', `github.com/coredns/multicluster@${VERSIONS.corednsMulticluster}`], { cwd: dir });
    await runGo(ctx, 'coredns-multicluster: go get coredns', ['get', `github.com/coredns/coredns@${VERSIONS.coredns}`], { cwd: dir });
    await runGo(ctx, 'coredns-multicluster: go mod tidy', ['mod', 'tidy'], { cwd: dir });
    const tmp = path.join(ctx.dirs.bin, '.tmp-coredns-multicluster');
    freshDir(tmp);
    await runGo(ctx, 'coredns-multicluster: go build', ['build', '-v', '-ldflags', '-s -w', '-o', path.join(tmp, 'coredns-multicluster'), '.'], { cwd: dir });
    install(tmp, ctx.dirs, this.outputs);
  },
};

export const COMPONENTS: Component[] = [k8sComponent, etcdComponent, kwokComponent, corednsComponent, corednsMcComponent, fluxComponent, argoCdComponent];

export function isBuilt(dirs: BuildDirs, c: Component): boolean {
  return fs.existsSync(stamp(dirs, c.name)) && c.outputs.every((o) => fs.existsSync(path.join(dirs.bin, o)));
}
