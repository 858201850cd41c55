/**
 * V8's --optimize-for-size, for the two processes of this project that hold much data at once.
 *
 * The synth (a Fleet sets it when created, unless `smallHeap: false`): the construct tree of 50
 * clusters x 200 services and its render leave ~200 MB live but, with V8's throughput defaults,
 * ~400 MB of heap before a full collection: peak RSS 490-520 MiB; with the flag set before the
 * tree is built, 300-320 MiB, for constructs 2.4 -> 3.4 s and render 12 -> 16 s on this machine
 * (measured 2026-12-05, bench/children/synth-child.js). Set after the tree is built it changes
 * nothing (517 MiB): the flag governs what is allocated after it.
 *
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
