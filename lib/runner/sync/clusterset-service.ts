/**
 * The ClusterSetIP of an import: in every consumer the runner keeps a selector-less ClusterIP
 * Service, `clusterset-<svc>`, whose cluster IPs are the ServiceImport's `spec.ips`. The MCS
 * EndpointSlices also carry its name as `kubernetes.io/service-name`, so kube-proxy routes the
 * ClusterSetIP to the remote pods, and CoreDNS answers `<svc>.<ns>.svc.clusterset.local` with it. Pure.
 */
import { clustersetIpServiceName, LABEL_APP_MANAGED_BY, LABEL_DERIVED_BY, LABEL_IMPORT_OF, MANAGER } from '../../fleet/names';
import { Service } from '../../kube/types';
import { ImportPort, ImportProperties } from './exports';
import { canonical } from './slices';

/** Whether the runner created this Service (and so may change or delete it). */
export function isDerivedService(service: Service | undefined): boolean {
  return service?.metadata.labels?.[LABEL_DERIVED_BY] === MANAGER;
}

/** The Service a ClusterSetIP import of `namespace/service` needs in every consumer. */
export function desiredClusterSetService(o: { namespace: string; service: string; ports: readonly ImportPort[]; properties: ImportProperties }): Service {
  const p = o.properties;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: clustersetIpServiceName(o.service),
      namespace: o.namespace,
      labels: { [LABEL_DERIVED_BY]: MANAGER, [LABEL_IMPORT_OF]: o.service, [LABEL_APP_MANAGED_BY]: MANAGER },
    },
    spec: {
      type: 'ClusterIP',
      // targetPort is never used (no selector: the slices name the pods' ports) but set so the API server's default matches.
      ports: o.ports.map((port) => ({ ...port, targetPort: port.port })),
      sessionAffinity: p.sessionAffinity,
      ...(p.sessionAffinityConfig ? { sessionAffinityConfig: p.sessionAffinityConfig } : {}),
      ...(p.internalTrafficPolicy ? { internalTrafficPolicy: p.internalTrafficPolicy } : {}),
      ...(p.trafficDistribution ? { trafficDistribution: p.trafficDistribution } : {}),
      // The exported Service's families, so an IPv4 export never gets an IPv6 ClusterSetIP in a dual-stack consumer.
      ipFamilies: [...p.ipFamilies],
      ipFamilyPolicy: p.ipFamilies.length > 1 ? 'PreferDualStack' : 'SingleStack',
    },
  };
}

/** Compares what the runner sets, with the API server's defaults filled in on both sides. */
export function sameClusterSetService(actual: Service, desired: Service): boolean {
  return canonical(comparable(actual)) === canonical(comparable(desired));
}

function comparable(s: Service): unknown {
  const spec = s.spec ?? {};
  return {
    labels: Object.fromEntries(Object.entries(s.metadata.labels ?? {}).filter(([k]) => k === LABEL_DERIVED_BY || k === LABEL_IMPORT_OF || k === LABEL_APP_MANAGED_BY)),
    type: spec.type ?? 'ClusterIP',
    selector: spec.selector ?? {},
    ports: (spec.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', appProtocol: p.appProtocol ?? '', targetPort: p.targetPort ?? p.port })),
    sessionAffinity: spec.sessionAffinity ?? 'None',
    sessionAffinityConfig: (spec.sessionAffinity ?? 'None') === 'ClientIP' ? { timeoutSeconds: spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800 } : null,
    internalTrafficPolicy: spec.internalTrafficPolicy ?? 'Cluster',
    trafficDistribution: spec.trafficDistribution ?? null,
    // The primary family only: PreferDualStack in a single-stack cluster allocates just the one it has.
    primaryFamily: spec.ipFamilies?.[0] ?? null,
  };
}

/** The import's `ips` and `ipFamilies` from the Service as the API server allocated them (none until it exists). */
export function clusterSetIps(service: Service | undefined): { ips: string[]; ipFamilies?: string[] } {
  const ips = (service?.spec?.clusterIPs ?? (service?.spec?.clusterIP ? [service.spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None');
  return { ips, ...(service?.spec?.ipFamilies?.length ? { ipFamilies: [...service.spec.ipFamilies] } : {}) };
}
