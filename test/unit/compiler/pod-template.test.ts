/**
 * Pod-template control: the typed WorkloadSpec props render into the StatefulSet as the API
 * documents them, each provider may override them, and input the API server would refuse is
 * refused at construction with the construct, the field, the value and the fix.
 */
import { Duration, JsonPatch, Size } from 'cdk8s';
import { Cpu, k8s, PodManagementPolicy, StatefulSetUpdateStrategy } from 'cdk8s-plus-28';
import { Cluster, DnsMethod, Fleet, HeadlessImport, MultiClusterStatefulSet, MultiClusterStatefulSetProps, StatefulSetMember } from '../../../lib';
import { find, objectsOf } from '../support/fleet';

function fleetOf2() {
  const fleet = new Fleet({ outdir: '/nonexistent' });
  return { fleet, a: fleet.addCluster('a', { storageClass: 'standard' }), b: fleet.addCluster('b', { storageClass: 'fast' }) };
}

const base = { namespace: 'db', image: 'mysql:8.4', ports: [{ name: 'tcp', port: 3306 }], volumeClaims: [{ name: 'data', mountPath: '/var/lib/mysql', size: '10Gi' }] };

function statefulSet(fleet: Fleet, cluster: string, name = 'mysql') {
  return find(objectsOf(fleet.render(), cluster), 'StatefulSet', name);
}

