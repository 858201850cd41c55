import { FieldsV1, ownsField, removedOwnedFields } from '../../../lib/runner/apply/managed-fields';
import { formatPath } from '../../../lib/runner/apply/field-path';

const owned: FieldsV1 = {
  'f:metadata': { 'f:labels': { 'f:app': {}, 'f:team': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:template': {
      'f:spec': {
        'f:containers': {
          'k:{"name":"sync"}': {
            '.': {},
            'f:image': {},
            'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {} } },
          },
        },
      },
    },
    'f:finalizers': { 'v:"a"': {} },
  },
};

const desired = (o: { labels?: Record<string, string>; ports?: unknown[]; finalizers?: string[] } = {}) => ({
  metadata: { labels: o.labels ?? { app: 'x', team: 'db' } },
  spec: {
    replicas: 1,
    template: { spec: { containers: [{ name: 'sync', image: 'i', ports: o.ports ?? [{ containerPort: 8080, name: 'metrics' }] }] } },
    finalizers: o.finalizers ?? ['a'],
  },
});

describe('removedOwnedFields (fields we applied before that dist no longer sets)', () => {
  it('finds nothing when dist still sets every field we own', () => {
    expect(removedOwnedFields(owned, desired(), desired())).toEqual([]);
  });

  it('matches list items by merge key even when dist leaves a defaulted key field (protocol) out', () => {
    expect(removedOwnedFields(owned, desired({ ports: [{ containerPort: 8080, name: 'metrics' }] }), desired())).toEqual([]);
  });

  it('reports a dropped label with its live value', () => {
    const live = desired();
    const [change] = removedOwnedFields(owned, desired({ labels: { app: 'x' } }), live);
    expect(formatPath(change.path)).toBe('metadata.labels.team');
    expect(change.desired).toBeUndefined();
    expect(change.live).toBe('db');
  });

  it('reports a dropped list item by its merge key', () => {
    const changes = removedOwnedFields(owned, desired({ ports: [] }), desired());
    expect(changes.map((c) => formatPath(c.path))).toEqual(['spec.template.spec.containers[name=sync].ports[containerPort=8080,protocol=TCP]']);
  });

  it('reports a dropped member of a set-like list', () => {
    expect(removedOwnedFields(owned, desired({ finalizers: [] }), desired()).map((c) => formatPath(c.path))).toEqual(['spec.finalizers[value=a]']);
  });
});

describe('ownsField', () => {
  it('follows list indices through merge keys', () => {
    expect(ownsField(owned, desired(), ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'name'])).toBe(true);
    expect(ownsField(owned, desired(), ['spec', 'template', 'spec', 'containers', 0, 'command'])).toBe(false);
  });
});
