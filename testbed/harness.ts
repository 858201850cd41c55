/**
 * The multi-cluster test bed: N independent Kubernetes control planes on 127.0.0.1 (etcd,
 * kube-apiserver with TLS + token authn + RBAC, kube-controller-manager, kube-scheduler, kwok with
 * fake nodes) plus one CoreDNS per cluster serving cluster.local and clusterset.local on a high
 * port. Every process is spawned detached (its own process group) and recorded in a state file, so
 * any process (CLI, jest globalSetup/teardown, a test worker, the watchdog) can stop it by pid.
 *
 * This module is the bed's public API for scripts and tests; it only re-exports:
 *   state.ts         types of the state file, paths, reading it
 *   processes.ts     pid liveness, log tails
 *   cluster-plan.ts  ports, cluster ids, the default Corefile
 *   control.ts       clients, fault injection, CoreDNS restarts
 *   lifecycle.ts     up, down, status, contract lines
 * (probes.ts and bring-up.ts are internal.)
 *
 * See docs/testbed.md for the layout and the contract.
 */
export { bedDir, clusterOf, COMPONENTS, readState, REPO_ROOT, requireState, statePath } from './state';
export type { BedState, ClusterState, ComponentName, ComponentState, CoreDnsFlavour } from './state';
export { componentAlive, logTail } from './processes';
export { DEFAULT_NODE_POD_CIDR_PREFIX, defaultClusterIds, defaultCorefile, MAX_CLUSTERS, MIN_NODE_POD_CIDR_PREFIX, nodePodCidrs, podIpsPerNode, portBase, validateClusterIds } from './cluster-plan';
export {
  adminClient,
  corednsFlavours,
  restartComponent,
  restartCoreDns,
  runEmittedCorefile,
  serviceAccountKubeconfig,
  startCluster,
  startComponent,
  stopCluster,
  stopComponent,
} from './control';
export type { CoreDnsOptions, StopOptions } from './control';
export { contractLines, down, liveProcesses, ownerIsOtherLiveJest, setWatchdogPid, status, up } from './lifecycle';
export type { StatusReport, UpOptions } from './lifecycle';

export { waitFor } from './kube';
export { ensureBuilt, isComplete } from './build';
