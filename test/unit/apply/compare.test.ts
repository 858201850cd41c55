import { contentDifferences, subsetDifferences } from '../../../lib/runner/apply/compare';
import { formatPath } from '../../../lib/runner/apply/field-path';

const paths = (changes: { path: readonly unknown[] }[]) => changes.map((c) => formatPath(c.path as never));

describe('subsetDifferences (desired from dist versus live)', () => {
  it('ignores fields the server defaulted: present live, absent in dist', () => {
    const desired = { spec: { clusterIP: 'None', ports: [{ port: 3306, protocol: 'TCP' }] } };
    const live = { spec: { clusterIP: 'None', clusterIPs: ['None'], sessionAffinity: 'None', ports: [{ port: 3306, protocol: 'TCP', targetPort: 3306 }] }, status: {} };
    expect(subsetDifferences(desired, live)).toEqual([]);
  });

  it('reports a changed field with its path and both values', () => {
    const changes = subsetDifferences({ spec: { replicas: 3 } }, { spec: { replicas: 2 } });
    expect(changes).toEqual([{ path: ['spec', 'replicas'], desired: 3, live: 2 }]);
  });

  it('reports a field dist sets that is missing live', () => {
    expect(paths(subsetDifferences({ metadata: { labels: { team: 'db' } } }, { metadata: { labels: {} } }))).toEqual(['metadata.labels.team']);
  });

  it('quotes map keys that are not identifiers', () => {
    expect(paths(subsetDifferences({ metadata: { labels: { 'app.kubernetes.io/name': 'a' } } }, { metadata: {} }))).toEqual(['metadata.labels["app.kubernetes.io/name"]']);
  });

  it('compares quantities as strings: 50Gi equals 50Gi', () => {
    const pvc = (storage: string) => ({ spec: { resources: { requests: { storage } } } });
    expect(subsetDifferences(pvc('50Gi'), pvc('50Gi'))).toEqual([]);
    expect(paths(subsetDifferences(pvc('60Gi'), pvc('50Gi')))).toEqual(['spec.resources.requests.storage']);
  });

  it('takes a quantity the server stored in canonical form as unchanged (0.5 reads back as 500m)', () => {
    expect(subsetDifferences({ resources: { limits: { cpu: 0.5 } } }, { resources: { limits: { cpu: '500m' } } })).toEqual([]);
  });

  it('does not treat look-alike quantities outside quantity fields as equal', () => {
    expect(paths(subsetDifferences({ data: { ratio: '0.5' } }, { data: { ratio: '500m' } }))).toEqual(['data.ratio']);
  });

  it('compares lists item by item when the lengths agree', () => {
    const desired = { containers: [{ name: 'a', image: 'x:2' }] };
    const live = { containers: [{ name: 'a', image: 'x:1', imagePullPolicy: 'IfNotPresent' }] };
    expect(paths(subsetDifferences(desired, live))).toEqual(['containers[0].image']);
  });

  it('marks a list as uncertain when live holds every item of dist plus items others added', () => {
    const [change] = subsetDifferences({ env: [{ name: 'A', value: '1' }] }, { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] });
    expect(change).toMatchObject({ path: ['env'], uncertain: true });
  });

  it('marks a shorter live list as a certain change', () => {
    const [change] = subsetDifferences({ args: ['a', 'b'] }, { args: ['a'] });
    expect(change.uncertain).toBeUndefined();
  });

  it('treats an empty map or list in dist as equal to an absent one (the API omits them)', () => {
    expect(subsetDifferences({ metadata: { annotations: {} }, spec: { args: [] } }, { metadata: {}, spec: {} })).toEqual([]);
  });

  it('treats null in dist as "absent"', () => {
    expect(subsetDifferences({ spec: { x: null } }, { spec: {} })).toEqual([]);
    expect(paths(subsetDifferences({ spec: { x: null } }, { spec: { x: 1 } }))).toEqual(['spec.x']);
  });
});

describe('contentDifferences (a server-side dry run versus live)', () => {
  it('ignores resourceVersion, generation, managedFields and status', () => {
    const live = { metadata: { name: 'a', resourceVersion: '1', generation: 1, managedFields: [{}] }, spec: { a: 1 }, status: { ready: 1 } };
    const after = { metadata: { name: 'a', resourceVersion: '2', generation: 2, managedFields: [{}, {}] }, spec: { a: 1 }, status: { ready: 0 } };
    expect(contentDifferences(after, live)).toEqual([]);
  });

  it('finds fields added and removed in both directions', () => {
    const live = { metadata: { name: 'a' }, spec: { a: 1, gone: true } };
    const after = { metadata: { name: 'a' }, spec: { a: 2, added: 'x' } };
    expect(paths(contentDifferences(after, live))).toEqual(['spec.a', 'spec.added', 'spec.gone']);
  });
});
