/**
 * Minimal structural types for the Kubernetes objects the runner reads and writes. Our own,
 * so that pure runner code depends on shapes, not on the client library.
 */

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly OwnerReference[];
  readonly managedFields?: readonly unknown[];
}

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: string;
}

export interface Pod extends KubeObject {
  readonly spec?: {
    readonly hostname?: string;
    readonly subdomain?: string;
    readonly nodeName?: string;
    readonly containers?: readonly { readonly name: string; readonly ports?: readonly ContainerPort[] }[];
  };
  readonly status?: {
    readonly phase?: string;
    readonly podIP?: string;
    readonly podIPs?: readonly { readonly ip: string }[];
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
  };
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: string;
  readonly targetPort?: number | string;
  readonly appProtocol?: string;
}

/** core/v1 SessionAffinityConfig. */
export interface SessionAffinityConfig {
  readonly clientIP?: { readonly timeoutSeconds?: number };
}

export interface ServiceSpec {
  readonly type?: string;
  readonly clusterIP?: string;
  readonly clusterIPs?: readonly string[];
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports?: readonly ServicePort[];
  readonly publishNotReadyAddresses?: boolean;
  readonly externalName?: string;
  readonly ipFamilies?: readonly string[];
  readonly ipFamilyPolicy?: string;
  readonly sessionAffinity?: string;
  readonly sessionAffinityConfig?: SessionAffinityConfig;
  readonly internalTrafficPolicy?: string;
  readonly trafficDistribution?: string;
}

export interface Service extends KubeObject {
  readonly spec?: ServiceSpec;
}

export interface EndpointPort {
  readonly name?: string;
  readonly port?: number;
  readonly protocol?: string;
  readonly appProtocol?: string;
}

export interface Endpoint {
  readonly addresses: readonly string[];
  readonly hostname?: string;
  readonly conditions?: { readonly ready?: boolean; readonly serving?: boolean; readonly terminating?: boolean };
  readonly zone?: string;
  readonly nodeName?: string;
  readonly targetRef?: unknown;
}

export interface EndpointSlice extends KubeObject {
  readonly addressType: string;
  readonly endpoints?: readonly Endpoint[] | null;
  readonly ports?: readonly EndpointPort[] | null;
}

export interface ServiceExport extends KubeObject {
  readonly spec?: {
    readonly exportedLabels?: Readonly<Record<string, string>>;
    readonly exportedAnnotations?: Readonly<Record<string, string>>;
  };
  readonly status?: { readonly conditions?: readonly Condition[] };
}

export interface ServiceImportSpec {
  readonly type?: string;
  readonly ports?: readonly { readonly name?: string; readonly port: number; readonly protocol?: string; readonly appProtocol?: string }[];
  readonly ips?: readonly string[];
  readonly ipFamilies?: readonly string[];
  readonly sessionAffinity?: string;
  readonly sessionAffinityConfig?: SessionAffinityConfig;
  readonly internalTrafficPolicy?: string;
  readonly trafficDistribution?: string;
}

export interface ServiceImport extends KubeObject {
  readonly spec?: ServiceImportSpec;
  readonly status?: { readonly clusters?: readonly { readonly cluster: string }[]; readonly conditions?: readonly Condition[] };
}

export interface Lease extends KubeObject {
  readonly spec?: {
    readonly holderIdentity?: string;
    readonly leaseDurationSeconds?: number;
    readonly acquireTime?: string;
    readonly renewTime?: string;
    readonly leaseTransitions?: number;
  };
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(o: { metadata: { name: string; namespace?: string } }): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

export interface Namespace extends KubeObject {
  readonly status?: { readonly phase?: string };
}
