import { CoreDnsFlavour, KUBEADM_DEFAULT_COREFILE, multiclusterServerBlock, patchCorefile } from '../../../lib/corefile';
import { adaptCorefileForLocalRun, LocalRunOptions } from '../../../testbed/adapt-corefile';
import { fixture, optionLines, outline, pluginLines } from './helpers';

const LOCAL: LocalRunOptions = { port: 15353, kubeconfig: '/tmp/bed/kubeconfig' };
const IN_TREE = { flavour: CoreDnsFlavour.IN_TREE, version: '1.14.7' };
const EXTERNAL = { flavour: CoreDnsFlavour.EXTERNAL_PLUGIN, version: '1.11.3' };

describe('adaptCorefileForLocalRun', () => {
  test('turns the in-tree kubeadm Corefile into a local one: port, bind, log, kubeconfig, and no cluster-only plugins', () => {
    const emitted = patchCorefile(KUBEADM_DEFAULT_COREFILE, IN_TREE).corefile;
    expect(adaptCorefileForLocalRun(emitted, LOCAL)).toBe(
      '.:15353 {\n' +
        '    bind 127.0.0.1\n' +
        '    log\n' +
        '    errors\n' +
        '    kubernetes cluster.local clusterset.local in-addr.arpa ip6.arpa {\n' +
        '       kubeconfig /tmp/bed/kubeconfig\n' +
        '       multicluster clusterset.local\n' +
        '       pods insecure\n' +
        '       fallthrough in-addr.arpa ip6.arpa\n' +
        '       ttl 30\n' +
        '    }\n' +
        '    loadbalance\n' +
        '}\n',
    );
  });

  test('gives the external multicluster plugin the kubeconfig too, creating its block', () => {
    const emitted = patchCorefile(fixture('reference-scenario'), EXTERNAL).corefile;
    expect(pluginLines(adaptCorefileForLocalRun(emitted, LOCAL), '.:15353')).toEqual([
      'bind 127.0.0.1',
      'log',
      'errors',
      ['multicluster clusterset.local', ['kubeconfig /tmp/bed/kubeconfig']],
      ['kubernetes cluster.local in-addr.arpa ip6.arpa', ['kubeconfig /tmp/bed/kubeconfig', 'pods verified', 'ttl 30', 'fallthrough in-addr.arpa ip6.arpa']],
      'loadbalance',
    ]);
  });

  test('moves every server block to the port, keeping schemes and zones, and drops top-level and inner imports', () => {
    const emitted = fixture('k3s') + multiclusterServerBlock(IN_TREE) + 'dns://example.org. {\n    whoami\n}\n';
    const adapted = adaptCorefileForLocalRun(emitted, { ...LOCAL, bindAddress: '127.0.0.2', log: false });
    expect(outline(adapted).map((entry) => (Array.isArray(entry) ? entry[0] : entry))).toEqual(['.:15353', 'clusterset.local:15353', 'dns://example.org.:15353']);
    expect(adapted).not.toContain('import');
    expect(pluginLines(adapted, 'clusterset.local:15353')).toEqual([
      'bind 127.0.0.2',
      'errors',
      ['kubernetes clusterset.local', ['kubeconfig /tmp/bed/kubeconfig', 'multicluster clusterset.local']],
      'loadbalance',
    ]);
  });

  test('keeps the plugins that work locally, comments and layout included', () => {
    const adapted = adaptCorefileForLocalRun(fixture('custom-two-blocks'), LOCAL);
    expect(pluginLines(adapted, '.:15353').map((line) => (Array.isArray(line) ? line[0] : line).split(' ')[0])).toEqual([
      'bind',
      'errors',
      'log',
      'rewrite',
      'hosts',
      'template',
      'kubernetes',
    ]);
    expect(adapted).toContain('\tbind 127.0.0.1\n\terrors   # tab-indented on purpose\n');
    expect(adapted).toContain('# Corefile owned by the platform team.\n');
    expect(pluginLines(adapted, 'consul:15353')).toEqual(['bind 127.0.0.1', 'log', 'errors']);
  });

  test('replaces an existing bind and kubeconfig, quoting a path with spaces', () => {
    const emitted = '.:53 {\n    bind 10.0.0.1\n    kubernetes cluster.local {\n        kubeconfig /etc/old ctx\n    }\n}\n';
    const adapted = adaptCorefileForLocalRun(emitted, { ...LOCAL, kubeconfig: '/tmp/my bed/kubeconfig' });
    expect(pluginLines(adapted, '.:15353')).toEqual(['bind 127.0.0.1', 'log', ['kubernetes cluster.local', ['kubeconfig /tmp/my bed/kubeconfig']]]);
    expect(optionLines(adapted, '.:15353', 'kubernetes')).toEqual(['kubeconfig /tmp/my bed/kubeconfig']);
    expect(adapted).toContain('kubeconfig "/tmp/my bed/kubeconfig"');
  });

  test('works on a key without a port and on a lone unbraced server block', () => {
    expect(adaptCorefileForLocalRun('.\nkubernetes cluster.local\n', LOCAL)).toBe(
      '.:15353\nbind 127.0.0.1\nlog\nkubernetes cluster.local {\n    kubeconfig /tmp/bed/kubeconfig\n}\n',
    );
  });

  test('refuses blocks that would claim the same zone once they share a port', () => {
    expect(() => adaptCorefileForLocalRun('.:53 {\n    whoami\n}\n.:5353 {\n    whoami\n}\n', LOCAL)).toThrow(
      'zone "." of server block ".:53" (line 1) and server block ".:5353" (line 4) would share port 15353; CoreDNS refuses a zone twice on one port, so run these blocks separately',
    );
  });

  test.each([0, 70000, 1.5])('refuses port %p', (port) => {
    expect(() => adaptCorefileForLocalRun(KUBEADM_DEFAULT_COREFILE, { ...LOCAL, port })).toThrow(`port ${port} is not a TCP/UDP port; expected an integer from 1 to 65535`);
  });

  test('refuses an empty kubeconfig path', () => {
    expect(() => adaptCorefileForLocalRun(KUBEADM_DEFAULT_COREFILE, { ...LOCAL, kubeconfig: ' ' })).toThrow('kubeconfig is empty; expected the path of the test-bed kubeconfig');
  });
});
