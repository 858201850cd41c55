import { FleetModel, Problem } from '../model';
import { checkAmbiguousAmcsHostnames } from './ambiguous-amcs-hostnames';
import { checkClustersetDnsSupport } from './clusterset-dns-support';
import { checkDnsNameLengths } from './dns-name-lengths';
import { checkDuplicateImports } from './duplicate-imports';
import { checkExportConflicts } from './export-conflicts';
import { checkImportsHaveExports } from './import-has-export';
import { checkImportPorts } from './import-ports';

/** A whole-fleet rule: returns every problem it finds, never throws. */
export type FleetCheck = (model: FleetModel) => Problem[];

/**
 * Every whole-fleet rule on the model, run at synth time before anything is written. The storage
 * class rule (`checkStorageClasses`) reads rendered objects and runs with the output step.
 */
export const FLEET_CHECKS: readonly FleetCheck[] = [
  checkImportsHaveExports,
  checkDuplicateImports,
  checkImportPorts,
  checkExportConflicts,
  checkClustersetDnsSupport,
  checkDnsNameLengths,
  checkAmbiguousAmcsHostnames,
];

/** Runs every fleet check. */
export function checkFleet(model: FleetModel): Problem[] {
  return FLEET_CHECKS.flatMap((check) => check(model));
}

export { checkStorageClasses } from './storage-class';
