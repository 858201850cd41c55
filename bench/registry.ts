/** Every benchmark `npm run bench -- <name>` knows. */
import { applyBenchmark } from './apply';
import { Benchmark, Params } from './common/benchmark';
import { propagationBenchmark } from './propagation';
import { scaleBenchmark } from './scale';
import { synthBenchmark } from './synth';
import { writeVerbsBenchmark } from './write-verbs';

export const BENCHMARKS: readonly Benchmark<Params, unknown>[] = [
  propagationBenchmark as unknown as Benchmark<Params, unknown>,
  synthBenchmark as unknown as Benchmark<Params, unknown>,
  scaleBenchmark as unknown as Benchmark<Params, unknown>,
  applyBenchmark as unknown as Benchmark<Params, unknown>,
  writeVerbsBenchmark as unknown as Benchmark<Params, unknown>,
];

export function benchmarkNamed(name: string): Benchmark<Params, unknown> {
  const found = BENCHMARKS.find((b) => b.name === name);
  if (!found) {
    throw new Error(`unknown benchmark "${name}"; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  }
  return found;
}
