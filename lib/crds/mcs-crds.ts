/**
 * The CustomResourceDefinitions cdk8s-mcs installs in every cluster, as plain data.
 *
 * Written for this project to be wire-compatible with the upstream Multi-Cluster Services API
 * (`multicluster.x-k8s.io`, KEP-1645) and About API (`about.k8s.io`, KEP-2149): same group,
 * kinds, names, scope and fields; `v1alpha1` and `v1beta1` both served with one schema (CoreDNS
 * reads ServiceImports through `v1alpha1`), `v1beta1` stored, no conversion webhook.
 */

type Schema = Record<string, unknown>;

const str = (description: string): Schema => ({ type: 'string', description });
const stringMap = (description: string): Schema => ({ type: 'object', description, additionalProperties: { type: 'string' } });

const CONDITIONS: Schema = {
  type: 'array',
  description: 'Current service state, as metav1.Condition entries keyed by type.',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  items: {
    type: 'object',
    required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
    properties: {
      lastTransitionTime: { type: 'string', format: 'date-time', description: 'When the condition last changed status.' },
      message: { type: 'string', maxLength: 32768, description: 'Human-readable details about the transition.' },
      observedGeneration: { type: 'integer', format: 'int64', minimum: 0, description: 'The .metadata.generation the condition was set for.' },
      reason: {
        type: 'string',
        maxLength: 1024,
        minLength: 1,
        pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
        description: 'CamelCase reason for the last transition; several reasons may be joined with commas.',
      },
      status: { type: 'string', enum: ['True', 'False', 'Unknown'], description: 'Status of the condition.' },
      type: {
        type: 'string',
        maxLength: 316,
        pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
        description: 'Condition type, e.g. Valid, Ready or Conflict.',
      },
    },
  },
};

const SERVICE_EXPORT_SCHEMA: Schema = {
  type: 'object',
  description: 'ServiceExport declares that the Service with the same name and namespace should be consumable from other clusters.',
  properties: {
    apiVersion: str('Versioned schema of this representation of an object.'),
    kind: str('REST resource this object represents.'),
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      description: 'How the Service is exported.',
      properties: {
        exportedAnnotations: stringMap('Annotations to export with the service (optional for implementations).'),
        exportedLabels: stringMap('Labels to export with the service (optional for implementations).'),
      },
    },
    status: {
      type: 'object',
      description: 'Observed state of the export.',
      properties: { conditions: CONDITIONS },
    },
  },
};

const SERVICE_PORT: Schema = {
  type: 'object',
  required: ['port'],
  properties: {
    appProtocol: str('Application protocol of this port (IANA service name or a domain-prefixed name).'),
    name: str('Name of this port; must match the EndpointPort name. Optional when there is one port.'),
    port: { type: 'integer', format: 'int32', description: 'Port number exposed by the service.' },
    protocol: { type: 'string', default: 'TCP', description: 'TCP, UDP or SCTP.' },
  },
};

const SERVICE_IMPORT_SCHEMA: Schema = {
  type: 'object',
  description: 'ServiceImport describes a service imported from clusters in a ClusterSet.',
  properties: {
    apiVersion: str('Versioned schema of this representation of an object.'),
    kind: str('REST resource this object represents.'),
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      description: 'The imported service.',
      required: ['ports', 'type'],
      properties: {
        internalTrafficPolicy: str('Whether cluster-internal traffic is routed to all endpoints or node-local ones.'),
        ipFamilies: {
          type: 'array',
          maxItems: 2,
          description: 'IP families of this service (IPv4, IPv6).',
          items: { type: 'string' },
          'x-kubernetes-list-type': 'atomic',
        },
        ips: {
          type: 'array',
          maxItems: 2,
          description: 'The VIPs of the service when type is ClusterSetIP.',
          items: { type: 'string' },
        },
        ports: { type: 'array', items: SERVICE_PORT, 'x-kubernetes-list-type': 'atomic' },
        sessionAffinity: { type: 'string', description: 'ClientIP or None; ignored when type is Headless.' },
        sessionAffinityConfig: {
          type: 'object',
          description: 'Session affinity configuration.',
          properties: {
            clientIP: {
              type: 'object',
              properties: { timeoutSeconds: { type: 'integer', format: 'int32' } },
            },
          },
        },
        trafficDistribution: str('How traffic is distributed across endpoints, e.g. PreferClose.'),
        type: { type: 'string', enum: ['ClusterSetIP', 'Headless'], description: 'ClusterSetIP or Headless.' },
      },
    },
    status: {
      type: 'object',
      description: 'Observed state of the import.',
      properties: {
        clusters: {
          type: 'array',
          description: 'The clusters that export this service.',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['cluster'],
          items: {
            type: 'object',
            required: ['cluster'],
            properties: { cluster: str('Name of the exporting cluster: an RFC-1123 DNS label.') },
          },
        },
        conditions: CONDITIONS,
      },
    },
  },
};

