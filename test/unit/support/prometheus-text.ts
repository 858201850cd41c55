/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for tests: it throws on the
 * first line a scraper could misread (bad names, bad escapes, values that are not numbers, a TYPE
 * after samples, a family split in two, duplicate series, inconsistent histograms), so a test that
 * parses `/metrics` proves the runner's output well-formed, not merely greppable.
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  type: MetricType;
  help?: string;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Go's strconv.ParseFloat, which the format names: decimals, and nan/inf/infinity in any case. */
const FLOAT = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity)|nan)$/i;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const SUFFIXES: Record<string, readonly string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count', ''] };

class ParseError extends Error {}

function parseFloatStrict(text: string, what: string): number {
  if (!FLOAT.test(text)) {
    throw new ParseError(`${what} "${text}" is not a float (expected e.g. 1, 0.25, 1e-3, +Inf, NaN)`);
  }
  if (/inf/i.test(text)) {
    return text.startsWith('-') ? -Infinity : Infinity;
  }
  return /nan/i.test(text) ? NaN : Number(text);
}

/** `\\` and `\n` in HELP; also `\"` in label values; any other escape is an error. */
function unescape(text: string, allowQuote: boolean): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && allowQuote) return '"';
    throw new ParseError(`invalid escape "\\${c}"`);
  });
}

/** `{a="x",b="y"}` starting at `text[0] === '{'`; returns the labels and the rest of the line. */
function parseLabels(text: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    if (text[i] === '}') {
      return { labels, rest: text.slice(i + 1) };
    }
    const name = /^[^=]*/.exec(text.slice(i))![0];
    if (!LABEL_NAME.test(name)) {
      throw new ParseError(`invalid label name "${name}"`);
    }
    if (name in labels) {
      throw new ParseError(`label "${name}" given twice`);
    }
    i += name.length;
    if (text.slice(i, i + 2) !== '="') {
      throw new ParseError(`label "${name}" must be followed by ="value"`);
    }
    i += 2;
    const value = /^(?:[^"\\\n]|\\.)*/.exec(text.slice(i))![0];
    i += value.length;
    if (text[i] !== '"') {
      throw new ParseError(`label "${name}" has an unterminated value`);
    }
    labels[name] = unescape(value, true);
    i++;
    if (text[i] === ',') {
      i++;
    } else if (text[i] !== '}') {
      throw new ParseError(`expected "," or "}" after label "${name}", got "${text[i] ?? 'end of line'}"`);
    }
  }
}

function parseSample(line: string): Sample {
  const name = /^[^{ \t]*/.exec(line)![0];
  if (!METRIC_NAME.test(name)) {
    throw new ParseError(`invalid metric name "${name}"`);
  }
  let rest = line.slice(name.length);
  let labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    ({ labels, rest } = parseLabels(rest));
  }
  const fields = rest.split(/[ \t]+/);
  if (fields[0] !== '' || fields.length < 2 || fields.length > 3) {
    throw new ParseError('expected "<name>[{labels}] <value> [timestamp]"');
  }
  if (fields.length === 3 && !/^-?\d+$/.test(fields[2])) {
    throw new ParseError(`timestamp "${fields[2]}" is not an integer`);
  }
  return { name, labels, value: parseFloatStrict(fields[1], 'value') };
}

/** The family a sample belongs to: its own name, or a histogram's/summary's base name. */
function familyOf(sample: Sample, families: Map<string, Family>): string {
  for (const [type, suffixes] of Object.entries(SUFFIXES)) {
    for (const suffix of suffixes) {
      const base = suffix ? sample.name.slice(0, -suffix.length) : sample.name;
      if (sample.name.endsWith(suffix) && families.get(base)?.type === type) {
        return base;
      }
    }
  }
  return sample.name;
}

function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new ParseError(`histogram ${f.name}: a bucket without "le"`);
      entry.buckets.push([parseFloatStrict(le, 'le'), s.value]);
    } else if (s.name === `${f.name}_count`) {
      entry.count = s.value;
    } else if (s.name === `${f.name}_sum`) {
      entry.sum = s.value;
    } else {
      throw new ParseError(`histogram ${f.name}: unexpected sample ${s.name}`);
    }
  }
  for (const [key, e] of series) {
    const last = e.buckets[e.buckets.length - 1];
    if (!last || last[0] !== Infinity || e.count === undefined || e.sum === undefined || last[1] !== e.count) {
      throw new ParseError(`histogram ${f.name}${key}: needs ascending buckets ending in le="+Inf" equal to _count, and a _sum`);
    }
    e.buckets.forEach(([le, n], i) => {
      if (i > 0 && (le <= e.buckets[i - 1][0] || n < e.buckets[i - 1][1])) {
        throw new ParseError(`histogram ${f.name}${key}: bucket le="${le}" out of order or smaller than the one before`);
      }
    });
  }
}

function checkFamily(f: Family): void {
  if (f.type === 'histogram') {
    checkHistogram(f);
  }
  if (f.type === 'counter' && f.samples.some((s) => !(s.value >= 0))) {
    throw new ParseError(`counter ${f.name} has a negative or NaN value`);
  }
}

/** Parses a whole exposition; throws `line N: why: <line>` on the first malformed line. */
export function parsePrometheusText(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith('\n')) {
    throw new Error('the exposition must end with a newline');
  }
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  let current: Family | undefined;
  const enter = (name: string): Family => {
    if (current?.name !== name) {
      if (closed.has(name)) throw new ParseError(`family ${name} appears again after other families (its lines must be together)`);
      if (current) closed.add(current.name);
      current = families.get(name) ?? { name, type: 'untyped', samples: [] };
      families.set(name, current);
    }
    return current;
  };
  const seen = new Set<string>();
  const typed = new Set<string>();
  text.split('\n').slice(0, -1).forEach((line, index) => {
    try {
      parseLine(line);
    } catch (e) {
      throw e instanceof ParseError ? new Error(`line ${index + 1}: ${e.message}: ${JSON.stringify(line)}`) : e;
    }
  });
  function parseLine(line: string): void {
    if (line.trim() === '') {
      return;
    }
    const meta = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
    if (meta) {
      const [, keyword, name, rest = ''] = meta;
      if (!METRIC_NAME.test(name)) throw new ParseError(`invalid metric name "${name}"`);
      const f = enter(name);
      if (keyword === 'HELP') {
        if (f.help !== undefined) throw new ParseError(`second HELP for ${name}`);
        f.help = unescape(rest, false);
        return;
      }
      if (!TYPES.includes(rest as MetricType)) throw new ParseError(`unknown type "${rest}"`);
      if (typed.has(name) || f.samples.length > 0) throw new ParseError(`TYPE for ${name} after its samples or a second time`);
      f.type = rest as MetricType;
      typed.add(name);
      return;
    }
    if (line.startsWith('#')) {
      return; // a comment
    }
    const sample = parseSample(line);
    const series = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(series)) throw new ParseError(`duplicate series ${sample.name}${JSON.stringify(sample.labels)}`);
    seen.add(series);
    enter(familyOf(sample, families)).samples.push(sample);
  }
  for (const f of families.values()) {
    try {
      checkFamily(f);
    } catch (e) {
      throw e instanceof ParseError ? new Error(e.message) : e;
    }
  }
  return families;
}

/** The value of one series, or undefined. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families.values()) {
    const s = f.samples.find((x) => x.name === name && JSON.stringify(Object.entries(x.labels).sort()) === JSON.stringify(Object.entries(labels).sort()));
    if (s) return s.value;
  }
  return undefined;
}
