import { stringify } from 'yaml';
import { CLUSTER_PROPERTY_CRD, SERVICE_EXPORT_CRD, SERVICE_IMPORT_CRD } from './mcs-crds';

const HEADER = '# Generated from lib/crds by `npm run gen:crds`. Do not edit.\n';

/** The YAML text of each file under `crds/`, keyed by file name. */
export function renderCrdFiles(): Record<string, string> {
  const docs = (objs: object[]) => HEADER + objs.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
  return {
    'multicluster.x-k8s.io.yaml': docs([SERVICE_EXPORT_CRD, SERVICE_IMPORT_CRD]),
    'about.k8s.io.yaml': docs([CLUSTER_PROPERTY_CRD]),
  };
}
