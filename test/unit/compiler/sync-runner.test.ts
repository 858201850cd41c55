import { Fleet, SyncRunner } from '../../../lib';
import { find, objectsOf } from '../support/fleet';

describe('SyncRunner', () => {
  it('is one per fleet', () => {
    const f = new Fleet({ outdir: '/nonexistent' });
    const c = f.addCluster('c');
    new SyncRunner(f, 'r1', { hostCluster: c });
    expect(() => new SyncRunner(f, 'r2', { hostCluster: c })).toThrow('SyncRunner "r2": the fleet already has a SyncRunner (in cluster "c", at r1)');
  });

  const fleet = new Fleet({ name: 'f', outdir: '/nonexistent' });
  fleet.addCluster('a', { kubeContext: 'ctx-a' });
  const b = fleet.addCluster('b');
  new SyncRunner(fleet, 'runner', { hostCluster: b });
  const out = fleet.render();

  it('gives every cluster the runner namespace, ServiceAccount and least-privilege RBAC', () => {
    for (const id of ['a', 'b']) {
      const objs = objectsOf(out, id);
      expect(find(objs, 'Namespace', 'cdk8s-mcs-system')).toBeDefined();
      expect(find(objs, 'ServiceAccount', 'cdk8s-mcs-sync').metadata.namespace).toBe('cdk8s-mcs-system');
      const rules = find(objs, 'ClusterRole', 'cdk8s-mcs-sync').rules;
      const verbs = (group: string, resource: string) => rules.filter((r: any) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r: any) => r.verbs);
      expect(verbs('', 'pods')).toEqual(['list', 'watch']);
      expect(verbs('', 'namespaces')).toEqual(['list', 'watch']);
      expect(verbs('', 'services')).toEqual(['list', 'watch', 'create', 'patch', 'delete']);
      expect(verbs('', 'secrets')).toEqual([]);
      expect(verbs('multicluster.x-k8s.io', 'serviceexports')).toEqual(['list', 'watch']);
      expect(verbs('multicluster.x-k8s.io', 'serviceexports/status')).toEqual(['patch']);
      expect(verbs('discovery.k8s.io', 'endpointslices')).toEqual(['list', 'watch', 'create', 'update', 'delete']);
      expect(rules.some((r: any) => r.verbs.includes('*') || r.resources.includes('*'))).toBe(false);
      const leaseRole = find(objs, 'Role', 'cdk8s-mcs-sync');
      expect(leaseRole.metadata.namespace).toBe('cdk8s-mcs-system');
      expect(leaseRole.rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] }]);
    }
  });

  it('runs the Deployment only in the host cluster, with fleet.json from a ConfigMap and the kubeconfig from a Secret it does not write', () => {
    expect(objectsOf(out, 'a').some((o) => o.kind === 'Deployment')).toBe(false);
    const objs = objectsOf(out, 'b');
    const dep = find(objs, 'Deployment', 'cdk8s-mcs-sync');
    expect(dep.spec.replicas).toBe(2);
    const c = dep.spec.template.spec.containers[0];
    // its args are parsed with the CLI's own spec in test/unit/cli/runner-deployment.test.ts
    expect(c.env).toEqual([{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
    expect(dep.spec.template.spec.volumes).toContainEqual({ name: 'kubeconfig', secret: { secretName: 'cdk8s-mcs-kubeconfig' } });
    const fleetJson = JSON.parse(find(objs, 'ConfigMap', 'cdk8s-mcs-sync-fleet').data['fleet.json']);
    expect(fleetJson.clusters.map((c: any) => [c.id, c.kubeContext])).toEqual([['a', 'ctx-a'], ['b', 'b']]);
    expect(fleetJson.runner).toEqual({ hostClusterId: 'b', namespace: 'cdk8s-mcs-system' });
    expect(objs.some((o) => o.kind === 'Secret')).toBe(false);
  });
});
