import { CoreDnsFlavour, KUBEADM_DEFAULT_COREFILE, PatchOptions, patchCorefile } from '../../../lib/corefile';
import { fixture, FixtureName, optionLines, outlineWithoutMulticluster, pluginLine, pluginLines, textWithoutMulticluster } from './helpers';

const IN_TREE: PatchOptions = { flavour: CoreDnsFlavour.IN_TREE, version: '1.12.2' };

function patch(text: string, options: Partial<PatchOptions> = {}) {
  return patchCorefile(text, { ...IN_TREE, ...options });
}

const BASES: FixtureName[] = ['kubeadm', 'custom-two-blocks', 'reference-scenario', 'reference-external-patched', 'kubeadm-in-tree-patched', 'k3s', 'eks'];

describe('patchCorefile, in-tree flavour', () => {
  test('adds clusterset.local after cluster.local, a multicluster option and the cache exemptions to the kubeadm default, nothing else', () => {
    const result = patch(KUBEADM_DEFAULT_COREFILE);
    expect(result.changed).toBe(true);
    expect(result.corefile).toBe(
      KUBEADM_DEFAULT_COREFILE.replace(
        '    kubernetes cluster.local in-addr.arpa ip6.arpa {\n',
        '    kubernetes cluster.local clusterset.local in-addr.arpa ip6.arpa {\n       multicluster clusterset.local\n',
      ).replace(/disable (success|denial) cluster\.local\n/g, 'disable $1 cluster.local clusterset.local\n'),
    );
  });

  test.each(BASES)('on %s: kubernetes serves cluster.local first, then clusterset.local, with the multicluster option', (name) => {
    const { corefile } = patch(fixture(name));
    expect(pluginLine(corefile, '.:53', 'kubernetes')).toMatch(/^kubernetes cluster\.local clusterset\.local( |$)/);
    expect(optionLines(corefile, '.:53', 'kubernetes')[0]).toBe('multicluster clusterset.local');
    expect(pluginLine(corefile, '.:53', 'multicluster')).toBeUndefined();
  });

  test.each(BASES)('on %s: every other plugin, option, comment and space stays as it was', (name) => {
    const input = fixture(name);
    const { corefile } = patch(input);
    expect(outlineWithoutMulticluster(corefile)).toEqual(outlineWithoutMulticluster(input));
    expect(textWithoutMulticluster(corefile)).toBe(textWithoutMulticluster(input));
  });

  test.each(BASES)('on %s: patching the result again changes nothing', (name) => {
    const once = patch(fixture(name)).corefile;
    expect(patch(once)).toEqual({ corefile: once, changed: false, warnings: expect.any(Array) });
  });

  test('leaves the already patched kubeadm Corefile unchanged, without a cache warning', () => {
    const input = fixture('kubeadm-in-tree-patched');
    expect(patch(input)).toEqual({ corefile: input, changed: false, warnings: [] });
  });

  test('indents the new option like its tab-indented neighbours', () => {
    const { corefile } = patch(fixture('custom-two-blocks'));
    expect(corefile).toContain('\tkubernetes cluster.local clusterset.local in-addr.arpa ip6.arpa {\n\t\tmulticluster clusterset.local\n\t\tpods insecure\n');
  });

  test('leaves a server block without kubernetes (consul:53) alone', () => {
    const input = fixture('custom-two-blocks');
    expect(pluginLines(patch(input).corefile, 'consul:53')).toEqual(pluginLines(input, 'consul:53'));
  });

  test('converts the external-plugin form: the server-level multicluster line goes, with its trailing comment', () => {
    const { corefile } = patch(fixture('reference-external-patched'));
    expect(corefile).not.toContain('# added');
    expect(corefile).toBe(
      fixture('reference-scenario').replace(
        '    kubernetes cluster.local in-addr.arpa ip6.arpa {\n',
        '    kubernetes cluster.local clusterset.local in-addr.arpa ip6.arpa {\n      multicluster clusterset.local\n',
      ),
    );
  });

  test('warns when it drops options of the external plugin it converts', () => {
    const input = '.:53 {\n    multicluster clusterset.local {\n        noendpoints\n    }\n    kubernetes cluster.local\n}\n';
    const result = patch(input);
    expect(pluginLines(result.corefile, '.:53')).toEqual([['kubernetes cluster.local clusterset.local', ['multicluster clusterset.local']]]);
    expect(result.warnings).toContain(
      'removed the external-plugin "multicluster clusterset.local" directive (input line 2) together with its options (noendpoints); the in-tree option takes its settings from the kubernetes plugin',
    );
  });

  test('creates the kubernetes block when the plugin has none', () => {
    expect(patch('.:53 {\n    kubernetes cluster.local\n}\n').corefile).toBe(
      '.:53 {\n    kubernetes cluster.local clusterset.local {\n        multicluster clusterset.local\n    }\n}\n',
    );
  });

  test('fills an empty kubernetes block', () => {
    expect(patch('.:53 {\n  kubernetes cluster.local {\n  }\n}\n').corefile).toBe(
      '.:53 {\n  kubernetes cluster.local clusterset.local {\n    multicluster clusterset.local\n  }\n}\n',
    );
  });

  test('keeps a comment after the opening brace on its line', () => {
    expect(patch('.:53 {\n    kubernetes cluster.local { # cluster DNS\n        pods insecure\n    }\n}\n').corefile).toBe(
      '.:53 {\n    kubernetes cluster.local clusterset.local { # cluster DNS\n        multicluster clusterset.local\n        pods insecure\n    }\n}\n',
    );
  });

  test('keeps CRLF line endings in the lines it adds', () => {
    const { corefile } = patch('.:53 {\r\n    kubernetes cluster.local {\r\n        pods insecure\r\n    }\r\n}\r\n');
    expect(corefile).toBe('.:53 {\r\n    kubernetes cluster.local clusterset.local {\r\n        multicluster clusterset.local\r\n        pods insecure\r\n    }\r\n}\r\n');
  });

  test('splits a one-line kubernetes block and warns about the brace CoreDNS would refuse', () => {
    const result = patch('.:53 {\n    kubernetes cluster.local { pods insecure }\n}\n');
    expect(optionLines(result.corefile, '.:53', 'kubernetes')).toEqual(['multicluster clusterset.local', 'pods insecure']);
    expect(result.warnings).toContainEqual(expect.stringMatching(/^Corefile line 4: "}" shares its line with "pods"; CoreDNS reads it as part of that line/));
  });

  test('extends a multicluster option for another zone instead of adding a second one', () => {
    const input = '.:53 {\n    kubernetes cluster.local fleet.example {\n        multicluster fleet.example\n    }\n}\n';
    expect(patch(input).corefile).toBe('.:53 {\n    kubernetes cluster.local clusterset.local fleet.example {\n        multicluster fleet.example clusterset.local\n    }\n}\n');
  });

  test('extends the last multicluster option, the only one CoreDNS keeps', () => {
    const input = '.:53 {\n    kubernetes cluster.local a.example b.example {\n        multicluster a.example\n        multicluster b.example\n    }\n}\n';
    expect(optionLines(patch(input).corefile, '.:53', 'kubernetes')).toEqual(['multicluster a.example', 'multicluster b.example clusterset.local']);
  });

  test('recognises zones written with a trailing dot or in capitals', () => {
    const input = '.:53 {\n    kubernetes Cluster.Local. {\n        multicluster clusterset.local.\n    }\n}\n';
    const result = patch(input);
    expect(pluginLine(result.corefile, '.:53', 'kubernetes')).toBe('kubernetes Cluster.Local. clusterset.local');
    expect(optionLines(result.corefile, '.:53', 'kubernetes')).toEqual(['multicluster clusterset.local.']);
  });

  test('uses the given cluster domain and clusterset zone', () => {
    const input = '.:53 {\n    kubernetes k8s.example.com in-addr.arpa\n}\n';
    const { corefile } = patch(input, { clusterDomain: 'k8s.example.com', clustersetZone: 'fleet.example.' });
    expect(corefile).toBe('.:53 {\n    kubernetes k8s.example.com fleet.example in-addr.arpa {\n        multicluster fleet.example\n    }\n}\n');
  });

  test('patches every server block whose kubernetes plugin serves the cluster domain', () => {
    const input = '.:53 {\n    kubernetes cluster.local\n}\n.:5353 {\n    kubernetes cluster.local\n}\n';
    const { corefile } = patch(input);
    for (const keys of ['.:53', '.:5353']) expect(pluginLine(corefile, keys, 'kubernetes')).toBe('kubernetes cluster.local clusterset.local');
  });

  test('spells out the zones of a kubernetes plugin without zone arguments, and warns when the block cannot receive the clusterset zone', () => {
    const result = patch('cluster.local:53 {\n    kubernetes\n}\n');
    expect(pluginLine(result.corefile, 'cluster.local:53', 'kubernetes')).toBe('kubernetes cluster.local clusterset.local');
    expect(result.warnings).toContain(
      'server block "cluster.local:53" (line 1) never receives queries for clusterset.local: none of its keys covers that zone; add the key "clusterset.local:53" to it, or serve the zone from its own block (multiclusterServerBlock)',
    );
  });

  test('warns when clusterset.local already comes before cluster.local, since the first zone names PTR answers', () => {
    const result = patch('.:53 {\n    kubernetes clusterset.local cluster.local\n}\n');
    expect(pluginLine(result.corefile, '.:53', 'kubernetes')).toBe('kubernetes clusterset.local cluster.local');
    expect(result.warnings).toContain('kubernetes at line 2 lists clusterset.local before cluster.local, so PTR answers name pods under clusterset.local; list cluster.local first');
  });
});