const CLUSTER_PROPERTY_SCHEMA: Schema = {
  type: 'object',
  description: 'ClusterProperty is a name/value pair describing this cluster (KEP-2149), e.g. its cluster ID.',
  required: ['spec'],
  properties: {
    apiVersion: str('Versioned schema of this representation of an object.'),
    kind: str('REST resource this object represents.'),
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['value'],
      properties: { value: { type: 'string', minLength: 1, description: 'The value of the property.' } },
    },
    status: { type: 'object' },
  },
};

interface CrdOptions {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly schema: Schema;
  readonly shortNames?: string[];
  readonly categories?: string[];
  readonly printerColumns?: Schema[];
  readonly statusSubresource: boolean;
  /** Groups under k8s.io/kubernetes.io are protected: the API server requires an approval annotation. */
  readonly approval?: string;
}

const AGE_COLUMN: Schema = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function crd(o: CrdOptions): Record<string, unknown> {
  const version = (name: string, storage: boolean) => ({
    name,
    served: true,
    storage,
    ...(o.statusSubresource ? { subresources: { status: {} } } : {}),
    additionalPrinterColumns: o.printerColumns ?? [AGE_COLUMN],
    schema: { openAPIV3Schema: o.schema },
  });
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${o.plural}.${o.group}`,
      labels: { 'app.kubernetes.io/part-of': 'cdk8s-mcs' },
      ...(o.approval ? { annotations: { 'api-approved.kubernetes.io': o.approval } } : {}),
    },
    spec: {
      group: o.group,
      scope: o.scope,
      names: {
        kind: o.kind,
        listKind: `${o.kind}List`,
        plural: o.plural,
        singular: o.kind.toLowerCase(),
        ...(o.shortNames ? { shortNames: o.shortNames } : {}),
        ...(o.categories ? { categories: o.categories } : {}),
      },
      versions: [version('v1alpha1', false), version('v1beta1', true)],
    },
  };
}

/** `serviceexports.multicluster.x-k8s.io` */
export const SERVICE_EXPORT_CRD = crd({
  group: 'multicluster.x-k8s.io',
  kind: 'ServiceExport',
  plural: 'serviceexports',
  scope: 'Namespaced',
  shortNames: ['svcex', 'svcexport'],
  schema: SERVICE_EXPORT_SCHEMA,
  statusSubresource: true,
});

/** `serviceimports.multicluster.x-k8s.io` */
export const SERVICE_IMPORT_CRD = crd({
  group: 'multicluster.x-k8s.io',
  kind: 'ServiceImport',
  plural: 'serviceimports',
  scope: 'Namespaced',
  shortNames: ['svcim', 'svcimport'],
  schema: SERVICE_IMPORT_SCHEMA,
  statusSubresource: true,
  printerColumns: [
    { name: 'Type', type: 'string', jsonPath: '.spec.type', description: 'The type of this ServiceImport.' },
    { name: 'IP', type: 'string', jsonPath: '.spec.ips', description: 'The VIP for this ServiceImport.' },
    AGE_COLUMN,
  ],
});

/** `clusterproperties.about.k8s.io` */
export const CLUSTER_PROPERTY_CRD = crd({
  group: 'about.k8s.io',
  kind: 'ClusterProperty',
  plural: 'clusterproperties',
  scope: 'Cluster',
  categories: ['multicluster'],
  schema: CLUSTER_PROPERTY_SCHEMA,
  statusSubresource: false,
  // about.k8s.io is a protected group; the API was approved through KEP-2149.
  approval: 'https://github.com/kubernetes/enhancements/tree/master/keps/sig-multicluster/2149-clusterid',
  printerColumns: [{ name: 'value', type: 'string', jsonPath: '.spec.value' }, AGE_COLUMN],
});

/** Every CRD the project ships, in install order. */
export const ALL_CRDS = [SERVICE_EXPORT_CRD, SERVICE_IMPORT_CRD, CLUSTER_PROPERTY_CRD];
