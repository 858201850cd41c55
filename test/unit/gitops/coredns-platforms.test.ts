import { CoreDnsConfig, CoreDnsFlavour, GitOps } from '../../../lib';
import { parseCorefile, serverBlocks, serverZones } from '../../../lib/corefile';
import { objectsOf, referenceFleet } from '../support/fleet';

const EKS_COREFILE = ['.:53 {', '    errors', '    health {', '        lameduck 5s', '      }', '    ready', '    kubernetes cluster.local in-addr.arpa ip6.arpa {', '      pods insecure', '      fallthrough in-addr.arpa ip6.arpa', '    }', '    prometheus :9153', '    forward . /etc/resolv.conf', '    cache 30', '    loop', '    reload', '    loadbalance', '}', ''].join('\n');

describe('CoreDNS on platforms that own the main Corefile', () => {
  it('writes a clusterset.local server block into coredns-custom for AKS and k3s, and leaves the coredns ConfigMap alone', () => {
    const { fleet } = referenceFleet({ cluster2Props: { coreDnsConfig: CoreDnsConfig.CUSTOM_CONFIGMAP } });
    const objects = objectsOf(fleet.render(), 'cluster-2');
    expect(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'coredns')).toBeUndefined();
    const custom = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'coredns-custom');
    expect(custom.metadata.namespace).toBe('kube-system');
    expect(Object.keys(custom.data)).toEqual(['clusterset.server']);
    const blocks = serverBlocks(parseCorefile(custom.data['clusterset.server']));
    expect(blocks.map((b) => serverZones(b))).toEqual([['clusterset.local']]);
    expect(custom.data['clusterset.server']).toContain('multicluster clusterset.local');
    expect(objects.map((o) => o.metadata.name)).toContain('cdk8s-mcs-coredns-serviceimports');
  });

  it('applies coredns-custom last, after the CRDs and the RBAC CoreDNS needs', () => {
    const { fleet } = referenceFleet({ cluster2Props: { coreDnsConfig: CoreDnsConfig.CUSTOM_CONFIGMAP } });
    const files = [...fleet.render().files.keys()].filter((f) => f.startsWith('cluster-2/'));
    expect(files[files.length - 1]).toBe('cluster-2/07-configmap.kube-system.coredns-custom.yaml');
  });

  it('uses the external plugin\'s syntax in coredns-custom for the external flavour', () => {
    const { fleet } = referenceFleet({ cluster2Props: { coreDnsConfig: CoreDnsConfig.CUSTOM_CONFIGMAP, coreDnsVersion: '1.11.3', coreDnsFlavour: CoreDnsFlavour.EXTERNAL_PLUGIN } });
    const custom = objectsOf(fleet.render(), 'cluster-2').find((o) => o.metadata.name === 'coredns-custom');
    expect(custom.data['clusterset.server']).not.toContain('kubernetes');
    expect(custom.data['clusterset.server']).toContain('    multicluster clusterset.local\n');
  });

  it('writes the EKS add-on configurationValues next to fleet.json, with the cluster\'s own Corefile patched, and no ConfigMap', () => {
    const { fleet } = referenceFleet({ cluster2Props: { coreDnsConfig: CoreDnsConfig.EKS_ADDON, baseCorefile: EKS_COREFILE }, fleetProps: { gitops: GitOps.ARGOCD, gitRepoUrl: 'https://git.example.com/f.git' } });
    const output = fleet.render();
    const values = JSON.parse(output.files.get('cluster-2.eks-coredns-values.json')!);
    expect(Object.keys(values)).toEqual(['corefile']);
    expect(values.corefile).toContain('kubernetes cluster.local clusterset.local in-addr.arpa ip6.arpa {');
    expect(values.corefile).toContain('multicluster clusterset.local');
    expect(values.corefile).toContain('forward . /etc/resolv.conf');
    expect(objectsOf(output, 'cluster-2').filter((o) => o.kind === 'ConfigMap' && o.metadata.namespace === 'kube-system')).toEqual([]);
    expect(output.warnings.map((w) => w.message)).not.toContainEqual(expect.stringContaining('no baseCorefile'));
    expect(output.warnings.map((w) => w.message)).toContainEqual(expect.stringContaining('"cache" at line 14 also caches clusterset.local answers'));
  });

  it('warns when the EKS values would be built from kubeadm\'s Corefile because no baseCorefile was given', () => {
    const { fleet } = referenceFleet({ cluster2Props: { coreDnsConfig: CoreDnsConfig.EKS_ADDON } });
    expect(fleet.render().warnings.map((w) => w.message)).toEqual([expect.stringContaining('cluster "cluster-2": the EKS add-on values replace the whole Corefile, and no baseCorefile was given')]);
  });

  it('writes no platform file for a cluster without clusterset imports', () => {
    const { fleet } = referenceFleet({ cluster1Props: { coreDnsConfig: CoreDnsConfig.EKS_ADDON } });
    expect([...fleet.render().files.keys()].filter((f) => f.endsWith('.json'))).toEqual(['fleet.json']);
  });
});

describe('reserved cluster IDs', () => {
  it.each(['argocd', 'clusters'])('refuses the cluster ID "%s" in the batched list at synth: the GitOps entry points live in that folder', (id) => {
    const { fleet } = referenceFleet();
    fleet.addCluster(id);
    expect(() => fleet.render()).toThrow(`\n  [${id}] cluster "${id}": the cluster ID is reserved (the output folders "argocd/" and "clusters/" hold the GitOps entry points). Fix: choose another ID, e.g. "${id}-1"`);
  });
});
