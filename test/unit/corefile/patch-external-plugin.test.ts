import { CoreDnsFlavour, KUBEADM_DEFAULT_COREFILE, PatchOptions, patchCorefile } from '../../../lib/corefile';
import { fixture, FixtureName, optionLines, outlineWithoutMulticluster, pluginLine, pluginLines, textWithoutMulticluster } from './helpers';

const EXTERNAL: PatchOptions = { flavour: CoreDnsFlavour.EXTERNAL_PLUGIN, version: '1.11.3' };

function patch(text: string, options: Partial<PatchOptions> = {}) {
  return patchCorefile(text, { ...EXTERNAL, ...options });
}

const BASES: FixtureName[] = ['kubeadm', 'custom-two-blocks', 'reference-scenario', 'reference-external-patched', 'kubeadm-in-tree-patched', 'k3s', 'eks'];

/** The plugin names of the .:53 block, in order. */
function pluginNames(text: string): string[] {
  return pluginLines(text, '.:53').map((line) => (Array.isArray(line) ? line[0] : line).split(' ')[0]);
}

describe('patchCorefile, external-plugin flavour', () => {
  test('turns the reference scenario Corefile into the guide\'s: one multicluster line just above kubernetes', () => {
    const guide = fixture('reference-external-patched').replace('        # added', '');
    expect(patch(fixture('reference-scenario'))).toEqual({ corefile: guide, changed: true, warnings: [expect.stringMatching(/"cache" at line 15/)] });
  });

  test('adds the line to the kubeadm default at the indentation of its neighbours', () => {
    expect(patch(KUBEADM_DEFAULT_COREFILE).corefile).toBe(
      KUBEADM_DEFAULT_COREFILE.replace('    ready\n', '    ready\n    multicluster clusterset.local\n').replace(/disable (success|denial) cluster\.local\n/g, 'disable $1 cluster.local clusterset.local\n'),
    );
  });

  test.each(BASES)('on %s: a server-level multicluster directive comes right before kubernetes', (name) => {
    const { corefile } = patch(fixture(name));
    const plugins = pluginNames(corefile);
    expect(plugins[plugins.indexOf('kubernetes') - 1]).toBe('multicluster');
    expect(pluginLine(corefile, '.:53', 'multicluster')).toBe('multicluster clusterset.local');
  });

  test.each(BASES)('on %s: the kubernetes plugin serves neither clusterset.local nor a multicluster option', (name) => {
    const { corefile } = patch(fixture(name));
    expect(pluginLine(corefile, '.:53', 'kubernetes')).toBe('kubernetes cluster.local in-addr.arpa ip6.arpa');
    expect(optionLines(corefile, '.:53', 'kubernetes').map(String)).not.toContainEqual(expect.stringMatching(/^multicluster/));
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

  test('leaves the guide\'s already patched Corefile unchanged, comment included', () => {
    const input = fixture('reference-external-patched');
    expect(patch(input)).toEqual({ corefile: input, changed: false, warnings: [expect.stringMatching(/cache/)] });
  });

  test('does not touch the kubernetes plugin of an unpatched Corefile', () => {
    const input = fixture('custom-two-blocks');
    const { corefile } = patch(input);
    const kubernetes = (text: string) => pluginLines(text, '.:53').find((line) => Array.isArray(line) && line[0].startsWith('kubernetes'));
    expect(kubernetes(corefile)).toEqual(kubernetes(input));
  });

  test('converts the in-tree form: zone and option go, the block stays for its other options', () => {
    const { corefile } = patch(fixture('kubeadm-in-tree-patched'));
    expect(corefile).toBe(
      fixture('kubeadm-in-tree-patched')
        .replace('kubernetes cluster.local clusterset.local in-addr.arpa', 'kubernetes cluster.local in-addr.arpa')
        .replace('       multicluster clusterset.local\n', '')
        .replace('    ready\n', '    ready\n    multicluster clusterset.local\n'),
    );
  });

  test('removes a kubernetes block the in-tree patch created, restoring the original plugin line', () => {
    const original = '.:53 {\n    kubernetes cluster.local\n}\n';
    const inTree = patchCorefile(original, { flavour: CoreDnsFlavour.IN_TREE, version: '1.12.2' }).corefile;
    expect(patch(inTree).corefile).toBe(patch(original).corefile);
    expect(patch(original).corefile).toBe('.:53 {\n    multicluster clusterset.local\n    kubernetes cluster.local\n}\n');
  });

  test('keeps a kubernetes block that holds a comment besides the multicluster option', () => {
    const input = '.:53 {\n    kubernetes cluster.local clusterset.local {\n        # set by cdk8s-mcs\n        multicluster clusterset.local\n    }\n}\n';
    expect(patch(input).corefile).toBe('.:53 {\n    multicluster clusterset.local\n    kubernetes cluster.local {\n        # set by cdk8s-mcs\n    }\n}\n');
  });

  test('keeps other zones of an in-tree multicluster option, removing only clusterset.local', () => {
    const input = '.:53 {\n    kubernetes cluster.local clusterset.local fleet.example {\n        multicluster fleet.example clusterset.local\n    }\n}\n';
    expect(patch(input).corefile).toBe('.:53 {\n    multicluster clusterset.local\n    kubernetes cluster.local fleet.example {\n        multicluster fleet.example\n    }\n}\n');
  });

  test('extends a server-level multicluster directive for another zone instead of adding a second one', () => {
    const input = '.:53 {\n    multicluster fleet.example\n    kubernetes cluster.local\n}\n';
    expect(patch(input).corefile).toBe('.:53 {\n    multicluster fleet.example clusterset.local\n    kubernetes cluster.local\n}\n');
  });

  test('accepts an existing multicluster directive with options, wherever it stands', () => {
    const input = '.:53 {\n    kubernetes cluster.local\n    multicluster clusterset.local {\n        kubeconfig /etc/kube/config\n    }\n}\n';
    expect(patch(input)).toEqual({ corefile: input, changed: false, warnings: [] });
  });

  test('uses the given clusterset zone', () => {
    expect(patch('.:53 {\n    kubernetes cluster.local\n}\n', { clustersetZone: 'fleet.example' }).corefile).toBe(
      '.:53 {\n    multicluster fleet.example\n    kubernetes cluster.local\n}\n',
    );
  });

  test('advises the in-tree flavour when the CoreDNS version already has it', () => {
    expect(patch('.:53 {\n    kubernetes cluster.local\n}\n', { version: 'v1.12.2' }).warnings).toEqual([
      'CoreDNS v1.12.2 (>= 1.12.2) has the multicluster option in its kubernetes plugin; flavour "in-tree" needs no custom CoreDNS build',
    ]);
  });
});

describe('switching flavours', () => {
  const inTree = (text: string) => patchCorefile(text, { flavour: CoreDnsFlavour.IN_TREE, version: '1.12.2' }).corefile;
  const external = (text: string) => patchCorefile(text, { ...EXTERNAL }).corefile;
  const UNPATCHED: FixtureName[] = ['kubeadm', 'custom-two-blocks', 'reference-scenario', 'k3s', 'eks'];

  test.each(UNPATCHED)('on %s: in-tree, then external, then in-tree again equals in-tree once', (name) => {
    const once = inTree(fixture(name));
    expect(inTree(external(once))).toBe(once);
  });

  test.each(UNPATCHED)('on %s: external, then in-tree, then external again equals external once', (name) => {
    const once = external(fixture(name));
    expect(external(inTree(once))).toBe(once);
  });

  test.each(UNPATCHED)('on %s: converting to external restores the original apart from the new line', (name) => {
    const original = fixture(name);
    expect(external(inTree(original))).toBe(external(original));
  });
});
