/**
 * Pod-template control against a real API server: a fleet whose StatefulSet uses init containers,
 * a ConfigMap volume, anti-affinity, tolerations and a per-cluster override is synthesized, and
 * each provider cluster's StatefulSet (with its Service and ConfigMap) is server-side applied as a
 * dry run (`dryRun=All`, `fieldValidation=Strict`: an unknown or dropped field is an error) on the
 * bed's kube-apiserver. Nothing is persisted but the test's own namespace, deleted afterwards.
 */
import { Duration, Size } from 'cdk8s';
import { Cpu, k8s, StatefulSetUpdateStrategy } from 'cdk8s-plus-28';
import { MultiClusterStatefulSet } from '../../lib';
import { distObjects, renderFleetDist, removeRenderedDists } from './support/fleet-run';
import * as tb from './support/testbed';

const [c1, c2] = ['cluster-1', 'cluster-2'];
const ns = tb.uniqueName('podtpl');
let dist: string;

/** Server-side apply of one object as a dry run with strict field validation; returns what the API server would store. */
async function dryRunApply(clusterId: string, obj: tb.KubeObject): Promise<any> {
  const client = tb.client(clusterId);
  const path = await client.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
  return client.request('PATCH', `${path}?fieldManager=cdk8s-mcs-e2e&force=true&dryRun=All&fieldValidation=Strict`, obj, 'application/apply-patch+yaml');
}

beforeAll(() => {
  dist = renderFleetDist((fleet) => {
    const a = fleet.addCluster(c1, { storageClass: 'standard' });
    const b = fleet.addCluster(c2, { storageClass: 'standard' });
    for (const cluster of [a, b]) {
      new k8s.KubeConfigMap(cluster, 'mysql-conf', { metadata: { name: 'mysql-conf', namespace: ns }, data: { 'my.cnf': '[mysqld]\nmax_connections = 200\n' } });
    }
    new MultiClusterStatefulSet(fleet, 'mysql', {
      namespace: ns,
      image: 'mysql:8.4',
      ports: [{ name: 'tcp', port: 3306 }],
      secretEnv: [{ name: 'MYSQL_ROOT_PASSWORD', secretName: 'mysecret', key: 'ROOT_PASSWORD' }],
      volumeClaims: [{ name: 'data', mountPath: '/var/lib/mysql', size: Size.gibibytes(10) }],
      resources: { cpuRequest: Cpu.millis(500), memoryRequest: Size.gibibytes(1) },
      initContainers: [{
        name: 'init-permissions',
        image: 'busybox:1.36',
        command: ['sh', '-c', 'chown -R 999:999 /var/lib/mysql'],
        volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }],
      }],
      configMapMounts: [{ configMapName: 'mysql-conf', mountPath: '/etc/mysql/conf.d' }],
      podAntiAffinity: { required: true },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'databases', effect: 'NoSchedule' }],
      podAnnotations: { 'backup.example.com/enabled': 'true' },
      updateStrategy: StatefulSetUpdateStrategy.rollingUpdate({ partition: 0 }),
      terminationGracePeriod: Duration.seconds(60),
      providers: [
        { cluster: a, replicas: 2 },
        {
          cluster: b,
          replicas: 1,
          ordinalStart: 2,
          image: 'registry.eu.example.com/mysql:8.4',
          tolerations: [{ key: 'spot', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
          nodeSelector: { 'topology.kubernetes.io/zone': 'eu-west-1a' },
          podAntiAffinity: { topologyKey: 'topology.kubernetes.io/zone', weight: 50 },
        },
      ],
    });
  }, 'podtpl');
});

beforeAll(async () => {
  for (const id of [c1, c2]) {
    await tb.apply(id, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
});

afterAll(async () => {
  await tb.deleteNamespace(ns, [c1, c2]).catch(() => undefined);
  tb.closeClients();
});

// Declared after the file's other top-level afterAll, so it runs last (jest runs them in declaration order).
afterAll(() => removeRenderedDists());

describe('the StatefulSet of a fleet using the pod-template props', () => {
  it.each([c1, c2])('is accepted by the real API server of %s (server-side apply, dry run, strict field validation), with every field kept', async (clusterId) => {
    const objects = distObjects(dist, clusterId).filter((o) => o.metadata.namespace === ns);
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Service', 'ServiceExport', 'StatefulSet']);
    for (const obj of objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'Service')) {
      await dryRunApply(clusterId, obj);
    }
    const sent = objects.find((o) => o.kind === 'StatefulSet') as any;
    const stored = await dryRunApply(clusterId, sent);
    expect(stored.metadata.uid).toBeDefined();
    const pod = stored.spec.template.spec;
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['init-permissions']);
    expect(pod.volumes).toEqual([{ name: 'mysql-conf', configMap: { name: 'mysql-conf', defaultMode: 420 } }]);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/mysql' }, { name: 'mysql-conf', mountPath: '/etc/mysql/conf.d', readOnly: true }]);
    expect(pod.tolerations).toEqual(sent.spec.template.spec.tolerations);
    expect(pod.affinity).toEqual(sent.spec.template.spec.affinity);
    expect(pod.terminationGracePeriodSeconds).toBe(60);
    expect(stored.spec.template.metadata.annotations).toEqual({ 'backup.example.com/enabled': 'true' });
    expect(stored.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    expect(stored.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    expect(pod.containers[0].resources.requests).toEqual({ cpu: '500m', memory: '1Gi' });
  });

  it('carries cluster-2\'s overrides and cluster-1 the workload\'s own values', () => {
    const sts = (id: string) => (distObjects(dist, id).find((o) => o.kind === 'StatefulSet' && o.metadata.namespace === ns) as any).spec;
    expect(sts(c1).template.spec.containers[0].image).toBe('mysql:8.4');
    expect(sts(c2).template.spec.containers[0].image).toBe('registry.eu.example.com/mysql:8.4');
    expect(sts(c1).template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(sts(c2).template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]).toMatchObject({ weight: 50, podAffinityTerm: { topologyKey: 'topology.kubernetes.io/zone' } });
    expect(sts(c1).template.spec.nodeSelector).toBeUndefined();
    expect(sts(c2).template.spec.nodeSelector).toEqual({ 'topology.kubernetes.io/zone': 'eu-west-1a' });
    expect(sts(c2).template.spec.tolerations).toEqual([{ key: 'spot', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]);
    expect(sts(c2).ordinals).toEqual({ start: 2 });
  });

  it('is refused by the API server when a field is wrong, so the dry run really validates', async () => {
    const sent = distObjects(dist, c1).find((o) => o.kind === 'StatefulSet' && o.metadata.namespace === ns) as any;
    const broken = structuredClone(sent);
    broken.spec.template.spec.containers[0].volumeMounts.push({ name: 'missing', mountPath: '/missing' });
    await expect(dryRunApply(c1, broken)).rejects.toThrow(/volumeMounts\[2\]\.name: Not found: "missing"/);
    const unknown = structuredClone(sent);
    unknown.spec.template.spec.madeUpField = true;
    await expect(dryRunApply(c1, unknown)).rejects.toThrow(/madeUpField/);
  });
});
