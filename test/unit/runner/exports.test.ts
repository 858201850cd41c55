import { ProviderView, resolveExports } from '../../../lib/runner/sync/exports';
import { Service } from '../../../lib/kube/types';
import { pod, service, serviceExport } from './fixtures';

function view(clusterId: string, o: Partial<ProviderView> = {}): ProviderView {
  return { clusterId, serviceExport: serviceExport('2026-01-01T00:00:00Z'), service: service(), pods: [pod('mysql-0', { ip: `10.${clusterId.length}.0.1` })], alive: true, ...o };
}

const withSpec = (s: Service, spec: Partial<NonNullable<Service['spec']>>): Service => ({ ...s, spec: { ...s.spec, ...spec } });

const condition = (r: ReturnType<typeof resolveExports>, cluster: string, type: string) => r.exportConditions.get(cluster)!.find((c) => c.type === type);

describe('resolveExports', () => {
  it('makes a headless Service a Headless import with its ports and pods', () => {
    const r = resolveExports([view('c1')]);
    expect(r.importType).toBe('Headless');
    expect(r.ports).toEqual([{ name: 'tcp', port: 3306, protocol: 'TCP' }]);
    expect(r.sources.map((s) => [s.clusterId, s.endpoints.map((e) => e.hostname)])).toEqual([['c1', ['mysql-0']]]);
    expect(condition(r, 'c1', 'Valid')).toMatchObject({ status: 'True', reason: 'Valid' });
    expect(condition(r, 'c1', 'Conflict')).toMatchObject({ status: 'False', reason: 'NoConflicts' });
  });

  it('marks an export of a missing Service invalid (NoService) and exports nothing', () => {
    const r = resolveExports([view('c1', { service: undefined })]);
    expect(r.importType).toBeUndefined();
    expect(r.sources).toEqual([]);
    expect(condition(r, 'c1', 'Valid')).toMatchObject({ status: 'False', reason: 'NoService' });
  });

  it('refuses ExternalName Services with InvalidServiceType', () => {
    const r = resolveExports([view('c1', { service: service({ type: 'ExternalName' }) })]);
    expect(condition(r, 'c1', 'Valid')).toMatchObject({ status: 'False', reason: 'InvalidServiceType' });
  });

  it('ignores clusters without a ServiceExport even when they have the Service', () => {
    const r = resolveExports([view('c1'), view('c2', { serviceExport: undefined })]);
    expect(r.sources.map((s) => s.clusterId)).toEqual(['c1']);
    expect(r.exportConditions.has('c2')).toBe(false);
  });

  it('serves the pods of every cluster exporting the same headless service', () => {
    const r = resolveExports([view('c1'), view('c22')]);
    expect(r.sources.map((s) => s.clusterId)).toEqual(['c1', 'c22']);
  });

  it('raises PortConflict on every export when ports disagree, and the oldest export wins', () => {
    const older = view('c2', { serviceExport: serviceExport('2026-01-01T00:00:00Z'), service: service({ ports: [{ name: 'tcp', port: 3307 }] }) });
    const newer = view('c1', { serviceExport: serviceExport('2026-02-01T00:00:00Z') });
    const r = resolveExports([newer, older]);
    expect(r.ports).toEqual([{ name: 'tcp', port: 3307, protocol: 'TCP' }]);
    for (const c of ['c1', 'c2']) {
      expect(condition(r, c, 'Conflict')).toMatchObject({ status: 'True', reason: 'PortConflict' });
      expect(condition(r, c, 'Conflict')!.message).toContain('using the oldest export, from "c2"');
    }
    expect(r.sources.map((s) => s.clusterId).sort()).toEqual(['c1', 'c2']);
  });

  it('raises TypeConflict when one cluster exports a cluster-IP Service, and serves only the winning type', () => {
    const r = resolveExports([view('c1'), view('c2', { serviceExport: serviceExport('2026-03-01T00:00:00Z'), service: service({ headless: false }) })]);
    expect(r.importType).toBe('Headless');
    expect(condition(r, 'c2', 'Conflict')).toMatchObject({ status: 'True', reason: 'TypeConflict' });
    expect(r.sources.map((s) => s.clusterId)).toEqual(['c1']);
  });

  it('unions ports that do not clash, and still raises PortConflict because the port sets differ (v1beta1)', () => {
    const r = resolveExports([view('c1'), view('c2', { serviceExport: serviceExport('2026-03-01T00:00:00Z'), service: service({ ports: [{ name: 'tcp', port: 3306 }, { name: 'admin', port: 33062 }] }) })]);
    expect(r.ports.map((p) => p.name)).toEqual(['tcp', 'admin']);
    for (const c of ['c1', 'c2']) {
      expect(condition(r, c, 'Conflict')).toMatchObject({ status: 'True', reason: 'PortConflict' });
    }
  });

  it('raises no conflict when the same ports are listed in another order', () => {
    const ports = [{ name: 'tcp', port: 3306 }, { name: 'admin', port: 33062 }];
    const r = resolveExports([view('c1', { service: service({ ports }) }), view('c2', { serviceExport: serviceExport('2026-03-01T00:00:00Z'), service: service({ ports: [...ports].reverse() }) })]);
    expect(condition(r, 'c2', 'Conflict')).toMatchObject({ status: 'False', reason: 'NoConflicts' });
  });

  it('takes session affinity, traffic policies and IP families from the oldest export, and names every property that disagrees', () => {
    const older = view('c1', { service: withSpec(service({ headless: false }), { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } }, internalTrafficPolicy: 'Local', trafficDistribution: 'PreferClose', ipFamilies: ['IPv4'] }) });
    const newer = view('c2', { serviceExport: serviceExport('2026-03-01T00:00:00Z'), service: withSpec(service({ headless: false }), { sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv6'] }) });
    const r = resolveExports([newer, older]);
    expect(r.properties).toMatchObject({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } }, internalTrafficPolicy: 'Local', trafficDistribution: 'PreferClose', ipFamilies: ['IPv4'] });
    const conflict = condition(r, 'c2', 'Conflict')!;
    expect(conflict.reason).toBe('IPFamilyConflict,InternalTrafficPolicyConflict,SessionAffinityConfigConflict,SessionAffinityConflict,TrafficDistributionConflict');
    expect(conflict.message).toContain('Conflicting session affinity, session affinity config, internal traffic policy, traffic distribution and IP families: using the oldest export, from "c1". 1/2 clusters disagree: c2');
  });

  it('carries the oldest export\'s exported labels and annotations, with LabelsConflict and AnnotationsConflict when exports disagree', () => {
    const exporting = (created: string, label: string) => ({ ...serviceExport(created), spec: { exportedLabels: { [label]: 'true' }, exportedAnnotations: { [label]: 'a' } } });
    const r = resolveExports([view('c1', { serviceExport: exporting('2026-01-01T00:00:00Z', 'one') }), view('c2', { serviceExport: exporting('2026-03-01T00:00:00Z', 'two') })]);
    expect(r.properties).toMatchObject({ labels: { one: 'true' }, annotations: { one: 'a' } });
    expect(condition(r, 'c1', 'Conflict')).toMatchObject({ status: 'True', reason: 'AnnotationsConflict,LabelsConflict' });
  });

  it('defaults session affinity to None, so a defaulted and an explicit None agree', () => {
    const r = resolveExports([view('c1'), view('c2', { serviceExport: serviceExport('2026-03-01T00:00:00Z'), service: withSpec(service(), { sessionAffinity: 'None' }) })]);
    expect(r.properties?.sessionAffinity).toBe('None');
    expect(condition(r, 'c2', 'Conflict')!.status).toBe('False');
  });

  it('drops an expired cluster, or keeps its endpoints not ready when asked to', () => {
    expect(resolveExports([view('c1', { alive: false })]).sources).toEqual([]);
    const kept = resolveExports([view('c1', { alive: false })], { expiredEndpoints: 'not-ready' });
    expect(kept.sources[0].endpoints.map((e) => [e.ready, e.serving])).toEqual([[false, false]]);
  });
});
