import { ServiceExport } from '../../kube/types';
import { ConditionInput } from './conditions';
import { ExportResolution } from './exports';

/** The export's Ready condition: True once its endpoints are part of the import, else why not. */
export function readyCondition(clusterId: string, resolution: ExportResolution, se: ServiceExport): ConditionInput {
  const observedGeneration = se.metadata.generation ?? 0;
  if (resolution.sources.some((s) => s.clusterId === clusterId)) {
    return { type: 'Ready', status: 'True', reason: 'Exported', message: 'The service is exported to the clusterset', observedGeneration };
  }
  const valid = resolution.exportConditions.get(clusterId)?.find((c) => c.type === 'Valid');
  const why = valid?.status === 'False' ? valid.message : 'its type conflicts with the oldest export of this service';
  return { type: 'Ready', status: 'False', reason: 'Pending', message: `Not exported: ${why}`, observedGeneration };
}
