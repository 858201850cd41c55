import { ManifestObject } from '../../../lib/fleet/apply-order';
import { coreDnsVersionOfImage } from '../../../lib/runner/preflight/coredns-checks';
import { secretRefs, storageClassRefs } from '../../../lib/runner/preflight/dist-references';

const sts: ManifestObject = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'mysql', namespace: 'db' },
  spec: {
    template: { spec: { containers: [{ name: 'mysql', env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'mysecret', key: 'ROOT_PASSWORD' } } }, { name: 'OPT', valueFrom: { secretKeyRef: { name: 'maybe', key: 'x', optional: true } } }], envFrom: [{ secretRef: { name: 'extra' } }] }], volumes: [{ secret: { secretName: 'certs' } }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: 'fast-ssd' } }],
  },
};

describe('what preflight looks for in dist', () => {
  it('finds the StorageClass every claim template names', () => {
    expect(storageClassRefs([sts])).toEqual([{ name: 'fast-ssd', usedBy: 'StatefulSet db/mysql (claim data)' }]);
  });

  it('finds every Secret a workload reads, with the keys, leaving out optional ones and Secrets dist contains', () => {
    const inDist: ManifestObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'certs', namespace: 'db' } };
    expect(secretRefs([sts, inDist]).map((r) => [r.namespace, r.name, r.keys])).toEqual([['db', 'mysecret', ['ROOT_PASSWORD']], ['db', 'extra', []]]);
  });

  it('reads the CoreDNS version from its image tag, and nothing from a digest', () => {
    expect(coreDnsVersionOfImage('registry.k8s.io/coredns/coredns:v1.11.3')).toBe('1.11.3');
    expect(coreDnsVersionOfImage('localhost:5000/coredns:1.12.2')).toBe('1.12.2');
    expect(coreDnsVersionOfImage('coredns/coredns@sha256:abcd')).toBeUndefined();
  });
});
