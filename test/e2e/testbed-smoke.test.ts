/**
 * Smoke tests proving the test bed is real: real StatefulSet/EndpointSlice controllers, real
 * scheduler, kwok pod IPs, real CoreDNS answers (exact IPs), and the hand-written MCS contract in
 * the consumer cluster that the reconcile runner will later produce.
 */
import * as tb from './support/testbed';

const bed = tb.bed();
const [provider, consumer] = bed.clusterIds;
const mgr = 'testbed-e2e.cdk8s-mcs.io'; // a non-default endpointslice.kubernetes.io/managed-by
let ns = '';
const podIps: Record<string, string> = {};

// the serviceimports rule the compiler emits for CoreDNS; the bed deliberately does not install it
const serviceImportRbac = (name: string, serviceAccount: string, roleName = name): tb.KubeObject[] => [
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: roleName },
    rules: [{ apiGroups: ['multicluster.x-k8s.io'], resources: ['serviceimports'], verbs: ['list', 'watch'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: 'kube-system' }],
  },
];
const RBAC_NAME = 'e2e:coredns-serviceimports';

beforeAll(async () => {
  expect(bed.clusterIds.length).toBeGreaterThanOrEqual(2);
  ns = await tb.createNamespace('smoke');
});

afterAll(async () => {
  await tb.deleteNamespace(ns);
  tb.closeClients();
});

