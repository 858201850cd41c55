/** The per-fleet property: build, render, and compare with the oracle (shared by the property tests). */
import { Fleet, FleetOutput } from '../../../lib';
import { buildFleet } from './build';
import { checkConstructionError, checkFleetProblems, plainErrorMessage } from './error-checks';
import { GeneratedFleet } from './fleet-description';
import { judge, Verdict } from './oracle';
import { checkValidOutput } from './output-checks';

export interface FleetCheckResult {
  readonly outcome: Verdict['outcome'];
  readonly errorKinds: readonly string[];
  /** Whether the determinism check ran on this fleet. */
  readonly deterministic: boolean;
}

/** Builds and renders; returns what happened, throwing when it contradicts the oracle. */
function buildAndRender(g: GeneratedFleet, verdict: Verdict): { errorKinds: readonly string[]; output?: FleetOutput; fleet?: Fleet } {
  let fleet: Fleet;
  try {
    fleet = buildFleet(g.fleet);
  } catch (e) {
    const message = plainErrorMessage(e, g.fleet);
    if (verdict.outcome !== 'construction error') {
      throw new Error(`a construct refused the fleet, but the oracle expected ${describeVerdict(verdict)}:\n${message}`);
    }
    return { errorKinds: checkConstructionError(message, verdict.error) };
  }
  if (verdict.outcome === 'construction error') {
    throw new Error(`every construct accepted the fleet, but the oracle expected an error naming ${verdict.error.construct} (${verdict.error.rules.join(', ')})`);
  }
  try {
    return { errorKinds: [], output: fleet.render(), fleet };
  } catch (e) {
    const message = plainErrorMessage(e, g.fleet);
    if (verdict.outcome !== 'fleet problems') {
      throw new Error(`render failed, but the oracle expected a valid fleet:\n${message}`);
    }
    return { errorKinds: checkFleetProblems(message, verdict.problems) };
  }
}

function describeVerdict(verdict: Verdict): string {
  return verdict.outcome === 'fleet problems' ? `whole-fleet problems ${JSON.stringify(verdict.problems)}` : verdict.outcome;
}

function expectSameFiles(a: FleetOutput, b: FleetOutput, what: string): void {
  const differing = [...new Set([...a.files.keys(), ...b.files.keys()])].filter((f) => a.files.get(f) !== b.files.get(f));
  if (differing.length > 0) {
    throw new Error(`${what} differs in ${differing.join(', ')}`);
  }
}

/**
 * Checks one generated fleet against the oracle; throws on any disagreement. `checkDeterminism`
 * also renders a valid fleet a second time, and builds and renders its description once more.
 */
export function checkGeneratedFleet(g: GeneratedFleet, checkDeterminism: boolean): FleetCheckResult {
  const verdict = judge(g.fleet);
  const { errorKinds, output, fleet } = buildAndRender(g, verdict);
  if (output && fleet && verdict.outcome === 'valid') {
    checkValidOutput(g.fleet, verdict.objects, output);
    if (checkDeterminism) {
      expectSameFiles(output, fleet.render(), 'rendering the same fleet twice');
      expectSameFiles(output, buildFleet(g.fleet).render(), 'building and rendering the same description twice');
    }
    return { outcome: verdict.outcome, errorKinds, deterministic: checkDeterminism };
  }
  if (output) {
    throw new Error(`the fleet rendered, but the oracle expected ${describeVerdict(verdict)}`);
  }
  return { outcome: verdict.outcome, errorKinds, deterministic: false };
}

