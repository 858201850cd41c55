/**
 * An API server holding one Lease, shared by several LeaderElectors as real replicas share one:
 * optimistic concurrency on update (409 on a stale resourceVersion), 409 on create of an existing
 * Lease, watches that see every change, and per-replica partitions (its requests fail) to stand in
 * for a replica that is cut off or killed.
 */
import { KubeApiError } from '../../../lib/kube/errors';
import { KubeClient, RequestOptions } from '../../../lib/kube/client';
import { KubeObject, Lease } from '../../../lib/kube/types';

type WatchEvent = { type: string; object: KubeObject };

export class FakeLeaseApi {
  public lease?: Lease;
  private version = 100;
  private readonly watchers = new Set<(e: WatchEvent) => void>();
  /** Every change, for watches that start from an older resourceVersion. */
  private readonly log: WatchEvent[] = [];
  /** Replicas whose requests fail as if the API server were unreachable. */
  public readonly partitioned = new Set<string>();
  /** Successful writes, by replica. */
  public readonly writes: { replica: string; holder: string; at: number }[] = [];

  public clientFor(replica: string): KubeClient {
    const fail = () => {
      if (this.partitioned.has(replica)) {
        throw new KubeApiError(`cluster "c": cannot reach the API server (${replica} is partitioned)`, 0, 'Unreachable', 'c');
      }
    };
    return {
      clusterId: 'c',
      list: async () => {
        fail();
        return { items: this.lease ? [this.copy()] : [], resourceVersion: String(this.version) };
      },
      watch: async (_p: string, q: { resourceVersion?: string }, onEvent: (e: WatchEvent) => void, signal: AbortSignal) => {
        fail();
        await new Promise<void>((resolve) => {
          const deliver = (e: WatchEvent) => (this.partitioned.has(replica) ? undefined : onEvent(e));
          // As the API server does, a watch from a resourceVersion first gets every change after it.
          this.log.filter((e) => Number(e.object.metadata.resourceVersion) > Number(q.resourceVersion ?? 0)).forEach(deliver);
          this.watchers.add(deliver);
          signal.addEventListener('abort', () => { this.watchers.delete(deliver); resolve(); }, { once: true });
        });
      },
      get: async () => {
        fail();
        if (!this.lease) {
          throw new KubeApiError('not found', 404, 'NotFound', 'c');
        }
        return this.copy();
      },
      request: async (o: RequestOptions) => {
        fail();
        return this.write(replica, o);
      },
    } as unknown as KubeClient;
  }

  private write(replica: string, o: RequestOptions): Lease {
    const body = o.body as Lease;
    if (o.method === 'POST' && this.lease) {
      throw new KubeApiError('already exists', 409, 'AlreadyExists', 'c');
    }
    if (o.method === 'PUT' && body.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) {
      throw new KubeApiError('the object has been modified', 409, 'Conflict', 'c');
    }
    const type = this.lease ? 'MODIFIED' : 'ADDED';
    this.lease = { ...body, metadata: { ...body.metadata, name: 'leader', namespace: 'ns', uid: 'u', resourceVersion: String(++this.version), managedFields: [{ manager: 'x' }] } };
    this.writes.push({ replica, holder: this.lease.spec?.holderIdentity ?? '', at: Date.now() });
    this.log.push({ type, object: this.copy() });
    for (const w of this.watchers) {
      w({ type, object: this.copy() });
    }
    return this.copy();
  }

  private copy(): Lease {
    return JSON.parse(JSON.stringify(this.lease));
  }
}
