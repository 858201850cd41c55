/**
 * The runner is one long-lived process whose live heap is small (25 MB at 3,000 pods, most of it
 * code), but V8 sizes the heap for throughput by default: a young generation that grows to 32 MB
 * and an old generation left to reach several times the live data before a full collection. On the
 * scale benchmark (300 services x 10 pods) that made a 164 MiB process of a 25 MB heap; with V8's
 * --optimize-for-size it peaked at 104 MiB, for about 10-15% more runner CPU (the runner is a fifth
 * of the CPU a sync costs; the API servers the rest). V8 reads the flag at every collection, so
 * setting it at start applies from then on. Only `cdk8s-mcs sync` does it: a program embedding
 * SyncController keeps its own heap policy.
 */
import * as v8 from 'node:v8';

export function preferSmallHeap(): void {
  v8.setFlagsFromString('--optimize-for-size');
}
