// The runner's public API, usable without the compiler (no cdk8s import): `import ... from 'cdk8s-mcs/runner'`.
export { SyncController } from './sync/controller';
export type { SyncControllerOptions, LeaderElectionConfig, OnceReport } from './sync/controller';
export { SyncMetrics } from './observe/metrics';
export type { SyncMetricsOptions } from './observe/metrics';
export { createLogger } from './observe/log';
export type { Logger, LogLevel } from './observe/log';
export { startHealthServer } from './observe/server';
export type { HealthSource } from './observe/server';
export { KubeClient } from '../kube/client';
export { clientForContext, loadKubeConfig } from '../kube/connect';
export { parseFleetManifest } from '../fleet/manifest';
export type { FleetManifest } from '../fleet/manifest';
export { applyFleet } from './apply/fleet-apply';
export type { FleetApplyOptions } from './apply/fleet-apply';
