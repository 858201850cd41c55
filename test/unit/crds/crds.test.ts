import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_CRDS, CLUSTER_PROPERTY_CRD, SERVICE_EXPORT_CRD, SERVICE_IMPORT_CRD } from '../../../lib/crds/mcs-crds';
import { renderCrdFiles } from '../../../lib/crds/render';

const root = path.join(__dirname, '..', '..', '..');
const spec = (crd: any) => crd.spec;
const schemaOf = (crd: any, version: string) => spec(crd).versions.find((v: any) => v.name === version).schema.openAPIV3Schema;

describe('the CRDs the project ships', () => {
  it('are committed exactly as lib/crds renders them (run `npm run gen:crds` after a change)', () => {
    for (const [file, text] of Object.entries(renderCrdFiles())) {
      expect(fs.readFileSync(path.join(root, 'crds', file), 'utf8')).toBe(text);
    }
  });

  it('serve v1alpha1 (read by CoreDNS) and v1beta1 (stored) with one schema, like the upstream MCS API', () => {
    for (const crd of ALL_CRDS) {
      expect(spec(crd).versions.map((v: any) => [v.name, v.served, v.storage])).toEqual([['v1alpha1', true, false], ['v1beta1', true, true]]);
      expect(schemaOf(crd, 'v1alpha1')).toEqual(schemaOf(crd, 'v1beta1'));
      expect(spec(crd).conversion).toBeUndefined();
    }
  });

  it('use the upstream groups, kinds, names and scopes', () => {
    expect([SERVICE_EXPORT_CRD, SERVICE_IMPORT_CRD, CLUSTER_PROPERTY_CRD].map((c: any) => [c.metadata.name, spec(c).group, spec(c).names.kind, spec(c).scope])).toEqual([
      ['serviceexports.multicluster.x-k8s.io', 'multicluster.x-k8s.io', 'ServiceExport', 'Namespaced'],
      ['serviceimports.multicluster.x-k8s.io', 'multicluster.x-k8s.io', 'ServiceImport', 'Namespaced'],
      ['clusterproperties.about.k8s.io', 'about.k8s.io', 'ClusterProperty', 'Cluster'],
    ]);
    expect(spec(SERVICE_EXPORT_CRD).names.shortNames).toEqual(['svcex', 'svcexport']);
    expect(spec(SERVICE_IMPORT_CRD).names.shortNames).toEqual(['svcim', 'svcimport']);
  });

  it('give ServiceImport the upstream fields: required ports and type (ClusterSetIP|Headless), status clusters keyed by cluster', () => {
    const s = schemaOf(SERVICE_IMPORT_CRD, 'v1alpha1');
    expect(s.properties.spec.required).toEqual(['ports', 'type']);
    expect(s.properties.spec.properties.type.enum).toEqual(['ClusterSetIP', 'Headless']);
    expect(Object.keys(s.properties.spec.properties).sort()).toEqual(['internalTrafficPolicy', 'ipFamilies', 'ips', 'ports', 'sessionAffinity', 'sessionAffinityConfig', 'trafficDistribution', 'type']);
    expect(s.properties.spec.properties.ports.items.required).toEqual(['port']);
    expect(s.properties.status.properties.clusters['x-kubernetes-list-map-keys']).toEqual(['cluster']);
    expect(spec(SERVICE_IMPORT_CRD).versions[0].subresources).toEqual({ status: {} });
  });

  it('carry the approval annotation the API server requires for the protected about.k8s.io group', () => {
    expect((CLUSTER_PROPERTY_CRD as any).metadata.annotations['api-approved.kubernetes.io']).toMatch(/^https:\/\//);
    expect((SERVICE_EXPORT_CRD as any).metadata.annotations).toBeUndefined();
  });
});
