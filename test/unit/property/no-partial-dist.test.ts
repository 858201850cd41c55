/**
 * Issue #7, "no partial dist/": `synth()` of an invalid fleet leaves the previous output byte for
 * byte as it was and no staging folder behind; `synth()` of a valid fleet writes exactly what
 * `render()` returns. Fleets come from the same generators as fleets.test.ts, with faults that only
 * whole-fleet checks can see (so that synth, not a constructor, has to refuse them).
 *
 * Reproduce a failure with the seed and path fast-check prints:
 *   NO_PARTIAL_DIST_SEED=<seed> npx jest test/unit/property/no-partial-dist
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { referenceFleet } from '../support/fleet';
import { buildFleet } from './build';
import { plainErrorMessage } from './error-checks';
import { GeneratedFleet } from './fleet-description';
import { FLEET_LEVEL_KINDS, generatedFleet } from './mutations';
import { judge } from './oracle';
import { FleetStats } from './stats';

const SEED = Number(process.env.NO_PARTIAL_DIST_SEED ?? 7_1707);
const RUNS = Number(process.env.NO_PARTIAL_DIST_RUNS ?? 300);

/** Every file and folder under `dir`, with the bytes of each file. */
function snapshot(dir: string): Map<string, Buffer | 'dir'> {
  const entries = fs.readdirSync(dir, { recursive: true, withFileTypes: true });
  return new Map(
    entries
      .map((e) => path.join(path.relative(dir, e.parentPath), e.name))
      .sort()
      .map((rel) => [rel, fs.statSync(path.join(dir, rel)).isDirectory() ? 'dir' : fs.readFileSync(path.join(dir, rel))]),
  );
}

/** Paths added, removed or changed between two snapshots. */
function changes(a: Map<string, Buffer | 'dir'>, b: Map<string, Buffer | 'dir'>): string[] {
  const same = (v: Buffer | 'dir', w: Buffer | 'dir' | undefined) => (v === 'dir' ? w === 'dir' : w !== undefined && w !== 'dir' && v.equals(w));
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => !a.has(k) || !same(a.get(k)!, b.get(k)));
}

describe('synth of generated fleets (property, fast-check)', () => {
  const stats = new FleetStats('no-partial-dist.test.ts');
  const started = Date.now();
  let parent: string;
  let previous: string;
  let baseline: Map<string, Buffer | 'dir'>;
  let validWrites = 0;

  beforeAll(() => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'mcs-no-partial-'));
    previous = path.join(parent, 'dist');
    const { fleet } = referenceFleet({ fleetProps: { outdir: previous } });
    fleet.synth();
    baseline = snapshot(previous);
  });

  afterAll(() => {
    fs.rmSync(parent, { recursive: true, force: true });
    console.log(stats.report({ seed: SEED, 'valid fleets synthesized into a fresh folder': validWrites, seconds: ((Date.now() - started) / 1000).toFixed(1) }));
  });

  /** An invalid fleet: building or synth throws a plain Error, and the previous output is untouched. */
  function refuses(g: GeneratedFleet): void {
    let thrown: unknown;
    try {
      buildFleet(g.fleet, previous).synth();
    } catch (e) {
      thrown = e;
    }
    if (thrown === undefined) {
      throw new Error('synth wrote a fleet the oracle calls invalid');
    }
    plainErrorMessage(thrown, g.fleet);
    expect(changes(baseline, snapshot(previous))).toEqual([]);
  }

  /** A valid fleet: synth writes exactly what render returns, replacing a stale folder. */
  function writes(g: GeneratedFleet): void {
    const outdir = path.join(parent, 'fresh');
    fs.mkdirSync(path.join(outdir, 'stale-cluster'), { recursive: true });
    const fleet = buildFleet(g.fleet, outdir);
    const rendered = fleet.render();
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true); // LiteralSecret warnings
    try {
      fleet.synth();
    } finally {
      stderr.mockRestore();
    }
    const written = snapshot(outdir);
    const files = [...written].flatMap(([k, v]) => (v === 'dir' ? [] : [[k, v.toString()] as const]));
    expect(new Map(files)).toEqual(new Map(rendered.files));
    fs.rmSync(outdir, { recursive: true });
    validWrites += 1;
  }

  it('leaves the previous output untouched, byte for byte, when the fleet is invalid, and writes exactly the render when it is valid', () => {
    fc.assert(
      fc.property(generatedFleet(FLEET_LEVEL_KINDS, 0), (g) => {
        const verdict = judge(g.fleet);
        let errorKinds: string[] = [];
        if (verdict.outcome === 'valid') {
          writes(g);
        } else {
          refuses(g);
          errorKinds = verdict.outcome === 'construction error' ? [...verdict.error.rules] : verdict.problems.map((p) => p.kind);
        }
        expect(fs.readdirSync(parent).sort()).toEqual(['dist']); // no staging or previous-output folder left behind
        stats.record(verdict.outcome, g.injected, errorKinds);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
