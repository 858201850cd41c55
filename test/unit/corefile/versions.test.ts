import {
  checkCoreDnsSupports,
  compareCoreDnsVersions,
  CoreDnsFlavour,
  hasInTreeMulticluster,
  KUBEADM_DEFAULT_COREFILE,
  MIN_EXTERNAL_PLUGIN_VERSION,
  MIN_IN_TREE_VERSION,
  parseCoreDnsVersion,
  patchCorefile,
} from '../../../lib/corefile';

describe('CoreDNS versions', () => {
  test('exports the minimum versions of both flavours', () => {
    expect(MIN_IN_TREE_VERSION).toBe('1.12.2');
    expect(MIN_EXTERNAL_PLUGIN_VERSION).toBe('1.9.3');
  });

  test.each([
    ['1.12.2', { major: 1, minor: 12, patch: 2 }],
    ['v1.12.2', { major: 1, minor: 12, patch: 2 }],
    ['1.12', { major: 1, minor: 12, patch: 0 }],
    ['v1.11.1-eksbuild.4', { major: 1, minor: 11, patch: 1 }],
    [' 1.14.7 ', { major: 1, minor: 14, patch: 7 }],
  ])('parses %j', (text, version) => {
    expect(parseCoreDnsVersion(text)).toEqual(version);
  });

  test.each(['latest', '1', '1.x.2', 'coredns:1.12.2', ''])('refuses %j as not a version', (text) => {
    expect(() => parseCoreDnsVersion(text)).toThrow(`CoreDNS version ${JSON.stringify(text)} is not a version; expected MAJOR.MINOR[.PATCH] such as "1.12.2" or "v1.12.2"`);
  });

  test('compares numerically, not as text', () => {
    expect(compareCoreDnsVersions('1.9.3', '1.12.2')).toBeLessThan(0);
    expect(compareCoreDnsVersions('v1.12.10', '1.12.2')).toBeGreaterThan(0);
    expect(compareCoreDnsVersions('1.12', '1.12.0')).toBe(0);
  });

  test.each(['1.12.2', 'v1.12.2', '1.13', '1.14.7', '2.0.0'])('accepts in-tree on %s', (version) => {
    expect(() => checkCoreDnsSupports(CoreDnsFlavour.IN_TREE, version)).not.toThrow();
    expect(hasInTreeMulticluster(version)).toBe(true);
  });

  test('refuses in-tree below 1.12.2 and says what to do instead, naming the flavour by its enum', () => {
    expect(() => checkCoreDnsSupports(CoreDnsFlavour.IN_TREE, 'v1.11.3')).toThrow(
      new Error(
        'CoreDNS 1.11.3 cannot serve clusterset.local with the in-tree multicluster option (needs >= 1.12.2). ' +
          'Fix: upgrade CoreDNS to >= 1.12.2 and set coreDnsVersion to the version it runs; or, if this CoreDNS is built with the external plugin github.com/coredns/multicluster, ' +
          'set coreDnsFlavour: CoreDnsFlavour.EXTERNAL_PLUGIN; or import with DnsMethod.AMCS only, which needs no DNS change',
      ),
    );
  });

  test.each(['1.8.0', '1.9.2', 'v1.6.9'])('never suggests the external plugin on %s, which is too old for it too', (version) => {
    let message = '';
    try {
      checkCoreDnsSupports(CoreDnsFlavour.IN_TREE, version);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/nor with the external plugin github.com\/coredns\/multicluster \(CoreDnsFlavour.EXTERNAL_PLUGIN, needs >= 1\.9\.3\)/);
    expect(message).toMatch(/Fix: upgrade CoreDNS to >= 1\.12\.2 \(stock CoreDNS, CoreDnsFlavour.IN_TREE\)/);
    expect(message).not.toMatch(/set coreDnsFlavour: CoreDnsFlavour.EXTERNAL_PLUGIN|"external-plugin"/);
  });

  test.each(['1.12.1', '1.12', '1.12.0', '1.9.3'])('refuses in-tree on %s', (version) => {
    expect(() => checkCoreDnsSupports(CoreDnsFlavour.IN_TREE, version)).toThrow(/needs >= 1\.12\.2/);
  });

  test.each(['1.9.3', 'v1.10.1', '1.11.3', '1.12.2'])('accepts external-plugin on %s', (version) => {
    expect(() => checkCoreDnsSupports(CoreDnsFlavour.EXTERNAL_PLUGIN, version)).not.toThrow();
  });

  test('refuses external-plugin below 1.9.3 and says what to do instead', () => {
    expect(() => checkCoreDnsSupports(CoreDnsFlavour.EXTERNAL_PLUGIN, '1.9.2')).toThrow(
      new Error(
        'CoreDNS 1.9.2 is too old for the external multicluster plugin github.com/coredns/multicluster (needs >= 1.9.3). ' +
          'Fix: upgrade CoreDNS to >= 1.12.2 and set coreDnsFlavour: CoreDnsFlavour.IN_TREE (stock CoreDNS, no plugin build), or to >= 1.9.3 with a build carrying the plugin; ' +
          'or import with DnsMethod.AMCS only, which needs no DNS change',
      ),
    );
  });

  test('refuses an unknown flavour', () => {
    expect(() => checkCoreDnsSupports('sidecar' as CoreDnsFlavour, '1.12.2')).toThrow('unknown CoreDNS flavour "sidecar"; expected "in-tree" or "external-plugin"');
  });

  test('patchCorefile refuses a version too old for the flavour before touching the Corefile', () => {
    expect(() => patchCorefile(KUBEADM_DEFAULT_COREFILE, { flavour: CoreDnsFlavour.IN_TREE, version: '1.11.1' })).toThrow(/CoreDNS 1\.11\.1 cannot serve/);
    expect(() => patchCorefile('not { a corefile', { flavour: CoreDnsFlavour.EXTERNAL_PLUGIN, version: '1.8.0' })).toThrow(/CoreDNS 1\.8\.0 is too old/);
  });
});