describe('test bed smoke', () => {
  test('the bed: one kubeconfig context per cluster, RBAC on, distinct CIDRs, project CRDs installed', async () => {
    for (const id of bed.clusterIds) {
      const c = bed.cluster(id);
      expect(c.context).toBe(id);
      const k = tb.client(id);
      // the MCS CRDs from crds/ (CoreDNS reads ServiceImport v1alpha1)
      for (const name of ['serviceimports.multicluster.x-k8s.io', 'serviceexports.multicluster.x-k8s.io']) {
        const crd = await k.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', name);
        expect(crd.spec.versions.map((v: { name: string }) => v.name)).toContain('v1alpha1');
        expect(crd.status.conditions).toContainEqual(expect.objectContaining({ type: 'Established', status: 'True' }));
      }
      // every CRD in crds/ was accepted (the apiserver once refused ClusterProperty: protected group without approval annotation)
      expect(bed.state.crdErrors ?? []).toEqual([]);
      const cp = await k.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'clusterproperties.about.k8s.io');
      expect(cp.status.conditions).toContainEqual(expect.objectContaining({ type: 'Established', status: 'True' }));
      const svc = await k.get('v1', 'Service', 'kubernetes', 'default');
      expect(svc.spec.clusterIP).toBe(c.kubernetesServiceIp);
      // RBAC authorization is real: kubeadm's stock system:coredns role (no serviceimports rule) bound to the coredns SA
      const role = await k.get('rbac.authorization.k8s.io/v1', 'ClusterRole', 'system:coredns');
      expect(JSON.stringify(role.rules)).not.toContain('serviceimports');
      const can = async (verb: string, group: string, resource: string) =>
        (
          await k.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SubjectAccessReview',
            spec: { user: 'system:serviceaccount:kube-system:coredns', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'], resourceAttributes: { verb, group, resource } },
          })
        ).status.allowed;
      expect(await can('list', 'discovery.k8s.io', 'endpointslices')).toBe(true);
      expect(await can('delete', '', 'services')).toBe(false);
    }
    const cidrs = bed.clusterIds.map((id) => bed.cluster(id).podCidr);
    expect(new Set(cidrs).size).toBe(cidrs.length);
    // client-node works against the bed too (typed API, kubeconfig context = cluster id)
    const k8s = await import('@kubernetes/client-node');
    const kc = await tb.kubeConfig(provider);
    const nsList = await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
    expect(nsList.items.map((n) => n.metadata?.name)).toContain(ns);
  });

  test(`StatefulSet in ${provider}: real controllers + kwok give mysql-0/1 IPs and CoreDNS answers mysql-0.mysql.<ns>.svc.cluster.local`, async () => {
    const k = tb.client(provider);
    await tb.apply(
      provider,
      `
apiVersion: v1
kind: Service
metadata: {name: mysql}
spec:
  clusterIP: None
  selector: {app: mysql}
  ports: [{name: mysql, port: 3306}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: mysql}
spec:
  serviceName: mysql
  replicas: 2
  selector: {matchLabels: {app: mysql}}
  template:
    metadata: {labels: {app: mysql}}
    spec:
      containers: [{name: mysql, image: mysql:8.4, ports: [{name: mysql, containerPort: 3306}]}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`,
      ns,
    );
    const pods = await tb.waitFor(
      'mysql-0 and mysql-1 Running with pod IPs',
      async () => {
        const list = await k.list('v1', 'Pod', ns, 'app=mysql');
        const ready = list.filter((p: any) => p.status?.phase === 'Running' && p.status?.podIP);
        return ready.length === 2 ? ready : undefined;
      },
      { timeoutMs: 90000 },
    );
    const podCidrPrefix = bed.cluster(provider).podCidr.split('.').slice(0, 2).join('.') + '.';
    for (const name of ['mysql-0', 'mysql-1']) {
      const p = pods.find((x: any) => x.metadata.name === name);
      expect(p).toBeDefined();
      expect(p.metadata.ownerReferences[0]).toMatchObject({ kind: 'StatefulSet', name: 'mysql', controller: true }); // the StatefulSet controller made it
      expect(bed.cluster(provider).nodes).toContain(p.spec.nodeName); // the scheduler bound it to a kwok node
      expect(p.spec.hostname).toBe(name);
      expect(p.spec.subdomain).toBe('mysql');
      expect(p.status.podIP.startsWith(podCidrPrefix)).toBe(true); // kwok's IP from this cluster's pod CIDR
      podIps[name] = p.status.podIP;
    }
    expect(podIps['mysql-0']).not.toBe(podIps['mysql-1']);
    // volume claims bound by kwok's volume stages (default StorageClass kwok-volume)
    for (const pvc of ['data-mysql-0', 'data-mysql-1']) {
      await tb.waitFor(`PVC ${pvc} Bound`, async () => (await k.get('v1', 'PersistentVolumeClaim', pvc, ns)).status?.phase === 'Bound', { timeoutMs: 30000 });
    }
    // the real EndpointSlice controller wrote the slice with hostnames
    const slice = await tb.waitFor(
      'EndpointSlice of mysql with both hostnames',
      async () => {
        const slices = await k.list('discovery.k8s.io/v1', 'EndpointSlice', ns, 'kubernetes.io/service-name=mysql');
        const s = slices.find((x: any) => (x.endpoints ?? []).filter((e: any) => e.hostname && e.conditions?.ready).length === 2);
        return s;
      },
      { timeoutMs: 60000 },
    );
    expect(slice.metadata.labels['endpointslice.kubernetes.io/managed-by']).toBe('endpointslice-controller.k8s.io');
    const byHost = Object.fromEntries(slice.endpoints.map((e: any) => [e.hostname, e.addresses]));
    expect(byHost).toEqual({ 'mysql-0': [podIps['mysql-0']], 'mysql-1': [podIps['mysql-1']] });

    // real CoreDNS, exact answers
    await tb.waitForDns(provider, `mysql-0.mysql.${ns}.svc.cluster.local`, [podIps['mysql-0']]);
    await tb.waitForDns(provider, `mysql-1.mysql.${ns}.svc.cluster.local`, [podIps['mysql-1']]);
    await tb.waitForDns(provider, `mysql.${ns}.svc.cluster.local`, [podIps['mysql-0'], podIps['mysql-1']]);
    // No such pod: no answer. (NXDOMAIN once CoreDNS's multicluster informer is synced; SERVFAIL
    // while it cannot sync, i.e. while this cluster lacks the serviceimports RBAC — see the next test.)
    const missing = await tb.dnsQuery(provider, `mysql-2.mysql.${ns}.svc.cluster.local`);
    expect(missing.answers).toEqual([]);
    expect(['NXDOMAIN', 'SERVFAIL']).toContain(missing.outcome);
  });

  test(`MCS by hand in ${consumer}: ServiceImport + MCS EndpointSlice (+ serviceimports RBAC) and amcs-mysql resolve to ${provider}'s pod IPs`, async () => {
    expect(podIps['mysql-0']).toBeDefined();
    const k = tb.client(consumer);
    const clustersetName = `mysql-0.${provider}.mysql.${ns}.svc.clusterset.local`;
    const amcsName = `mysql-0.amcs-mysql.${ns}.svc.cluster.local`;

    // The "RBAC mistake" half runs CoreDNS as a fresh ServiceAccount that has only kubeadm's stock
    // system:coredns role: other test files may already have given kube-system/coredns the
    // serviceimports rule, this identity is guaranteed not to have it.
    const probeSa = 'e2e-smoke-dns';
    await k.delete('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', `${RBAC_NAME}:${probeSa}`);
    await tb.apply(consumer, [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: probeSa, namespace: 'kube-system' } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `e2e:${probeSa}:stock` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
        subjects: [{ kind: 'ServiceAccount', name: probeSa, namespace: 'kube-system' }],
      },
    ]);
    const c2 = bed.cluster(consumer);
    const probeKubeconfig = await tb.serviceAccountKubeconfig(consumer, 'kube-system', probeSa);
    await tb.restartCoreDns(consumer, tb.defaultCorefile({ ...c2, coredns: { ...c2.coredns, kubeconfig: probeKubeconfig, kubeconfigContext: consumer } }));
    const ready = async () => (await fetch(`http://127.0.0.1:${c2.ports.corednsReady}/ready`)).status;

    await tb.apply(
      consumer,
      [
        {
          apiVersion: 'multicluster.x-k8s.io/v1alpha1',
          kind: 'ServiceImport',
          metadata: { name: 'mysql' },
          spec: { type: 'Headless', ports: [{ name: 'mysql', protocol: 'TCP', port: 3306 }] },
        },
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name: `mysql-${provider}`,
            labels: {
              'multicluster.kubernetes.io/service-name': 'mysql',
              'multicluster.kubernetes.io/source-cluster': provider,
              'endpointslice.kubernetes.io/managed-by': mgr,
            },
          },
          addressType: 'IPv4',
          ports: [{ name: 'mysql', protocol: 'TCP', port: 3306 }],
          endpoints: ['mysql-0', 'mysql-1'].map((h) => ({ addresses: [podIps[h]], hostname: h, conditions: { ready: true } })),
        },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'amcs-mysql' }, spec: { clusterIP: 'None', ports: [{ name: 'mysql', protocol: 'TCP', port: 3306 }] } },
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name: `amcs-mysql-${provider}`,
            labels: { 'kubernetes.io/service-name': 'amcs-mysql', 'endpointslice.kubernetes.io/managed-by': mgr, 'service.kubernetes.io/headless': '' },
          },
          addressType: 'IPv4',
          ports: [{ name: 'mysql', protocol: 'TCP', port: 3306 }],
          endpoints: ['mysql-0', 'mysql-1'].map((h) => ({ addresses: [podIps[h]], hostname: h, conditions: { ready: true } })),
        },
      ],
      ns,
    );

    // Without the serviceimports rule CoreDNS's multicluster informer cannot sync: the clusterset
    // name gets SERVFAIL, unknown names SERVFAIL instead of NXDOMAIN, /ready stays 503, while
    // cluster.local names that exist still resolve.
    await tb.waitForDns(consumer, amcsName, [podIps['mysql-0']]);
    expect(await tb.dnsQuery(consumer, clustersetName)).toMatchObject({ outcome: 'SERVFAIL', answers: [] });
    expect(await tb.dnsQuery(consumer, `mysql-2.amcs-mysql.${ns}.svc.cluster.local`)).toMatchObject({ outcome: 'SERVFAIL', answers: [] });
    expect(await ready()).toBe(503);

    // The hand-written RBAC (what the compiler emits): serviceimports list/watch for the coredns
    // ServiceAccount — bound to the probe identity too, which then syncs without a restart.
    await tb.apply(consumer, serviceImportRbac(RBAC_NAME, 'coredns'));
    await tb.apply(consumer, serviceImportRbac(`${RBAC_NAME}:${probeSa}`, probeSa, RBAC_NAME).slice(1));
    await tb.waitForDns(consumer, clustersetName, [podIps['mysql-0']], 90000);
    expect(await tb.dnsQuery(consumer, `mysql-2.amcs-mysql.${ns}.svc.cluster.local`)).toMatchObject({ outcome: 'NXDOMAIN', answers: [] });
    await tb.waitFor('CoreDNS /ready 200', async () => (await ready()) === 200, { timeoutMs: 30000 });

    // The contract proper: CoreDNS as kube-system/coredns (the bed's default) answers every name.
    await tb.restartCoreDns(consumer);
    await tb.waitForDns(consumer, clustersetName, [podIps['mysql-0']], 90000);
    await tb.waitForDns(consumer, `mysql-1.${provider}.mysql.${ns}.svc.clusterset.local`, [podIps['mysql-1']]);
    await tb.waitForDns(consumer, `mysql.${ns}.svc.clusterset.local`, [podIps['mysql-0'], podIps['mysql-1']]);
    // synced: unknown names are NXDOMAIN, not SERVFAIL
    expect(await tb.dnsQuery(consumer, `mysql-0.no-such-cluster.mysql.${ns}.svc.clusterset.local`)).toMatchObject({ outcome: 'NXDOMAIN', answers: [] });
    expect(await tb.dnsQuery(consumer, `mysql-2.amcs-mysql.${ns}.svc.cluster.local`)).toMatchObject({ outcome: 'NXDOMAIN', answers: [] });

    // Selector-less headless amcs-mysql + its slice: answered from cluster.local.
    await tb.waitForDns(consumer, amcsName, [podIps['mysql-0']]);
    await tb.waitForDns(consumer, `mysql-1.amcs-mysql.${ns}.svc.cluster.local`, [podIps['mysql-1']]);
  });

  test(`fault injection: kill -9 ${provider}'s kube-apiserver and etcd, bring them back with their state`, async () => {
    await tb.stopComponent(provider, 'kube-apiserver', { signal: 'SIGKILL' });
    await tb.stopComponent(provider, 'etcd', { signal: 'SIGKILL' });
    await expect(tb.client(provider).get('apps/v1', 'StatefulSet', 'mysql', ns)).rejects.toThrow();
    await tb.startCluster(provider);
    const sts = await tb.waitFor<any>('StatefulSet back after restart', () => tb.client(provider).tryGet('apps/v1', 'StatefulSet', 'mysql', ns), { timeoutMs: 60000 });
    expect(sts.spec.replicas).toBe(2);
    await tb.waitForDns(provider, `mysql-0.mysql.${ns}.svc.cluster.local`, [podIps['mysql-0']], 60000);
    // CoreDNS kept running; right after the restart its watches got connection resets and
    // 403s (the new apiserver serves before its RBAC cache is filled) and back off for up to
    // ~30 s. It must catch up with an object created after the restart.
    await tb.apply(provider, [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'after-restart' }, spec: { clusterIP: 'None', ports: [{ name: 'p', port: 80 }] } },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'after-restart-1', labels: { 'kubernetes.io/service-name': 'after-restart', 'endpointslice.kubernetes.io/managed-by': mgr } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.10.200.1'], hostname: 'h0', conditions: { ready: true } }],
      },
    ], ns);
    await tb.waitForDns(provider, `h0.after-restart.${ns}.svc.cluster.local`, ['10.10.200.1'], 120000);
  });
});
