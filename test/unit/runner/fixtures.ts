import { Pod, Service, ServiceExport } from '../../../lib/kube/types';

/** A StatefulSet-style pod (spec.hostname, spec.subdomain of the `mysql` Service) unless `subdomain: null`. */
export function pod(name: string, o: { ip?: string; ready?: boolean; labels?: Record<string, string>; deleting?: boolean; phase?: string; namespace?: string; ports?: { name: string; containerPort: number }[]; subdomain?: string | null } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'db', labels: o.labels ?? { app: 'mysql' }, ...(o.deleting ? { deletionTimestamp: '2026-11-23T00:00:00Z' } : {}) },
    spec: {
      ...(o.subdomain === null ? {} : { hostname: name, subdomain: o.subdomain ?? 'mysql' }),
      containers: [{ name: 'c', ports: o.ports ?? [{ name: 'tcp', containerPort: 3306 }] }],
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip ? { podIP: o.ip, podIPs: [{ ip: o.ip }] } : {}),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

export function service(o: { name?: string; headless?: boolean; ports?: { name?: string; port: number; protocol?: string; targetPort?: number | string }[]; publishNotReady?: boolean; type?: string } = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: o.name ?? 'mysql', namespace: 'db' },
    spec: {
      ...(o.type ? { type: o.type } : {}),
      clusterIP: o.headless === false ? '10.96.0.10' : 'None',
      selector: { app: 'mysql' },
      ports: o.ports ?? [{ name: 'tcp', port: 3306, protocol: 'TCP', targetPort: 3306 }],
      ...(o.publishNotReady ? { publishNotReadyAddresses: true } : {}),
    },
  };
}

export function serviceExport(created: string, name = 'mysql'): ServiceExport {
  return { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceExport', metadata: { name, namespace: 'db', creationTimestamp: created, generation: 1 } };
}
