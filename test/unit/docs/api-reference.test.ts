import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../support/temp-dir';

const ROOT = path.join(__dirname, '..', '..', '..');
const COMMITTED = path.join(ROOT, 'docs', 'api');

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('the API reference in docs/api', () => {
  it('is what typedoc generates from the TSDoc of the public API today (run `npm run docs:api` after changing it)', () => {
    const out = tempDir('mcs-api-');
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out, '--logLevel', 'Error'], { cwd: ROOT, stdio: 'pipe' });
    expect(filesUnder(out)).toEqual(filesUnder(COMMITTED));
    for (const file of filesUnder(out)) {
      expect({ file, text: fs.readFileSync(path.join(COMMITTED, file), 'utf8') }).toEqual({ file, text: fs.readFileSync(path.join(out, file), 'utf8') });
    }
    fs.rmSync(out, { recursive: true, force: true });
  }, 240_000);

  it('documents every construct and every prop of the public API', () => {
    const index = fs.readFileSync(path.join(COMMITTED, 'index.md'), 'utf8');
    for (const construct of ['Fleet', 'Cluster', 'MultiClusterStatefulSet', 'HeadlessImport', 'ExportedService', 'CoreDnsMulticluster', 'SyncRunner', 'LiteralSecret']) {
      expect(index).toContain(`### ${construct}\n`);
    }
    const pages = filesUnder(COMMITTED).map((f) => fs.readFileSync(path.join(COMMITTED, f), 'utf8'));
    expect(pages.flatMap(undocumentedProperties)).toEqual([]);
  });

  it('says what every optional input of a construct defaults to', () => {
    const index = fs.readFileSync(path.join(COMMITTED, 'index.md'), 'utf8');
    expect(optionalWithoutDefault(index)).toEqual([]);
  });
});

/** Interfaces that are construct input (props and what they nest), whose optional fields must each say what omitting them means. */
const CONSTRUCT_INPUT = /Props$|^(WorkloadSpec|ProviderPlacement|ConfigMapMount|PodAntiAffinity|ContainerResources|VolumeClaim|WorkloadPort|SecretEnv|FleetContribution)$/;

interface PropertyRow {
  readonly heading: string;
  readonly name: string;
  /** The Description cell; `**Default**` and what follows is typedoc's rendering of `@default`. */
  readonly description: string;
}

/** Every row of every property table, with the interface (or class) heading it is under. */
function propertyRows(markdown: string): PropertyRow[] {
  const rows: PropertyRow[] = [];
  let heading = '';
  let descriptionColumn = -1;
  for (const line of markdown.split('\n')) {
    const cells = line.split(' | ').map((c) => c.replace(/^\| ?| ?\|$/g, '').trim());
    if (line.startsWith('### ')) {
      heading = line.slice(4);
    } else if (line.startsWith('| Property |')) {
      descriptionColumn = cells.indexOf('Description');
    } else if (line.startsWith('| <a id="property-')) {
      rows.push({ heading, name: /`([^`]+)`/.exec(line)?.[1] ?? '', description: descriptionColumn < 0 ? '' : cells[descriptionColumn] });
    }
  }
  return rows;
}

/** `Interface.property` for every optional construct input whose description has no `**Default**`. */
function optionalWithoutDefault(markdown: string): string[] {
  return propertyRows(markdown)
    .filter((r) => CONSTRUCT_INPUT.test(r.heading) && r.name.endsWith('?') && !r.description.includes('**Default**'))
    .map((r) => `${r.heading}.${r.name}`);
}

/**
 * `Interface.property` for every property whose description says nothing but its default: a
 * missing or `-` cell, or one that starts with typedoc's `**Default**` (a lone `@default` tag).
 */
function undocumentedProperties(markdown: string): string[] {
  return propertyRows(markdown)
    .filter((r) => {
      const prose = r.description.split('**Default**')[0].replace(/<br\s*\/?>/g, '').trim();
      return prose === '' || prose === '-';
    })
    .map((r) => `${r.heading}.${r.name}`);
}
