/**
 * The DNS names a fleet's `fleet.md` lists, read back from the file itself: `npm run demo -- --dist`
 * resolves exactly what the user was promised, not a list recomputed some other way. A unit test
 * holds this parser to resolvableNames(), so a change of fleet.md's layout cannot slip past it.
 */

export interface FleetMdName {
  /** The cluster whose CoreDNS answers the name (`### Resolvable in \`<id>\``). */
  readonly consumer: string;
  readonly fqdn: string;
  /** `amcs` or `clusterset`. */
  readonly method: string;
  readonly namespace: string;
  /** The pod the name reaches; undefined for a service-level name. */
  readonly pod?: string;
  /** A service-level name: the service whose every ready pod it returns. */
  readonly service?: string;
  /** The provider cluster of the pod(s). */
  readonly source: string;
}

const SECTION = /^### Resolvable in `([^`]+)`\s*$/;
const ROW = /^\| `([^`]+)` \| ([a-z-]+) \| (.+) \|\s*$/;
const POD_TARGET = /^pod `([^`/]+)\/([^`]+)` in `([^`]+)`$/;
const SERVICE_TARGET = /^every ready pod of `([^`/]+)\/([^`]+)` in `([^`]+)`$/;

/** Every name of fleet.md's "DNS names" section, per consumer, in the file's order. Throws on a row it cannot read. */
export function fleetMdNames(markdown: string): FleetMdName[] {
  const names: FleetMdName[] = [];
  let consumer: string | undefined;
  for (const [i, line] of markdown.split('\n').entries()) {
    if (line.startsWith('## ')) {
      consumer = undefined;
    }
    const section = SECTION.exec(line);
    if (section) {
      consumer = section[1];
      continue;
    }
    const row = consumer ? ROW.exec(line) : null;
    if (!consumer || !row) {
      continue;
    }
    names.push({ consumer, fqdn: row[1], method: row[2], ...target(row[3], i + 1) });
  }
  return names;
}

function target(text: string, line: number): Pick<FleetMdName, 'namespace' | 'service' | 'pod' | 'source'> {
  const pod = POD_TARGET.exec(text);
  if (pod) {
    return { namespace: pod[1], pod: pod[2], source: pod[3] };
  }
  const service = SERVICE_TARGET.exec(text);
  if (service) {
    return { namespace: service[1], service: service[2], source: service[3] };
  }
  throw new Error(`fleet.md line ${line}: cannot read what "${text}" reaches; expected "pod \`ns/pod\` in \`cluster\`" or "every ready pod of \`ns/svc\` in \`cluster\`"`);
}

