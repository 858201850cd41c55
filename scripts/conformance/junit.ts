/**
 * Reads the JUnit report Ginkgo writes (`-ginkgo.junit-report`): one <testcase> per spec, named
 * `[It] <full text> [<label>, ...]`, with `status` and a <skipped>, <failure> or <error> child.
 * Ginkgo's encoder (Go encoding/xml) writes a small, regular subset of XML: attributes in double
 * quotes, character references for anything special. This reads exactly that subset. Pure.
 */

export interface JUnitCase {
  /** the testcase's `name` attribute, decoded */
  readonly name: string;
  /** Ginkgo's spec state: passed, skipped, failed, timedout, interrupted, aborted, panicked, pending */
  readonly status: string;
  readonly seconds: number;
  /** the message attribute of <failure> or <error> (or <skipped>) */
  readonly message?: string;
  /** the text of <failure> or <error>: where it failed, and the stack */
  readonly detail?: string;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes XML character and entity references (`&#34;`, `&#xA;`, `&amp;`...). */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) {
      return String.fromCodePoint(parseInt(ref.slice(2), 16));
    }
    if (ref.startsWith('#')) {
      return String.fromCodePoint(parseInt(ref.slice(1), 10));
    }
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)="([^"]*)"/g)) {
    out[m[1]] = decodeXmlText(m[2]);
  }
  return out;
}

/** The first <name ...>text</name> or <name .../> child in `body`. */
function child(body: string, name: string): { attrs: Record<string, string>; text: string } | undefined {
  const m = new RegExp(`<${name}((?:\\s+[\\w:-]+="[^"]*")*)\\s*(?:/>|>([\\s\\S]*?)</${name}>)`).exec(body);
  return m ? { attrs: attributes(m[1]), text: decodeXmlText(m[2] ?? '') } : undefined;
}

/** Every <testcase> of a Ginkgo JUnit report; throws naming what it expected when there is none. */
export function parseJUnit(xml: string): JUnitCase[] {
  const cases: JUnitCase[] = [];
  for (const m of xml.matchAll(/<testcase((?:\s+[\w:-]+="[^"]*")*)\s*(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const attrs = attributes(m[1]);
    const body = m[2] ?? '';
    const outcome = child(body, 'failure') ?? child(body, 'error') ?? child(body, 'skipped');
    cases.push({
      name: attrs.name ?? '',
      status: attrs.status ?? '',
      seconds: Number(attrs.time ?? 0),
      message: outcome?.attrs.message,
      detail: outcome && outcome.text.trim() !== '' ? outcome.text : undefined,
    });
  }
  if (cases.length === 0) {
    throw new Error(`the JUnit report holds no <testcase> (expected one per spec of the suite); it starts: ${JSON.stringify(xml.slice(0, 200))}`);
  }
  return cases;
}

/**
 * Splits a Ginkgo testcase name into node type, full text and labels:
 * `[It] A ServiceImport should ... [Required]` -> { nodeType: 'It', text: 'A ServiceImport should ...', labels: ['Required'] }.
 * Runs of whitespace (from empty container texts) collapse to one space.
 */
export function splitCaseName(name: string): { nodeType: string; text: string; labels: string[] } {
  const m = /^\[([^\]]+)\]\s*([\s\S]*?)(?:\s+\[([^\]]*)\])?$/.exec(name.trim());
  if (!m) {
    return { nodeType: '', text: name.replace(/\s+/g, ' ').trim(), labels: [] };
  }
  const labels = m[3] ? m[3].split(',').map((l) => l.trim()).filter(Boolean) : [];
  return { nodeType: m[1], text: m[2].replace(/\s+/g, ' ').trim(), labels };
}
