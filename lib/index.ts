// The public API of cdk8s-mcs: re-exports only.
export * from './constructs/fleet';
export * from './constructs/cluster';
export * from './constructs/multi-cluster-stateful-set';
export * from './constructs/stateful-set-member';
export * from './constructs/exported-service';
export * from './constructs/headless-import';
export * from './constructs/coredns-multicluster';
export * from './constructs/literal-secret';
export * from './constructs/crds';
export * from './constructs/workload-props';
export type { FleetOutput } from './constructs/output';
export { Protocol, CoreDnsFlavour } from './fleet/model';
export type { FleetModel, ClusterSpec, ExportSpec, ImportSpec, PortSpec, PlacementSpec, Problem } from './fleet/model';
export * from './fleet/names';
export * from './fleet/manifest';
export { resolvableNames } from './fleet/dns-names';
export type { ResolvableName } from './fleet/dns-names';
export * from './constructs/sync-runner';