describe('patchCorefile cache warning', () => {
  const withCache = (cache: string) => `.:53 {\n    kubernetes cluster.local\n    ${cache}\n}\n`;

  test('exempts clusterset.local from the cache wherever the cluster domain is exempted, as kubeadm does for cluster.local', () => {
    const result = patch(KUBEADM_DEFAULT_COREFILE);
    expect(result.warnings).toEqual([]);
    expect(result.corefile).toMatch(/\n +disable success cluster\.local clusterset\.local\n +disable denial cluster\.local clusterset\.local\n/);
  });

  test('leaves a cache that keeps cluster.local answers alone, and warns', () => {
    const result = patch(withCache('cache 10 {\n        disable success .\n    }'));
    expect(result.corefile).toContain('disable success .\n');
    expect(result.warnings).toEqual([expect.stringMatching(/add "disable denial clusterset.local" to its block/)]);
  });

  test.each([
    ['cache 30', /up to 30s late.*add "disable success clusterset.local" and "disable denial clusterset.local"/],
    ['cache', /up to 3600s late/],
    ['cache 10 {\n        disable success clusterset.local\n    }', /add "disable denial clusterset.local" to its block/],
  ])('warns for "%s"', (cache, message) => {
    expect(patch(withCache(cache)).warnings).toEqual([expect.stringMatching(message)]);
  });

  test.each([
    ['no cache', ''],
    ['a cache for other zones only', 'cache 30 cluster.local'],
    ['both kinds disabled for the zone', 'cache 30 {\n        disable success cluster.local clusterset.local\n        disable denial local\n    }'],
    ['both kinds disabled for every zone', 'cache {\n        disable success\n        disable denial\n    }'],
    ['every zone exempted from success caching and the cluster domain (mirrored) from denial caching', 'cache 10 {\n        disable success .\n        disable denial cluster.local\n    }'],
  ])('does not warn with %s', (_, cache) => {
    expect(patch(withCache(cache)).warnings).toEqual([]);
  });
});

