import { find, objectsOf, referenceFleet } from '../support/fleet';

describe('the reference scenario', () => {
  const { fleet } = referenceFleet();
  const output = fleet.render();
  const provider = objectsOf(output, 'cluster-1');
  const consumer = objectsOf(output, 'cluster-2');

  it('gives cluster-1 a headless mysql Service in provider-ns selecting the pods', () => {
    const svc = find(provider, 'Service', 'mysql');
    expect(svc.metadata.namespace).toBe('provider-ns');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.selector).toEqual({ app: 'mysql' });
    expect(svc.spec.ports).toEqual([{ name: 'tcp', port: 3306, protocol: 'TCP', targetPort: 3306 }]);
    expect(svc.metadata.labels.app).toBe('mysql');
  });

  it('gives cluster-1 a two-replica StatefulSet whose serviceName is the headless Service', () => {
    const sts = find(provider, 'StatefulSet', 'mysql');
    expect(sts.metadata.namespace).toBe('provider-ns');
    expect(sts.spec.replicas).toBe(2);
    expect(sts.spec.serviceName).toBe('mysql');
    expect(sts.spec.selector.matchLabels).toEqual({ app: 'mysql' });
    expect(sts.spec.template.metadata.labels.app).toBe('mysql');
    const pod = sts.spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(10);
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    expect(c.image).toBe('mysql:5.6');
    expect(c.ports).toEqual([{ name: 'tcp', containerPort: 3306, protocol: 'TCP' }]);
    expect(c.env).toEqual([{ name: 'MYSQL_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: 'mysecret', key: 'ROOT_PASSWORD' } } }]);
    expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/mysql' }]);
  });

  it('claims 50Gi ReadWriteOnce per pod from the cluster storage class, and retains claims', () => {
    const sts = find(provider, 'StatefulSet', 'mysql');
    expect(sts.spec.volumeClaimTemplates).toEqual([
      { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '50Gi' } } } },
    ]);
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });

  it('uses database-friendly defaults: no forced non-root, no read-only root, no limits', () => {
    const c = find(provider, 'StatefulSet', 'mysql').spec.template.spec.containers[0];
    expect(c.securityContext).toBeUndefined();
    expect(c.resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' } });
    expect(find(provider, 'StatefulSet', 'mysql').spec.podManagementPolicy).toBe('OrderedReady');
  });

  it('exports mysql from cluster-1 with a ServiceExport of the same name', () => {
    const exp = find(provider, 'ServiceExport', 'mysql');
    expect(exp.apiVersion).toBe('multicluster.x-k8s.io/v1alpha1');
    expect(exp.metadata.namespace).toBe('provider-ns');
  });

  it('writes no Secret anywhere: the password comes from a Secret created out of band', () => {
    expect([...provider, ...consumer].filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('imports mysql into cluster-2 as a Headless ServiceImport with the exported ports', () => {
    const imp = find(consumer, 'ServiceImport', 'mysql');
    expect(imp.apiVersion).toBe('multicluster.x-k8s.io/v1alpha1');
    expect(imp.metadata.namespace).toBe('provider-ns');
    expect(imp.spec).toEqual({ type: 'Headless', ports: [{ name: 'tcp', port: 3306, protocol: 'TCP' }] });
  });

  it('gives cluster-2 a selector-less headless amcs-mysql Service with the same ports', () => {
    const svc = find(consumer, 'Service', 'amcs-mysql');
    expect(svc.metadata.namespace).toBe('provider-ns');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.selector).toBeUndefined();
    expect(svc.spec.ports).toEqual([{ name: 'tcp', port: 3306, protocol: 'TCP' }]);
    expect(svc.metadata.labels['mcs.cdk8s.io/import-of']).toBe('mysql');
  });

  it('creates the namespace in both clusters (namespace sameness)', () => {
    expect(find(provider, 'Namespace', 'provider-ns')).toBeDefined();
    expect(find(consumer, 'Namespace', 'provider-ns')).toBeDefined();
  });

  it('patches only the consumer CoreDNS for clusterset.local, with RBAC for ServiceImports', () => {
    const cm = find(consumer, 'ConfigMap', 'coredns');
    expect(cm.metadata.namespace).toBe('kube-system');
    expect(cm.data.Corefile).toMatch(/kubernetes cluster\.local clusterset\.local/);
    expect(cm.data.Corefile).toMatch(/multicluster clusterset\.local/);
    const role = find(consumer, 'ClusterRole', 'cdk8s-mcs-coredns-serviceimports');
    expect(role.rules).toEqual([{ apiGroups: ['multicluster.x-k8s.io'], resources: ['serviceimports'], verbs: ['list', 'watch'] }]);
    const binding = find(consumer, 'ClusterRoleBinding', 'cdk8s-mcs-coredns-serviceimports');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' }]);
    expect(provider.some((o) => o.kind === 'ConfigMap')).toBe(false);
  });

  it('writes the cluster ID into each cluster as the KEP-2149 ClusterProperty', () => {
    expect(find(provider, 'ClusterProperty', 'cluster.clusterset.k8s.io').spec).toEqual({ value: 'cluster-1' });
    expect(find(consumer, 'ClusterProperty', 'cluster.clusterset.k8s.io').spec).toEqual({ value: 'cluster-2' });
    expect(find(consumer, 'ClusterProperty', 'clusterset.k8s.io').spec).toEqual({ value: 'reference' });
    expect(find(consumer, 'ClusterProperty', 'cluster.clusterset.k8s.io').metadata.namespace).toBeUndefined();
  });

  it('orders each cluster for a clean apply: CRDs, namespaces, RBAC, ..., the CoreDNS change last', () => {
    const kinds = consumer.map((o) => o.kind);
    const first = (k: string) => kinds.indexOf(k);
    expect(first('CustomResourceDefinition')).toBe(0);
    expect(first('Namespace')).toBeGreaterThan(kinds.lastIndexOf('CustomResourceDefinition'));
    expect(first('ClusterRole')).toBeGreaterThan(first('Namespace'));
    expect(kinds[kinds.length - 1]).toBe('ConfigMap');
    expect(consumer[consumer.length - 1].metadata.name).toBe('coredns');
  });

  it('puts no namespace on cluster-scoped objects', () => {
    const clusterScoped = ['CustomResourceDefinition', 'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ClusterProperty'];
    for (const o of [...provider, ...consumer].filter((x) => clusterScoped.includes(x.kind))) {
      expect(o.metadata.namespace).toBeUndefined();
    }
  });

  it('renders byte-identical output twice', () => {
    const again = referenceFleet().fleet.render();
    expect([...again.files.entries()]).toEqual([...output.files.entries()]);
  });

  it('lists every resolvable DNS name in fleet.md', () => {
    const md = output.files.get('fleet.md')!;
    for (const pod of ['mysql-0', 'mysql-1']) {
      expect(md).toContain(`\`${pod}.amcs-mysql.provider-ns.svc.cluster.local\``);
      expect(md).toContain(`\`${pod}.cluster-1.mysql.provider-ns.svc.clusterset.local\``);
    }
    expect(md).toContain('```mermaid');
  });

  it('describes the clusters for the runner in fleet.json', () => {
    expect(JSON.parse(output.files.get('fleet.json')!)).toEqual({
      apiVersion: 'mcs.cdk8s.io/v1alpha1',
      kind: 'Fleet',
      name: 'reference',
      clusters: [
        { id: 'cluster-1', kubeContext: 'cluster-1', clusterDomain: 'cluster.local' },
        { id: 'cluster-2', kubeContext: 'cluster-2', clusterDomain: 'cluster.local' },
      ],
      exports: { 'provider-ns/mysql': ['cluster-1'] },
      imports: { 'provider-ns/mysql': ['cluster-2'] },
      coreDns: {
        'cluster-1': { version: '1.12.2', flavour: 'in-tree', config: 'corefile' },
        'cluster-2': { version: '1.12.2', flavour: 'in-tree', config: 'corefile' },
      },
    });
  });
});
