import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ALL_CRDS } from '../crds/mcs-crds';

/**
 * The ServiceExport, ServiceImport and ClusterProperty CRDs, emitted into a cluster so that the
 * cluster is self-sufficient (CoreDNS needs the ServiceImport CRD before it can become ready).
 */
export class MulticlusterCrds extends Construct {
  public constructor(scope: Construct, id: string) {
    super(scope, id);
    for (const crd of ALL_CRDS) {
      const { apiVersion, kind, metadata, ...rest } = structuredClone(crd) as { apiVersion: string; kind: string; metadata: { name: string } };
      new ApiObject(this, metadata.name, { apiVersion, kind, metadata, ...rest });
    }
  }
}
