import { KUBEADM_DEFAULT_COREFILE, CoreDnsFlavour, patchCorefile } from '../../../lib/corefile';
import { CoreDnsConfig } from '../../../lib/fleet/model';
import { checkCorefileChange, CoreDnsDeclaration, guardedKey } from '../../../lib/runner/apply/corefile-guard';

const declaration: CoreDnsDeclaration = { clusterId: 'cluster-2', clusterDomain: 'cluster.local', coreDns: { version: '1.12.2', flavour: CoreDnsFlavour.IN_TREE, config: CoreDnsConfig.COREFILE } };
const patch = (text: string, flavour = CoreDnsFlavour.IN_TREE) => patchCorefile(text, { flavour, version: '1.12.2' }).corefile;
const withCustomLines = KUBEADM_DEFAULT_COREFILE.replace('    prometheus :9153\n', '    hosts {\n       10.99.0.10 legacy-db.internal\n       fallthrough\n    }\n    prometheus :9153\n')
  + 'corp.example:53 {\n    errors\n    forward . 10.99.0.53\n}\n';

describe('the Corefile guard: live Corefile against dist', () => {
  it('lets dist replace kubeadm\'s default with the patched default: only the clusterset patch changes', () => {
    expect(checkCorefileChange('Corefile', KUBEADM_DEFAULT_COREFILE, patch(KUBEADM_DEFAULT_COREFILE), { declaration })).toEqual({ kind: 'kept' });
  });

  it('names every hosts and stub-zone line a live Corefile would lose to a dist built on kubeadm\'s default, with live line numbers', () => {
    const verdict = checkCorefileChange('Corefile', withCustomLines, patch(KUBEADM_DEFAULT_COREFILE), { declaration });
    expect(verdict.kind).toBe('loses');
    const lost = verdict.kind === 'loses' ? verdict.lost : [];
    expect(lost.map((l) => l.text.trim())).toEqual(['hosts {', '10.99.0.10 legacy-db.internal', 'fallthrough', '}', 'corp.example:53 {', 'errors', 'forward . 10.99.0.53', '}']);
    expect(lost[1]).toEqual({ line: 13, text: '       10.99.0.10 legacy-db.internal' });
  });

  it('keeps a dist patched from the pulled live Corefile, and one already applied before (idempotent patch)', () => {
    expect(checkCorefileChange('Corefile', withCustomLines, patch(withCustomLines), { declaration })).toEqual({ kind: 'kept' });
    expect(checkCorefileChange('Corefile', patch(withCustomLines), patch(withCustomLines), { declaration })).toEqual({ kind: 'kept' });
  });

  it('lets a flavour change through: the patch converts, nothing of the cluster is lost', () => {
    const external = { ...declaration, coreDns: { ...declaration.coreDns!, flavour: CoreDnsFlavour.EXTERNAL_PLUGIN } };
    expect(checkCorefileChange('Corefile', patch(withCustomLines), patch(withCustomLines, CoreDnsFlavour.EXTERNAL_PLUGIN), { declaration: external }).kind).toBe('kept');
  });

  it('reports lines dist adds as additions, not losses', () => {
    const more = patch(KUBEADM_DEFAULT_COREFILE).replace('    loadbalance\n', '    loadbalance\n    log\n');
    expect(checkCorefileChange('Corefile', KUBEADM_DEFAULT_COREFILE, more, { declaration })).toEqual({ kind: 'adds', added: ['log'] });
  });

  it('ignores indentation and blank lines, which CoreDNS ignores too', () => {
    const reindented = KUBEADM_DEFAULT_COREFILE.split('\n').map((l) => l.trim()).join('\n\n');
    expect(checkCorefileChange('Corefile', reindented, patch(KUBEADM_DEFAULT_COREFILE), { declaration }).kind).toBe('kept');
  });

  it('finds a changed forwarder without fleet.json\'s CoreDNS entry, and says fleet.json lacks the CoreDNS entry', () => {
    const live = KUBEADM_DEFAULT_COREFILE.replace('forward . /etc/resolv.conf', 'forward . 10.0.0.2');
    const verdict = checkCorefileChange('Corefile', live, patch(KUBEADM_DEFAULT_COREFILE), { declaration: { clusterId: 'cluster-2' } });
    expect(verdict).toMatchObject({ kind: 'loses', lost: [{ text: '    forward . 10.0.0.2 {' }] });
    expect(verdict.kind === 'loses' && verdict.note).toMatch(/records no CoreDNS version for cluster "cluster-2"/);
  });

  it('treats nothing live as nothing to lose', () => {
    expect(checkCorefileChange('Corefile', undefined, patch(KUBEADM_DEFAULT_COREFILE), { declaration })).toEqual({ kind: 'new' });
  });

  it('refuses someone else\'s clusterset.server key in coredns-custom, but not its own earlier block', () => {
    expect(checkCorefileChange('clusterset.server', 'clusterset.local:53 {\n  forward . 10.1.1.1\n}\n', 'clusterset.local:53 {\n  kubernetes\n}\n', { declaration }).kind).toBe('loses');
    expect(checkCorefileChange('clusterset.server', 'clusterset.local:53 {\n  old\n}\n', 'clusterset.local:53 {\n  kubernetes\n}\n', { declaration, ownedByUs: true }).kind).toBe('kept');
  });

  it('guards exactly kube-system/coredns and kube-system/coredns-custom', () => {
    expect(guardedKey({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'coredns' })).toBe('Corefile');
    expect(guardedKey({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'coredns-custom' })).toBe('clusterset.server');
    expect(guardedKey({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'coredns' })).toBeUndefined();
  });
});
