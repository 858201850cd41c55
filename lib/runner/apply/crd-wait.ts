/** Waits until CustomResourceDefinitions report `Established=True`, so their instances can be applied. */
import { KubeClient } from '../../kube/client';
import { CRDS, resourcePath } from '../../kube/resources';
import { KubeObject } from '../../kube/types';

export type CrdClient = Pick<KubeClient, 'request'>;

interface CrdCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

export const DEFAULT_CRD_TIMEOUT_MS = 60_000;
const POLL_MS = 250;

export function isEstablished(crd: KubeObject | undefined): boolean {
  return conditionsOf(crd).some((c) => c.type === 'Established' && c.status === 'True');
}

/** Polls the named CRDs until all are established; the error names each late one and its conditions. */
export async function waitForCrdsEstablished(client: CrdClient, names: readonly string[], timeoutMs = DEFAULT_CRD_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...names];
  const last = new Map<string, KubeObject>();
  while (pending.length > 0) {
    const crds = await Promise.all(pending.map(async (name) => (await client.request({ verb: 'get', method: 'GET', path: resourcePath(CRDS, { name }) })) as KubeObject));
    crds.forEach((crd) => last.set(crd.metadata.name, crd));
    pending = crds.filter((crd) => !isEstablished(crd)).map((crd) => crd.metadata.name);
    if (pending.length === 0) {
      return;
    }
    if (Date.now() >= deadline) {
      const detail = pending.map((n) => `${n} (${describeConditions(last.get(n))})`).join(', ');
      throw new Error(`CustomResourceDefinitions not Established=True after ${Math.round(timeoutMs / 1000)}s: ${detail}; raise --crd-timeout or check the API server log`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function conditionsOf(crd: KubeObject | undefined): readonly CrdCondition[] {
  return ((crd?.status as { conditions?: CrdCondition[] } | undefined)?.conditions ?? []);
}

function describeConditions(crd: KubeObject | undefined): string {
  const conditions = conditionsOf(crd);
  return conditions.length === 0 ? 'no conditions yet' : conditions.map((c) => `${c.type}=${c.status}${c.reason ? `: ${c.reason}` : ''}${c.message ? ` ${c.message}` : ''}`).join('; ');
}
