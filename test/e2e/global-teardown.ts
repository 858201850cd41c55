/** jest globalTeardown (e2e project): stops every process of the bed that globalSetup started. */
import { down, liveProcesses, readState } from '../../testbed/harness';

export default async function globalTeardown(): Promise<void> {
  if (process.env.TESTBED_REUSED === '1') return;
  const s = readState();
  if (!s || s.owner.pid !== process.pid) return;
  const t0 = Date.now();
  const since = Number(process.env.TESTBED_SETUP_DONE_AT || 0);
  if (since) process.stderr.write(`[testbed] e2e suite time: ${((t0 - since) / 1000).toFixed(1)}s\n`);
  const r = await down({ log: (l) => process.stderr.write(`[testbed] ${l}\n`) });
  const left = liveProcesses(s);
  if (left.length) throw new Error(`test bed processes left running: ${left.map((p) => `${p.cluster}/${p.component}:${p.pid}`).join(', ')}`);
  process.stderr.write(`[testbed] down: ${r.stopped} process(es) stopped in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
}
