/**
 * The whole-fleet checks and fleet.md look up the exports of every import. With a scan per
 * lookup, a fleet of 50 clusters x 200 exported services (10,000 imports) spent about 40 s in
 * them (the synth benchmark, bench/synth.ts); with lookups by key it is well under a second.
 */
import { checkFleet } from '../../../lib/fleet/checks';
import { renderFleetMarkdown } from '../../../lib/fleet/fleet-md';
import { clusterById, CoreDnsFlavour, exportsOf, ExportSpec, FleetModel, ImportSpec, Protocol } from '../../../lib/fleet/model';
import { DnsMethod } from '../../../lib/fleet/names';

const port = { name: 'tcp', port: 3306, protocol: Protocol.TCP };

function largeModel(clusters: number, servicesPerCluster: number): FleetModel {
  const ids = Array.from({ length: clusters }, (_, i) => `c${i}`);
  const exports: ExportSpec[] = [];
  const imports: ImportSpec[] = [];
  ids.forEach((id, i) => {
    for (let s = 0; s < servicesPerCluster; s++) {
      const key = { namespace: `team-${s % 10}`, name: `db-${id}-${s}` };
      exports.push({ ...key, path: `${key.name}`, kind: 'MultiClusterStatefulSet', headless: true, ports: [port], placements: [{ clusterId: id, replicas: 2, ordinalStart: 0 }], podsKnown: true });
      imports.push({ ...key, path: `${key.name}-import`, consumerIds: [ids[(i + 1) % clusters]], methods: [DnsMethod.AMCS, DnsMethod.CLUSTERSET] });
    }
  });
  return {
    name: 'large',
    clusters: ids.map((id) => ({ path: id, id, kubeContext: id, clusterDomain: 'cluster.local', coreDnsVersion: '1.12.2', coreDnsFlavour: CoreDnsFlavour.IN_TREE, storageClass: 'standard' })),
    exports,
    imports,
  };
}

describe('a fleet of 50 clusters x 200 exported services', () => {
  it('passes the fleet checks and renders fleet.md in seconds, not minutes', () => {
    const model = largeModel(50, 200);
    const started = Date.now();
    expect(checkFleet(model)).toEqual([]);
    const md = renderFleetMarkdown(model, []);
    const elapsedMs = Date.now() - started;
    expect(md).toContain('  e9999_49["export team-9/db-c49-199 x2"]');
    expect(md).toContain('  e9999_49 -- "amcs, clusterset" --> i9999_0');
    expect(md.match(/^\| `db-c\d+-\d+-[01]\./gm)).toHaveLength(40_000); // 2 pods x 2 DNS forms per import
    expect(elapsedMs).toBeLessThan(10_000); // ~0.5 s; the scans took ~40 s on the same machine
  });
});

describe('lookups by key', () => {
  const model = largeModel(3, 2);
  const twice: FleetModel = { ...model, exports: [...model.exports, { ...model.exports[0], path: 'second', placements: [{ clusterId: 'c2', replicas: 1, ordinalStart: 5 }] }] };

  it('gives every export of a service, in declaration order, as a scan does', () => {
    for (const key of [{ namespace: 'team-0', name: 'db-c0-0' }, { namespace: 'team-1', name: 'db-c2-1' }, { namespace: 'nope', name: 'db-c0-0' }]) {
      expect(exportsOf(twice, key)).toEqual(twice.exports.filter((e) => e.namespace === key.namespace && e.name === key.name));
    }
    expect(exportsOf(twice, { namespace: 'team-0', name: 'db-c0-0' }).map((e) => e.path)).toEqual(['db-c0-0', 'second']);
  });

  it('returns a fresh array, so a caller cannot change what the next lookup sees', () => {
    exportsOf(twice, { namespace: 'team-0', name: 'db-c0-0' }).pop();
    expect(exportsOf(twice, { namespace: 'team-0', name: 'db-c0-0' })).toHaveLength(2);
  });

  it('finds clusters by ID', () => {
    expect(clusterById(model, 'c1')?.id).toBe('c1');
    expect(clusterById(model, 'c9')).toBeUndefined();
  });
});
