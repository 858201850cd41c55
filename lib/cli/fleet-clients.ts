/** Reads `dist/fleet.json` and the kubeconfig, and makes one client per fleet cluster. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FleetManifest, parseFleetManifest } from '../fleet/manifest';
import { KubeClient } from '../kube/client';
import { clientForContext, loadKubeConfig } from '../kube/connect';

export interface FleetConnectionOptions {
  readonly dist: string;
  readonly kubeconfig?: string;
  /** cluster ID -> kubeconfig context, overriding fleet.json. */
  readonly contextMap?: Readonly<Record<string, string>>;
  /** Restrict to these cluster IDs. */
  readonly only?: readonly string[];
}

export function readFleetManifest(dist: string): FleetManifest {
  const file = path.join(dist, 'fleet.json');
  if (!fs.existsSync(file)) {
    throw new Error(`${file} not found: run "npm run synth" (or pass --dist pointing at the synth output)`);
  }
  return parseFleetManifest(fs.readFileSync(file, 'utf8'), file);
}

export function connectFleet(o: FleetConnectionOptions): { fleet: FleetManifest; clients: Map<string, KubeClient> } {
  const fleet = readFleetManifest(o.dist);
  const unknown = Object.keys(o.contextMap ?? {}).filter((id) => !fleet.clusters.some((c) => c.id === id));
  if (unknown.length > 0) {
    throw new Error(`--context-map names clusters that are not in the fleet: ${unknown.join(', ')} (fleet: ${fleet.clusters.map((c) => c.id).join(', ')})`);
  }
  const kc = loadKubeConfig(o.kubeconfig);
  const clients = new Map<string, KubeClient>();
  for (const c of fleet.clusters.filter((x) => !o.only || o.only.includes(x.id))) {
    clients.set(c.id, clientForContext(kc, o.contextMap?.[c.id] ?? c.kubeContext, c.id));
  }
  return { fleet, clients };
}
