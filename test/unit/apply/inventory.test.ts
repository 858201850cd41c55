import { inventoryConfigMap, parseInventory, sameRefs, unionRefs } from '../../../lib/runner/apply/inventory';
import { ObjectRef } from '../../../lib/runner/apply/object-ref';
import { inventoryId, LABEL_APPLIED_BY, LABEL_INVENTORY } from '../../../lib/runner/apply/ownership';

const sts: ObjectRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'db', name: 'mysql' };
const ns: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name: 'db' };

describe('the inventory ConfigMap', () => {
  it('round-trips its objects, sorted, one per line, and carries our ownership labels', () => {
    const cm = inventoryConfigMap({ fleet: 'reference', clusterId: 'cluster-1', objects: [sts, ns] }, 'reference.cluster-1');
    expect(cm.metadata).toMatchObject({ name: 'cdk8s-mcs-inventory-reference', namespace: 'kube-system', labels: { [LABEL_APPLIED_BY]: 'cdk8s-mcs-apply', [LABEL_INVENTORY]: 'reference.cluster-1' } });
    expect((cm.data as Record<string, string>).objects.trim().split('\n')).toHaveLength(2);
    expect(parseInventory(cm)).toEqual({ fleet: 'reference', clusterId: 'cluster-1', objects: [ns, sts] });
  });

  it('refuses a ConfigMap of another format, naming it', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cdk8s-mcs-inventory-x', namespace: 'kube-system' }, data: { objects: '' } };
    expect(() => parseInventory(cm)).toThrow('ConfigMap kube-system/cdk8s-mcs-inventory-x: data.format is undefined, expected "cdk8s-mcs-inventory/v1"');
  });

  it('refuses a malformed line, naming its number', () => {
    const cm = inventoryConfigMap({ fleet: 'f', clusterId: 'c', objects: [ns] }, 'f.c');
    (cm.data as Record<string, string>).objects += '{"kind":"Pod"}\n';
    expect(() => parseInventory(cm)).toThrow(/data.objects line 2: expected \{"apiVersion","kind","namespace"\?,"name"\}/);
  });
});

describe('inventory sets', () => {
  it('unites refs by identity, the later apiVersion winning', () => {
    const old = { ...sts, apiVersion: 'apps/v1beta1' };
    expect(unionRefs([old, ns], [sts])).toEqual([ns, sts]);
  });

  it('sees an apiVersion change as a change worth writing', () => {
    expect(sameRefs([sts, ns], [ns, sts])).toBe(true);
    expect(sameRefs([sts], [{ ...sts, apiVersion: 'apps/v1beta1' }])).toBe(false);
  });
});

describe('inventoryId', () => {
  it('is <fleet>.<cluster> when that fits a label value', () => {
    expect(inventoryId('reference', 'cluster-1')).toBe('reference.cluster-1');
  });

  it('stays a valid label value of at most 63 characters for long names, and distinct per cluster', () => {
    const a = inventoryId('f'.repeat(60), 'cluster-1');
    const b = inventoryId('f'.repeat(60), 'cluster-2');
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
    expect(a).not.toBe(b);
  });
});
