import { DnsMethod } from '../../../lib/fleet/names';
import { EndpointSlice, ServiceImport } from '../../../lib/kube/types';
import { ConsumerView, planConsumer } from '../../../lib/runner/sync/consumer-plan';
import { resolveExports } from '../../../lib/runner/sync/exports';
import { planSlices } from '../../../lib/runner/sync/slices';
import { pod, service, serviceExport } from './fixtures';

const exported = resolveExports([{ clusterId: 'c1', serviceExport: serviceExport('2026-01-01T00:00:00Z'), service: service(), pods: [pod('mysql-0', { ip: '10.0.0.1' })], alive: true }]);
const nothing = resolveExports([]);

function consumer(o: Partial<ConsumerView> = {}): ConsumerView {
  return { clusterId: 'c2', namespaceExists: true, hasAmcsService: false, derivedSlices: [], ...o };
}

const plan = (resolution: typeof exported, view: ConsumerView, preserved: string[] = []) =>
  planConsumer({ namespace: 'db', service: 'mysql', resolution, consumer: view, preservedSources: new Set(preserved) });

const gitopsImport: ServiceImport = { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', metadata: { name: 'mysql', namespace: 'db', uid: 'u1' }, spec: { type: 'Headless', ports: [{ name: 'tcp', port: 3306, protocol: 'TCP' }] } };

describe('planConsumer', () => {
  it('creates the ServiceImport and the MCS slice where the namespace exists and nothing was synced by GitOps', () => {
    const p = plan(exported, consumer());
    expect(p.serviceImportApply?.spec).toEqual({ type: 'Headless', ports: [{ name: 'tcp', port: 3306, protocol: 'TCP' }], ipFamilies: ['IPv4'], sessionAffinity: 'None' });
    expect(p.serviceImportApply?.metadata.labels).toMatchObject({ 'mcs.cdk8s.io/derived-by': 'cdk8s-mcs' });
    expect(p.sliceWrites.map((s) => s.metadata.name)).toEqual(['mysql.c1.clusterset-ipv4-0']);
    expect(p.serviceImportStatus?.clusters).toEqual([{ cluster: 'c1' }]);
  });

  it('writes nothing into a cluster without the namespace', () => {
    const p = plan(exported, consumer({ namespaceExists: false }));
    expect([p.serviceImportApply, p.serviceImportStatus, p.sliceWrites.length]).toEqual([undefined, undefined, 0]);
  });

  it('never changes the spec of a ServiceImport that GitOps synced, but keeps its status true', () => {
    const p = plan(exported, consumer({ serviceImport: gitopsImport }));
    expect(p.serviceImportApply).toBeUndefined();
    expect(p.serviceImportStatus?.clusters).toEqual([{ cluster: 'c1' }]);
  });

  it('adds amcs slices only where the amcs-<svc> Service exists', () => {
    const p = plan(exported, consumer({ hasAmcsService: true }));
    expect(p.sliceWrites.map((s) => s.metadata.name).sort()).toEqual(['amcs-mysql.c1.amcs-ipv4-0', 'mysql.c1.clusterset-ipv4-0']);
  });

  it('removes every derived slice and the derived ServiceImport when the export goes away', () => {
    const first = plan(exported, consumer({ hasAmcsService: true }));
    const derivedImport = { ...first.serviceImportApply!, metadata: { ...first.serviceImportApply!.metadata, uid: 'u2' } };
    const p = plan(nothing, consumer({ hasAmcsService: true, serviceImport: derivedImport, derivedSlices: first.sliceWrites }));
    expect(p.sliceDeletes).toHaveLength(2);
    expect(p.serviceImportDelete?.metadata.uid).toBe('u2');
  });

  it('keeps a GitOps ServiceImport when the export goes away, emptying its status', () => {
    const withStatus = { ...gitopsImport, status: { clusters: [{ cluster: 'c1' }] } };
    const p = plan(nothing, consumer({ serviceImport: withStatus }));
    expect(p.serviceImportDelete).toBeUndefined();
    expect(p.serviceImportStatus?.clusters).toEqual([]);
  });

  describe('an import the runner derived that GitOps later declares', () => {
    const derived = () => {
      const first = plan(exported, consumer()).serviceImportApply!;
      return (writers: object[]): ServiceImport => ({ ...first, metadata: { ...first.metadata, uid: 'u3', managedFields: writers } });
    };
    const ours = { manager: 'cdk8s-mcs-sync', operation: 'Apply' };
    const ourStatus = { manager: 'cdk8s-mcs-sync', operation: 'Apply', subresource: 'status' };
    const argo = { manager: 'argocd-controller', operation: 'Apply' };

    it('is handed over once another manager has written it: labels dropped, spec never applied again', () => {
      const adopted = derived()([ours, ourStatus, argo]);
      const changed = { ...adopted, spec: { ...adopted.spec, ports: [{ name: 'other', port: 1, protocol: 'TCP' }] } };
      const p = plan(exported, consumer({ serviceImport: changed }));
      expect(p.serviceImportRelease?.metadata.uid).toBe('u3');
      expect(p.serviceImportApply).toBeUndefined();
      expect(p.serviceImportStatus?.clusters).toEqual([{ cluster: 'c1' }]);
    });

    it('is kept, its status emptied, when the export goes away', () => {
      const p = plan(nothing, consumer({ serviceImport: derived()([ours, argo]) }));
      expect(p.serviceImportDelete).toBeUndefined();
      expect(p.serviceImportRelease?.metadata.uid).toBe('u3');
      expect(p.serviceImportStatus?.clusters).toEqual([]);
    });

    it('stays the runner\'s while only the runner wrote the object itself (status writers do not count)', () => {
      const p = plan(nothing, consumer({ serviceImport: derived()([ours, ourStatus, { manager: 'someone', operation: 'Update', subresource: 'status' }]) }));
      expect(p.serviceImportDelete?.metadata.uid).toBe('u3');
      expect(p.serviceImportRelease).toBeUndefined();
    });

    it('judges by the runner\'s own field manager when it runs under another', () => {
      const si = derived()([{ manager: 'my-sync', operation: 'Apply' }]);
      const mine = planConsumer({ namespace: 'db', service: 'mysql', resolution: nothing, consumer: consumer({ serviceImport: si }), preservedSources: new Set(), fieldManager: 'my-sync' });
      expect(mine.serviceImportDelete?.metadata.uid).toBe('u3');
      expect(plan(nothing, consumer({ serviceImport: si })).serviceImportRelease?.metadata.uid).toBe('u3');
    });
  });

  it('leaves the slices of a source whose state is unknown untouched', () => {
    const fromC3 = planSlices({ namespace: 'db', service: 'mysql', sourceClusterId: 'c3', method: DnsMethod.CLUSTERSET }, exported.sources[0].endpoints, []).writes;
    const p = plan(exported, consumer({ derivedSlices: fromC3 }), ['c3']);
    expect(p.sliceDeletes).toEqual([]);
    expect(p.serviceImportStatus?.clusters).toEqual([{ cluster: 'c1' }, { cluster: 'c3' }]);
  });

  it('removes a slice carrying our labels that we would not have named so', () => {
    const [real] = plan(exported, consumer()).sliceWrites;
    const impostor: EndpointSlice = { ...real, metadata: { ...real.metadata, name: 'sneaky', uid: 'x' } };
    const p = plan(exported, consumer({ derivedSlices: [impostor] }));
    expect(p.sliceDeletes.map((s) => s.metadata.name)).toEqual(['sneaky']);
    expect(p.sliceWrites.map((s) => s.metadata.name)).toEqual(['mysql.c1.clusterset-ipv4-0']);
  });

  it('writes nothing at all once the consumer is converged', () => {
    const first = plan(exported, consumer({ hasAmcsService: true }));
    const si: ServiceImport = { ...first.serviceImportApply!, status: { clusters: [{ cluster: 'c1' }], conditions: [{ ...first.serviceImportStatus!.conditions[0], lastTransitionTime: 't' }] } };
    const p = plan(exported, consumer({ hasAmcsService: true, serviceImport: si, derivedSlices: first.sliceWrites }));
    expect(p).toEqual({ clusterId: 'c2', namespace: 'db', service: 'mysql', sliceWrites: [], sliceDeletes: [] });
  });

  describe('ClusterSetIP imports', () => {
    const clusterIp = resolveExports([{ clusterId: 'c1', serviceExport: serviceExport('2026-01-01T00:00:00Z'), service: { ...service({ headless: false }), spec: { ...service({ headless: false }).spec, ipFamilies: ['IPv4'], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } } } }, pods: [pod('mysql-0', { ip: '10.0.0.1' })], alive: true }]);

    it('first creates the clusterset-<svc> ClusterIP Service, without a selector, labelled as the runner\'s', () => {
      const p = plan(clusterIp, consumer());
      expect(p.clusterSetServiceApply?.metadata).toMatchObject({ name: 'clusterset-mysql', namespace: 'db', labels: { 'mcs.cdk8s.io/derived-by': 'cdk8s-mcs', 'mcs.cdk8s.io/import-of': 'mysql' } });
      expect(p.clusterSetServiceApply?.spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'ClientIP', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
      expect(p.clusterSetServiceApply?.spec?.selector).toBeUndefined();
      expect(p.serviceImportApply?.spec).toMatchObject({ type: 'ClusterSetIP', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } } });
      expect(p.serviceImportApply?.spec?.ips).toBeUndefined();
    });

    it('takes the import\'s ips and families from the Service once it has them, and labels the MCS slices for kube-proxy', () => {
      const first = plan(clusterIp, consumer());
      const allocated = { ...first.clusterSetServiceApply!, metadata: { ...first.clusterSetServiceApply!.metadata, uid: 's1' }, spec: { ...first.clusterSetServiceApply!.spec, clusterIP: '10.97.0.12', clusterIPs: ['10.97.0.12'], ipFamilies: ['IPv4'] } };
      const p = plan(clusterIp, consumer({ clusterSetService: allocated }));
      expect(p.clusterSetServiceApply).toBeUndefined();
      expect(p.serviceImportApply?.spec).toMatchObject({ ips: ['10.97.0.12'], ipFamilies: ['IPv4'] });
      expect(p.sliceWrites[0].metadata.labels).toMatchObject({ 'kubernetes.io/service-name': 'clusterset-mysql', 'multicluster.kubernetes.io/service-name': 'mysql' });
      expect(p.sliceWrites[0].metadata.labels).not.toHaveProperty('service.kubernetes.io/headless');
    });

    it('deletes its clusterset-<svc> Service when the export goes away', () => {
      const ours = { ...plan(clusterIp, consumer()).clusterSetServiceApply!, metadata: { ...plan(clusterIp, consumer()).clusterSetServiceApply!.metadata, uid: 's1' } };
      expect(plan(nothing, consumer({ clusterSetService: ours })).clusterSetServiceDelete?.metadata.uid).toBe('s1');
      expect(plan(exported, consumer({ clusterSetService: ours })).clusterSetServiceDelete?.metadata.uid).toBe('s1');
    });

    it('keeps its clusterset-<svc> Service while the only source is unknown (within the TTL), like that source\'s slices', () => {
      const first = plan(clusterIp, consumer());
      const ours = { ...first.clusterSetServiceApply!, metadata: { ...first.clusterSetServiceApply!.metadata, uid: 's1' } };
      const p = plan(nothing, consumer({ clusterSetService: ours, derivedSlices: first.sliceWrites }), ['c1']);
      expect([p.clusterSetServiceDelete, p.clusterSetServiceApply, p.sliceDeletes.length]).toEqual([undefined, undefined, 0]);
    });

    it('never touches a clusterset-<svc> Service it did not create, and says so in the import\'s Ready condition', () => {
      const foreign = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'clusterset-mysql', namespace: 'db', uid: 'x' }, spec: { clusterIP: '10.97.0.9', clusterIPs: ['10.97.0.9'] } };
      const p = plan(clusterIp, consumer({ clusterSetService: foreign }));
      expect([p.clusterSetServiceApply, p.clusterSetServiceDelete]).toEqual([undefined, undefined]);
      expect(p.serviceImportApply?.spec?.ips).toBeUndefined();
      expect(p.sliceWrites[0].metadata.labels).not.toHaveProperty('kubernetes.io/service-name');
      expect(p.serviceImportStatus?.conditions[0]).toMatchObject({ status: 'False', reason: 'ClusterSetIPUnavailable' });
      expect(p.serviceImportStatus?.conditions[0].message).toContain('Service db/clusterset-mysql exists and was not created by cdk8s-mcs');
    });

    it('writes nothing more once the Service, the import and the slices are as planned', () => {
      const first = plan(clusterIp, consumer());
      const svc = { ...first.clusterSetServiceApply!, spec: { ...first.clusterSetServiceApply!.spec, clusterIPs: ['10.97.0.12'], ipFamilies: ['IPv4'], internalTrafficPolicy: 'Cluster' } };
      const second = plan(clusterIp, consumer({ clusterSetService: svc }));
      const settled = plan(clusterIp, consumer({ clusterSetService: svc, serviceImport: { ...second.serviceImportApply!, status: second.serviceImportStatus as never }, derivedSlices: second.sliceWrites }));
      expect([settled.clusterSetServiceApply, settled.serviceImportApply, settled.sliceWrites.length, settled.sliceDeletes.length]).toEqual([undefined, undefined, 0, 0]);
    });

    it('puts the exported labels and annotations on the import it creates', () => {
      const labelled = resolveExports([{ clusterId: 'c1', serviceExport: { ...serviceExport('2026-01-01T00:00:00Z'), spec: { exportedLabels: { tier: 'db' }, exportedAnnotations: { note: 'x' } } }, service: service(), pods: [], alive: true }]);
      const p = plan(labelled, consumer());
      expect(p.serviceImportApply?.metadata.labels).toMatchObject({ tier: 'db', 'mcs.cdk8s.io/derived-by': 'cdk8s-mcs' });
      expect(p.serviceImportApply?.metadata.annotations).toEqual({ note: 'x' });
    });
  });
});