describe('pod-template control', () => {
  it('renders init containers, a ConfigMap volume, anti-affinity, tolerations and the other pod fields', () => {
    const { fleet, a } = fleetOf2();
    new MultiClusterStatefulSet(fleet, 'mysql', {
      ...base,
      providers: [{ cluster: a, replicas: 3 }],
      initContainers: [{ name: 'init-config', image: 'busybox:1.36', command: ['sh', '-c', 'cp /config/* /work/'], volumeMounts: [{ name: 'work', mountPath: '/work' }, { name: 'mysql-conf', mountPath: '/config' }] }],
      sidecars: [{ name: 'exporter', image: 'prom/mysqld-exporter:v0.15.1', ports: [{ name: 'metrics', containerPort: 9104 }] }],
      volumes: [{ name: 'work', emptyDir: {} }],
      volumeMounts: [{ name: 'work', mountPath: '/etc/mysql/generated' }],
      configMapMounts: [{ configMapName: 'mysql-conf', mountPath: '/etc/mysql/conf.d', defaultMode: 0o444 }],
      podAntiAffinity: { required: true },
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }] } } },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'mysql' } } }],
      podAnnotations: { 'backup.example.com/schedule': '0 3 * * *' },
      podLabels: { tier: 'db' },
      imagePullSecrets: ['registry-creds'],
      serviceAccountName: 'mysql',
      priorityClassName: 'databases',
      podSecurityContext: { fsGroup: 999 },
      startupProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(3306) }, failureThreshold: 30 },
      updateStrategy: StatefulSetUpdateStrategy.rollingUpdate({ partition: 1 }),
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      minReady: Duration.seconds(10),
      terminationGracePeriod: Duration.minutes(2),
    });
    const sts = statefulSet(fleet, 'a');
    const pod = sts.spec.template.spec;
    expect(sts.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 1 } });
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.minReadySeconds).toBe(10);
    expect(sts.spec.template.metadata.annotations).toEqual({ 'backup.example.com/schedule': '0 3 * * *' });
    expect(sts.spec.template.metadata.labels).toMatchObject({ tier: 'db', app: 'mysql' });
    expect(pod.terminationGracePeriodSeconds).toBe(120);
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['init-config']);
    expect(pod.containers.map((c: any) => c.name)).toEqual(['mysql', 'exporter']);
    expect(pod.volumes).toEqual([{ name: 'work', emptyDir: {} }, { name: 'mysql-conf', configMap: { name: 'mysql-conf', defaultMode: 0o444 } }]);
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'data', mountPath: '/var/lib/mysql' },
      { name: 'mysql-conf', mountPath: '/etc/mysql/conf.d', readOnly: true },
      { name: 'work', mountPath: '/etc/mysql/generated' },
    ]);
    expect(pod.containers[0].startupProbe).toEqual({ tcpSocket: { port: 3306 }, failureThreshold: 30 });
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key).toBe('disk');
    expect(pod.affinity.podAntiAffinity).toEqual({ requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'mysql' } }, topologyKey: 'kubernetes.io/hostname' }] });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }]);
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.topologySpreadConstraints[0].topologyKey).toBe('topology.kubernetes.io/zone');
    expect(pod.imagePullSecrets).toEqual([{ name: 'registry-creds' }]);
    expect(pod.serviceAccountName).toBe('mysql');
    expect(pod.priorityClassName).toBe('databases');
    expect(pod.securityContext).toEqual({ fsGroup: 999 });
  });

  it('lets each provider override the pod template: maps merged, everything else replaced', () => {
    const { fleet, a, b } = fleetOf2();
    new MultiClusterStatefulSet(fleet, 'mysql', {
      ...base,
      env: { MODE: 'primary', TZ: 'UTC' },
      podLabels: { tier: 'db' },
      tolerations: [{ key: 'dedicated', operator: 'Exists' }],
      podAntiAffinity: {},
      providers: [
        { cluster: a, replicas: 2 },
        { cluster: b, replicas: 1, ordinalStart: 2, image: 'mirror.b.example.com/mysql:8.4', env: { MODE: 'replica' }, podLabels: { region: 'b' }, tolerations: [], nodeSelector: { pool: 'db' }, resources: { cpuRequest: Cpu.units(2) } },
      ],
    });
    const out = fleet.render();
    const inA = find(objectsOf(out, 'a'), 'StatefulSet', 'mysql').spec.template;
    const inB = find(objectsOf(out, 'b'), 'StatefulSet', 'mysql').spec.template;
    expect(inA.spec.containers[0].image).toBe('mysql:8.4');
    expect(inB.spec.containers[0].image).toBe('mirror.b.example.com/mysql:8.4');
    expect(inA.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'primary' }, { name: 'TZ', value: 'UTC' }]);
    expect(inB.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'replica' }, { name: 'TZ', value: 'UTC' }]);
    expect(inB.metadata.labels).toMatchObject({ tier: 'db', region: 'b' });
    expect(inA.spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists' }]);
    expect(inB.spec.tolerations).toBeUndefined();
    expect(inB.spec.nodeSelector).toEqual({ pool: 'db' });
    expect(inA.spec.nodeSelector).toBeUndefined();
    expect(inB.spec.containers[0].resources.requests).toEqual({ cpu: '2', memory: '512Mi' });
    expect(inB.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(100);
    expect(find(objectsOf(out, 'b'), 'StatefulSet', 'mysql').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('fast');
  });

  it('accepts cdk8s-plus Cpu, cdk8s Size and Duration where cdk8s-plus does, and strings still', () => {
    const { fleet, a } = fleetOf2();
    new MultiClusterStatefulSet(fleet, 'mysql', {
      ...base,
      volumeClaims: [{ name: 'data', mountPath: '/var/lib/mysql', size: Size.gibibytes(50) }, { name: 'logs', mountPath: '/logs', size: '500Mi' }],
      resources: { cpuRequest: Cpu.millis(500), memoryRequest: Size.gibibytes(2), cpuLimit: '2', memoryLimit: Size.mebibytes(2048) },
      terminationGracePeriodSeconds: 45,
      providers: [{ cluster: a }],
    });
    const sts = statefulSet(fleet, 'a');
    expect(sts.spec.volumeClaimTemplates.map((t: any) => t.spec.resources.requests.storage)).toEqual(['50Gi', '500Mi']);
    expect(sts.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '2048Mi' } });
    expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBe(45);
  });

  describe('refuses at construction what the API server would refuse', () => {
    const { fleet, a } = fleetOf2();
    let n = 0;
    const make = (extra: Partial<MultiClusterStatefulSetProps>, providers: MultiClusterStatefulSetProps['providers'] = [{ cluster: a }]) => () =>
      new MultiClusterStatefulSet(fleet, `m${n++}`, { ...base, serviceName: 'mysql', providers, ...extra });

    it.each([
      [{ volumeMounts: [{ name: 'conf', mountPath: '/c' }] }, 'volumeMounts[0] mounts volume "conf", which the pod does not have (volumes: "data"). Fix: add it to volumes or configMapMounts'],
      [{ initContainers: [{ name: 'init', image: 'busybox', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }] }, 'initContainers[0].volumeMounts[0] mounts volume "nope"'],
      [{ sidecars: [{ name: 'mysql', image: 'x' }] }, 'sidecars[0].name "mysql" is taken by the main container (named after serviceName)'],
      [{ initContainers: [{ name: 'Init', image: 'busybox' }] }, 'initContainers[0].name must be a DNS label, got "Init"'],
      [{ sidecars: [{ name: 'exporter', image: '' }] }, 'sidecars[0] ("exporter") must name a container image'],
      [{ volumes: [{ name: 'data', emptyDir: {} }] }, 'volume name "data" is used by volumes[0] and volume claim "data"'],
      [{ configMapMounts: [{ configMapName: 'my.cnf', mountPath: '/etc/mysql' }] }, 'configMapMounts[0] volume name must be a DNS label, got "my.cnf". Fix: set volumeName, which a ConfigMap name with dots needs, e.g. volumeName: "my-cnf"'],
      [{ configMapMounts: [{ configMapName: 'conf', mountPath: '/var/lib/mysql' }] }, 'mountPath "/var/lib/mysql" is used twice in the main container'],
      [{ podLabels: { app: 'other' } }, 'podLabels "app" is set by the construct'],
      [{ podLabels: { tier: 'a b' } }, 'podLabels "tier" must be a label value'],
      [{ nodeSelector: { 'bad key!': 'x' } }, 'nodeSelector key must be a qualified name'],
      [{ tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] }, 'tolerations[0]: value must be empty with operator "Exists", got "v"'],
      [{ tolerations: [{ key: 'k', operator: 'In' }] }, 'tolerations[0]: operator must be "Equal" or "Exists", got "In"'],
      [{ tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule', tolerationSeconds: 10 }] }, 'tolerationSeconds applies to effect "NoExecute" only'],
      [{ podAntiAffinity: { weight: 0 } }, 'podAntiAffinity.weight must be an integer from 1 to 100, got 0'],
      [{ terminationGracePeriod: Duration.seconds(10), terminationGracePeriodSeconds: 10 }, 'set terminationGracePeriod or terminationGracePeriodSeconds, not both'],
      [{ terminationGracePeriod: Duration.millis(1500) }, 'terminationGracePeriod must be a whole number of seconds'],
      [{ resources: { cpuRequest: 'lots' } }, 'resources.cpuRequest must be a Kubernetes quantity such as "500m", "2" or "4Gi" (or a Cpu / Size), got "lots"'],
      [{ imagePullSecrets: ['Registry'] }, 'imagePullSecrets must be an RFC-1123 DNS subdomain, got "Registry"'],
      [{ priorityClassName: 'High_Priority' }, 'priorityClassName must be an RFC-1123 DNS subdomain'],
    ] as Array<[Partial<MultiClusterStatefulSetProps>, string]>)('%j', (extra, message) => {
      expect(make(extra)).toThrow(message);
    });

    it('names the cluster when a provider\'s override is what is wrong', () => {
      expect(make({}, [{ cluster: a, sidecars: [{ name: 'mysql', image: 'x' }] }])).toThrow(/^MultiClusterStatefulSet "m\d+" in cluster "a": sidecars\[0\]\.name "mysql" is taken/);
      expect(make({}, [{ cluster: a, image: ' ' }])).toThrow('in cluster "a": image must name a container image');
    });
  });

  it('gives every member an escape hatch to its L1 StatefulSet, and says which clusters exist when asked for another', () => {
    const { fleet, a, b } = fleetOf2();
    const mysql = new MultiClusterStatefulSet(fleet, 'mysql', { ...base, providers: [{ cluster: a }] });
    mysql.member(a).statefulSet.addJsonPatch(JsonPatch.add('/spec/template/spec/hostNetwork', true));
    expect(statefulSet(fleet, 'a').spec.template.spec.hostNetwork).toBe(true);
    expect(mysql.member('a')).toBe(mysql.members.get('a'));
    expect(() => mysql.member(b)).toThrow('MultiClusterStatefulSet "mysql" does not run in cluster "b" (providers: "a")');
  });

  it('exports a StatefulSetMember created on its own in a cluster, without a providers list', () => {
    const { fleet, a, b } = fleetOf2();
    const member = new StatefulSetMember(a, 'mysql', { ...base, replicas: 2 });
    new HeadlessImport(fleet, 'mysql-import', { serviceName: 'mysql', namespace: 'db', consumers: [b], dnsMethods: [DnsMethod.AMCS] });
    expect(member.cluster).toBe(a);
    expect(fleet.model.exports).toEqual([expect.objectContaining({ path: 'a/mysql', kind: 'StatefulSetMember', name: 'mysql', placements: [{ clusterId: 'a', replicas: 2, ordinalStart: 0 }] })]);
    const out = fleet.render();
    expect(find(objectsOf(out, 'a'), 'ServiceExport', 'mysql')).toBeDefined();
    expect(out.files.get('fleet.md')).toContain('mysql-1.amcs-mysql.db.svc.cluster.local');
  });

  it('refuses a StatefulSetMember outside a cluster, with the fix', () => {
    const { fleet } = fleetOf2();
    expect(() => new StatefulSetMember(fleet, 'mysql', base)).toThrow('StatefulSetMember "mysql": a StatefulSetMember must be created in a Cluster (its objects go into one cluster). Fix: new StatefulSetMember(cluster, "mysql", props)');
    expect(fleet.node.tryFindChild('mysql')).toBeUndefined();
    expect(Cluster.isCluster(fleet.clusters[0])).toBe(true);
  });
});
