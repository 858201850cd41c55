import { Yaml } from 'cdk8s';
import { Document } from 'yaml';

/**
 * The YAML of one document, byte for byte what cdk8s `Yaml.stringify(doc)` writes (the `yaml`
 * package, YAML 1.1 schema, no line folding), but emitted directly for the plain data Kubernetes
 * objects are made of: plain objects and arrays of simple one-line strings, safe integers,
 * booleans and null. Anything else in the document (multi-line or non-ASCII strings, quotes,
 * floats, shared sub-objects that `yaml` would write as aliases, ...) sends the whole document
 * through `Yaml.stringify`. Building a `yaml` Document per object was the largest cost of synth.
 */
export function yamlText(doc: unknown): string {
  if (isPlainObject(doc) || Array.isArray(doc)) {
    const seen = new Set<object>();
    const text = block(doc, '', seen);
    if (text !== undefined) {
      return `${text}\n`;
    }
  }
  return Yaml.stringify(doc);
}

/** Tags the YAML 1.1 schema reads from plain scalars: a string matching one must be quoted (`<<`, the merge key, is left to `yaml`). */
const SCALAR_TESTS: readonly RegExp[] = (() => {
  const schema = new Document(null, { version: '1.1' }).schema;
  const tags = [...schema.tags, ...((schema as { compat?: typeof schema.tags }).compat ?? [])];
  return tags.filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test).map((t) => t.test as RegExp);
})();

/** What `yaml` refuses to write plain (its plainString), or writes as a block when at the top. */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** A string as `yaml` writes it (key or value), or undefined when only `yaml` itself knows. */
function scalarString(s: string): string | undefined {
  if (s.length > 1000 || !PRINTABLE_ASCII.test(s) || DOCUMENT_MARKER.test(s) || s === '<<') {
    return undefined;
  }
  if (NOT_PLAIN.test(s) || SCALAR_TESTS.some((t) => t.test(s))) {
    // `yaml` double-quotes it: JSON-style, unchanged for printable ASCII without " or \ (a
    // string with " but no ' would be single-quoted)
    return s.includes('"') || s.includes('\\') ? undefined : `"${s}"`;
  }
  return s;
}

function scalar(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return scalarString(v);
    case 'number':
      return Number.isSafeInteger(v) && !Object.is(v, -0) ? String(v) : undefined;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      return v === null ? 'null' : undefined;
    default:
      return undefined;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) {
    return false;
  }
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isPlainArray(v: unknown): v is unknown[] {
  return Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype;
}

/** A non-empty collection as a block, every line starting with `indent`; undefined: not plain data. */
function block(v: Record<string, unknown> | unknown[], indent: string, seen: Set<object>): string | undefined {
  if (seen.has(v)) {
    return undefined; // `yaml` would write an anchor and an alias
  }
  seen.add(v);
  if (Array.isArray(v)) {
    if (!isPlainArray(v) || v.length === 0) {
      return v.length === 0 && isPlainArray(v) && indent === '' ? '[]' : undefined;
    }
    const lines: string[] = [];
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) {
        return undefined;
      }
      const item = value(v[i], `${indent}  `, seen);
      if (item === undefined) {
        return undefined;
      }
      // a nested block starts on the dash's line
      lines.push(`${indent}- ${item.startsWith('\n') ? item.slice(indent.length + 3) : item}`);
    }
    return lines.join('\n');
  }
  const keys = Object.keys(v);
  if (keys.length === 0) {
    return indent === '' ? '{}' : undefined;
  }
  const lines: string[] = [];
  for (const key of keys) {
    const k = scalarString(key);
    const item = k === undefined ? undefined : value(v[key], `${indent}  `, seen);
    if (item === undefined) {
      return undefined;
    }
    lines.push(`${indent}${k}:${item.startsWith('\n') ? item : ` ${item}`}`);
  }
  return lines.join('\n');
}

/** A value after `key:` or `- `: a scalar or flow `{}`/`[]`, or `\n` and a block at `indent`. */
function value(v: unknown, indent: string, seen: Set<object>): string | undefined {
  if (isPlainArray(v)) {
    if (v.length === 0) {
      return seen.has(v) ? undefined : (seen.add(v), '[]');
    }
    const b = block(v, indent, seen);
    return b === undefined ? undefined : `\n${b}`;
  }
  if (isPlainObject(v)) {
    if (Object.keys(v).length === 0) {
      return seen.has(v) ? undefined : (seen.add(v), '{}');
    }
    const b = block(v, indent, seen);
    return b === undefined ? undefined : `\n${b}`;
  }
  return typeof v === 'object' && v !== null ? undefined : scalar(v);
}
