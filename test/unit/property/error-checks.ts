/**
 * What a thrown error must look like: a plain Error, a message that names the construct and the
 * field, and for whole-fleet checks one `[path] message` line per problem the oracle expects.
 */
import { FleetDesc } from './fleet-description';
import { ConstructionError } from './oracle-construction';
import { ExpectedProblem, ProblemKind } from './oracle-fleet';

const PROBLEM_KINDS: ReadonlyArray<[RegExp, ProblemKind]> = [
  [/^cluster "[^"]*": the cluster ID/, 'cluster ID invalid'],
  [/no construct in the fleet exports/, 'import without export'],
  [/is not headless/, 'import of a non-headless export'],
  [/is not exported by any provider/, 'imported port not exported'],
  [/^TypeConflict:/, 'export TypeConflict'],
  [/^PortConflict:/, 'export PortConflict'],
  [/uses DnsMethod\.CLUSTERSET in cluster/, 'CoreDNS cannot serve clusterset.local'],
  [/is too long|DnsMethod\.AMCS needs a Service named/, 'DNS name too long'],
  [/run pods with the same names/, 'ambiguous amcs pod names'],
  [/has no storage class/, 'no storage class'],
  [/twice \(also from/, 'same object twice'],
  [/one cluster can import a service once/, 'service imported twice into a cluster'],
  [/which is not inside a Cluster, so no cluster would get it/, 'object outside every cluster'],
  [/Corefile/, 'Corefile cannot be patched'],
];

const HEADER = /^the fleet has (\d+) (problem|problems); nothing was written:$/;
const LINE = /^ {2}\[([^\]]+)\] (.+)$/;

/** Signs of a crash or a sloppy message rather than a report written for the user. */
function sloppiness(message: string, fleet: FleetDesc): string | undefined {
  const nanAllowed = containsNaN(fleet) && /got NaN/.test(message);
  const bad = ['undefined', '[object Object]', 'TypeError', 'Cannot read properties', 'is not a function', ...(nanAllowed ? [] : ['NaN'])];
  return bad.find((b) => message.includes(b));
}

function containsNaN(value: unknown): boolean {
  if (typeof value === 'number') return Number.isNaN(value);
  if (value && typeof value === 'object') return Object.values(value).some(containsNaN);
  return false;
}

/** The message of a thrown value, failing unless it is a plain Error with a clean message. */
export function plainErrorMessage(thrown: unknown, fleet: FleetDesc): string {
  if (!(thrown instanceof Error) || thrown.constructor !== Error) {
    throw new Error(`expected a plain Error, got ${thrown instanceof Error ? `${thrown.constructor.name}: ${thrown.message}\n${thrown.stack}` : String(thrown)}`);
  }
  const sloppy = sloppiness(thrown.message, fleet);
  if (sloppy) {
    throw new Error(`error message contains "${sloppy}":\n${thrown.message}`);
  }
  return thrown.message;
}

/** Checks a construction-time error against the oracle; returns the rule names for the statistics. */
export function checkConstructionError(message: string, expected: ConstructionError): readonly string[] {
  const lower = message.toLowerCase();
  const fieldNamed = expected.fields.some((f) => lower.includes(f.toLowerCase()));
  if (!message.includes(expected.construct) || !fieldNamed) {
    throw new Error(`expected an error naming ${expected.construct} and one of ${JSON.stringify(expected.fields)} (${expected.rules.join(', ')}), got:\n${message}`);
  }
  return expected.rules;
}

export interface ReportedProblem {
  readonly path: string;
  readonly kind: ProblemKind | 'unclassified';
  readonly message: string;
}

/** Parses `the fleet has N problems; nothing was written:` and its N lines. */
export function parseFleetError(message: string): ReportedProblem[] {
  const [header, ...lines] = message.split('\n');
  const count = HEADER.exec(header);
  if (!count) {
    throw new Error(`a whole-fleet error must start with "the fleet has N problem(s); nothing was written:", got:\n${message}`);
  }
  if (Number(count[1]) !== lines.length || (count[2] === 'problem') !== (lines.length === 1)) {
    throw new Error(`the header announces ${count[1]} ${count[2]} but ${lines.length} lines follow:\n${message}`);
  }
  return lines.map((line) => {
    const m = LINE.exec(line);
    if (!m) {
      throw new Error(`problem line is not "  [<construct path>] <message>": ${JSON.stringify(line)}`);
    }
    const kind = PROBLEM_KINDS.find(([re]) => re.test(m[2]))?.[1] ?? 'unclassified';
    return { path: m[1], kind, message: m[2] };
  });
}

/** The reported problems must be exactly the expected ones (as a multiset of path and kind). */
export function checkFleetProblems(message: string, expected: readonly ExpectedProblem[]): readonly ProblemKind[] {
  const reported = parseFleetError(message);
  const key = (p: { path: string; kind: string }) => `[${p.path}] ${p.kind}`;
  const want = expected.map(key).sort();
  const got = reported.map(key).sort();
  if (JSON.stringify(want) !== JSON.stringify(got)) {
    throw new Error(`fleet problems differ from the oracle's\n  expected: ${JSON.stringify(want)}\n  reported: ${JSON.stringify(got)}\n${message}`);
  }
  return expected.map((p) => p.kind);
}
