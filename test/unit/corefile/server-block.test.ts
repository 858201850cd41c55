import { CoreDnsFlavour, multiclusterServerBlock, parseCorefile, serverBlocks } from '../../../lib/corefile';
import { fixture, outline } from './helpers';

describe('multiclusterServerBlock', () => {
  test('in-tree: a second kubernetes instance authoritative for clusterset.local only', () => {
    expect(multiclusterServerBlock({ flavour: CoreDnsFlavour.IN_TREE, version: '1.12.2' })).toBe(
      'clusterset.local:53 {\n' +
        '    errors\n' +
        '    kubernetes clusterset.local {\n' +
        '        multicluster clusterset.local\n' +
        '    }\n' +
        '    loadbalance\n' +
        '}\n',
    );
  });

  test('external-plugin: the multicluster plugin on its own', () => {
    expect(multiclusterServerBlock({ flavour: CoreDnsFlavour.EXTERNAL_PLUGIN, version: '1.10.1' })).toBe(
      'clusterset.local:53 {\n    errors\n    multicluster clusterset.local\n    loadbalance\n}\n',
    );
  });

  test('serves the given clusterset zone', () => {
    expect(outline(multiclusterServerBlock({ flavour: CoreDnsFlavour.IN_TREE, version: '1.13.1', clustersetZone: 'Fleet.Example.' }))).toEqual([
      ['fleet.example:53', ['errors', ['kubernetes fleet.example', ['multicluster fleet.example']], 'loadbalance']],
    ]);
  });

  test('refuses a CoreDNS too old for the flavour', () => {
    expect(() => multiclusterServerBlock({ flavour: CoreDnsFlavour.IN_TREE, version: '1.12.0' })).toThrow(/CoreDNS 1\.12\.0 cannot serve clusterset\.local/);
  });

  test.each([CoreDnsFlavour.IN_TREE, CoreDnsFlavour.EXTERNAL_PLUGIN])('%s: fits next to the k3s Corefile as an imported *.server file', (flavour) => {
    const combined = fixture('k3s') + multiclusterServerBlock({ flavour, version: '1.12.2' });
    const keys = serverBlocks(parseCorefile(combined)).map((block) => block.keys.map((key) => key.value).join(' '));
    expect(keys).toEqual(['.:53', 'clusterset.local:53']);
  });
});
