import { SyncMetrics } from '../../../lib/runner/observe/metrics';
import { CounterMetric } from '../../../lib/runner/observe/metric-types';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text';

describe('SyncMetrics', () => {
  it('exposes counts as counters ending in _total and latencies as histograms, in valid text format', async () => {
    const m = new SyncMetrics();
    m.writes.inc({ cluster: 'c1', resource: 'endpointslices', verb: 'apply' });
    m.writes.inc({ cluster: 'c1', resource: 'endpointslices', verb: 'apply' });
    m.syncLatency.observe(0.02);
    m.syncLatency.observe(100);
    m.leader.set({}, 1);
    const families = parsePrometheusText(await m.scrape());
    for (const f of families.values()) {
      if (f.type === 'counter') expect(f.name).toMatch(/_total$/);
    }
    expect(families.get('cdk8s_mcs_writes_total')!.type).toBe('counter');
    expect(families.get('cdk8s_mcs_api_requests_total')!.type).toBe('counter');
    expect(families.get('cdk8s_mcs_informer_lists_total')!.type).toBe('counter');
    expect(sampleValue(families, 'cdk8s_mcs_writes_total', { cluster: 'c1', resource: 'endpointslices', verb: 'apply' })).toBe(2);
    expect(sampleValue(families, 'cdk8s_mcs_sync_latency_seconds_bucket', { le: '0.025' })).toBe(1);
    expect(sampleValue(families, 'cdk8s_mcs_sync_latency_seconds_count')).toBe(2);
    expect(sampleValue(families, 'cdk8s_mcs_leader')).toBe(1);
  });

  it('escapes quotes, backslashes and newlines in label values instead of altering them', async () => {
    const m = new SyncMetrics();
    const odd = 'we"ird\\clu\nster';
    m.clusterReachable.set({ cluster: odd }, 1);
    m.errors.inc({ cluster: odd });
    const families = parsePrometheusText(await m.scrape());
    expect(sampleValue(families, 'cdk8s_mcs_cluster_reachable', { cluster: odd })).toBe(1);
    expect(sampleValue(families, 'cdk8s_mcs_errors_total', { cluster: odd })).toBe(1);
  });

  it('keeps histogram memory bounded: a million observations leave one count per bucket', async () => {
    const m = new SyncMetrics();
    for (let i = 0; i < 1_000_000; i++) m.reconcileDuration.observe((i % 1000) / 100);
    const family = parsePrometheusText(await m.scrape()).get('cdk8s_mcs_reconcile_duration_seconds')!;
    expect(family.samples).toHaveLength(13 + 2); // 12 bounds + Inf, sum, count
    expect(m.reconcileDuration.count()).toBe(1_000_000);
  });

  it('adds the standard process and Node.js metrics only when asked', async () => {
    const withProcess = parsePrometheusText(await new SyncMetrics({ processMetrics: true }).scrape());
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(withProcess.has(name)).toBe(true);
    }
    expect(parsePrometheusText(await new SyncMetrics().scrape()).has('process_cpu_seconds_total')).toBe(false);
  });

  it('mirrors running totals kept elsewhere as counters that only move by the difference', async () => {
    const m = new SyncMetrics();
    const labels = { cluster: 'c1', verb: 'list', resource: 'pods' };
    m.apiRequests.set(labels, 5);
    m.apiRequests.set(labels, 5);
    m.apiRequests.set(labels, 9);
    expect(m.apiRequests.get(labels)).toBe(9);
    expect(sampleValue(parsePrometheusText(await m.scrape()), 'cdk8s_mcs_api_requests_total', labels)).toBe(9);
  });

  it('reads counts synchronously per label set, whatever order the labels come in, and in total', () => {
    const m = new SyncMetrics();
    m.writes.inc({ cluster: 'a', resource: 'r', verb: 'apply' });
    m.writes.inc({ verb: 'apply', resource: 'r', cluster: 'a' }, 2);
    m.writes.inc({ cluster: 'b', resource: 'r', verb: 'delete' });
    expect(m.writes.get({ resource: 'r', cluster: 'a', verb: 'apply' })).toBe(3);
    expect(m.writes.total()).toBe(4);
  });

  it('refuses a counter name without _total and a negative increment', () => {
    const m = new SyncMetrics();
    expect(() => new CounterMetric({ registry: m.registry, name: 'cdk8s_mcs_things', help: 'x' })).toThrow('counter "cdk8s_mcs_things" must end in _total');
    expect(() => m.errors.inc({ cluster: 'a' }, -1)).toThrow('cannot change by -1');
  });

  it('gives two controllers in one process separate registries', async () => {
    const a = new SyncMetrics();
    const b = new SyncMetrics();
    a.errors.inc({ cluster: 'x' });
    expect(sampleValue(parsePrometheusText(await b.scrape()), 'cdk8s_mcs_errors_total', { cluster: 'x' })).toBeUndefined();
  });
});
