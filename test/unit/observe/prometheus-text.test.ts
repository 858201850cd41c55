import { parsePrometheusText, sampleValue } from '../support/prometheus-text';

const good = [
  '# HELP http_requests_total Requests, by code.\\nSecond line.',
  '# TYPE http_requests_total counter',
  'http_requests_total{code="200",path="/a\\"b\\\\c\\nd"} 1027 1395066363000',
  'http_requests_total{code="400"} 3',
  '',
  '# TYPE latency_seconds histogram',
  'latency_seconds_bucket{le="0.1"} 1',
  'latency_seconds_bucket{le="+Inf"} 2',
  'latency_seconds_sum 0.35',
  'latency_seconds_count 2',
  '# a comment',
  'up NaN',
  '',
].join('\n');

describe('the strict Prometheus text parser used by the metrics tests', () => {
  it('reads families, types, help, escaped label values and histogram series', () => {
    const f = parsePrometheusText(good);
    expect([...f.keys()]).toEqual(['http_requests_total', 'latency_seconds', 'up']);
    expect(f.get('http_requests_total')!.help).toBe('Requests, by code.\nSecond line.');
    expect(f.get('latency_seconds')!.type).toBe('histogram');
    expect(f.get('latency_seconds')!.samples).toHaveLength(4);
    expect(sampleValue(f, 'http_requests_total', { code: '200', path: '/a"b\\c\nd' })).toBe(1027);
  });

  it.each([
    ['a metric name with a dash', 'bad-name 1\n'],
    ['a value that is not a number', 'x abc\n'],
    ['a missing value', 'x{a="b"}\n'],
    ['trailing garbage', 'x 1 2 3\n'],
    ['a non-integer timestamp', 'x 1 1.5\n'],
    ['an unescaped quote in a label value', 'x{a="b"c"} 1\n'],
    ['an invalid escape in a label value', 'x{a="\\t"} 1\n'],
    ['an unterminated label value', 'x{a="b} 1\n'],
    ['a label without a value', 'x{a} 1\n'],
    ['a label given twice', 'x{a="1",a="2"} 1\n'],
    ['a bad label name', 'x{1a="1"} 1\n'],
    ['an unknown TYPE', '# TYPE x countr\nx 1\n'],
    ['a TYPE after samples', 'x 1\n# TYPE x gauge\n'],
    ['a second HELP', '# HELP x a\n# HELP x b\nx 1\n'],
    ['a duplicate series', 'x{a="1"} 1\nx{a="1"} 2\n'],
    ['a family split in two', 'x 1\ny 1\nx{a="1"} 2\n'],
    ['a negative counter', '# TYPE x_total counter\nx_total -1\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['a histogram whose +Inf differs from _count', '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 2\n'],
    ['a histogram with decreasing buckets', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="2"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n'],
    ['no final newline', 'x 1'],
  ])('refuses %s', (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