describe('patchCorefile refusals', () => {
  test('says what it found when no kubernetes plugin serves the cluster domain', () => {
    expect(() => patch(fixture('custom-two-blocks'), { clusterDomain: 'corp.local' })).toThrow(
      new Error(
        'no server block has a kubernetes plugin serving the cluster domain "corp.local"; found: ' +
          'server block "consul:53" (line 3) without kubernetes (plugins: errors, cache, forward); ' +
          'server block ".:53" (line 9) with kubernetes serving cluster.local in-addr.arpa ip6.arpa. ' +
          'Pass clusterDomain if the cluster uses another domain, or start from KUBEADM_DEFAULT_COREFILE',
      ),
    );
  });

  test('says so when the Corefile has no server block at all', () => {
    expect(() => patch('# empty\n')).toThrow(/serving the cluster domain "cluster.local"; found: no server blocks\./);
  });

  test('refuses two kubernetes plugins in one server block, as CoreDNS does', () => {
    expect(() => patch('.:53 {\n    kubernetes cluster.local\n    kubernetes other.local\n}\n')).toThrow(
      'server block ".:53" (line 1) has 2 kubernetes plugins (lines 2, 3); CoreDNS allows one per server block',
    );
  });

  test.each([
    [{ clustersetZone: 'cluster set' }, 'clustersetZone "cluster set" is not a DNS zone; expected a domain name such as "clusterset.local"'],
    [{ clusterDomain: '' }, 'clusterDomain "" is not a DNS zone; expected a domain name such as "cluster.local"'],
    [{ clustersetZone: 'Cluster.Local.' }, 'clustersetZone "cluster.local" equals clusterDomain; the clusterset zone must differ from the cluster domain, e.g. "clusterset.local"'],
  ])('refuses options %j', (options, message) => {
    expect(() => patch(KUBEADM_DEFAULT_COREFILE, options)).toThrow(new Error(message));
  });

  test('reports malformed input with its line and column', () => {
    expect(() => patch('.:53 {\n    kubernetes cluster.local {\n')).toThrow(/^Corefile 2:30: the '\{' of "kubernetes" is never closed/);
  });
});
