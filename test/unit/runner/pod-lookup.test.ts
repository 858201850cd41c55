/**
 * The runner finds a pod's exported services, and a service's pods, through label indexes instead
 * of scanning the namespace (a namespace of 10,000 pods and 1,000 exports made both quadratic; the
 * scale benchmark, issue #6). The indexes must find exactly what a scan finds.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../lib/kube/client';
import { objectKey, Pod, Service, ServiceExport } from '../../../lib/kube/types';
import { ClusterState } from '../../../lib/runner/sync/cluster-state';
import { selectorMatches } from '../../../lib/runner/sync/endpoints';
import { keysForEvent } from '../../../lib/runner/sync/event-keys';
import { pod } from './fixtures';

function clusterState(): ClusterState {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }], users: [{ name: 'u' }], contexts: [{ name: 'c', cluster: 'c', user: 'u' }], currentContext: 'c' });
  return new ClusterState(new KubeClient('cluster-1', kc), { runnerNamespace: 'cdk8s-mcs-system', onEvent: () => undefined });
}

const svc = (name: string, selector: Record<string, string>, namespace = 'db'): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP: 'None', selector } });
const exp = (name: string, namespace = 'db'): ServiceExport => ({ apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceExport', metadata: { name, namespace } });

describe('label-indexed lookups of the sync', () => {
  const c = clusterState();
  const services = [
    svc('a', { app: 'x', tier: 'db' }),
    svc('b', { app: 'x' }),
    svc('c', { app: 'y' }),
    svc('d', { app: 'x' }, 'other'), // same selector, another namespace
    svc('e', {}), // no selector: selects nothing
    svc('f', { tier: 'db' }), // not exported
  ];
  services.forEach((s) => c.services.upsertLocal(s));
  ['a', 'b', 'c', 'e'].forEach((n) => c.serviceExports.upsertLocal(exp(n)));
  c.serviceExports.upsertLocal(exp('d', 'other'));
  const pods: Pod[] = [
    pod('p1', { ip: '10.0.0.1', labels: { app: 'x', tier: 'db' } }),
    pod('p2', { ip: '10.0.0.2', labels: { app: 'x' } }),
    pod('p3', { ip: '10.0.0.3', labels: { app: 'y', tier: 'db' } }),
    pod('p4', { ip: '10.0.0.4', labels: { app: 'x' }, namespace: 'other' }),
    pod('p5', { ip: '10.0.0.5', labels: {} }),
  ];
  pods.forEach((p) => c.pods.upsertLocal(p));
  const clusters = new Map([['cluster-1', c]]);

  it('a pod event names exactly the exported services whose selector matches the pod, before or after', () => {
    const keys = (p: Pod, old?: Pod) => keysForEvent({ clusterId: 'cluster-1', kind: 'pod', type: 'update', obj: p, old }, clusters).sort();
    expect(keys(pods[0])).toEqual(['db/a', 'db/b']);
    expect(keys(pods[1])).toEqual(['db/b']);
    expect(keys(pods[2])).toEqual(['db/c']); // f matches but is not exported
    expect(keys(pods[3])).toEqual(['other/d']);
    expect(keys(pods[4])).toEqual([]);
    expect(keys(pods[1], pods[2])).toEqual(['db/b', 'db/c']); // relabelled from app=y to app=x
  });

  it('candidate pods of a service include every pod its selector selects, in its namespace only', () => {
    for (const s of services) {
      const scanned = pods.filter((p) => p.metadata.namespace === s.metadata.namespace && selectorMatches(s.spec?.selector, p.metadata.labels)).map(objectKey).sort();
      const candidates = c.candidatePods(s).map(objectKey);
      expect({ service: s.metadata.name, missing: scanned.filter((k) => !candidates.includes(k)) }).toEqual({ service: s.metadata.name, missing: [] });
      expect(candidates.every((k) => k.startsWith(`${s.metadata.namespace}/`))).toBe(true);
    }
    expect(c.candidatePods(undefined)).toEqual([]);
    expect(c.candidatePods(services[4])).toEqual([]);
  });

  it('follows relabelled and removed pods', () => {
    c.pods.upsertLocal({ ...pods[1], metadata: { ...pods[1].metadata, labels: { app: 'y' }, resourceVersion: '9' } });
    expect(c.candidatePods(services[1]).map((p) => p.metadata.name).sort()).toEqual(['p1']);
    c.pods.removeLocal('db/p1');
    expect(c.candidatePods(services[1])).toEqual([]);
  });
});
