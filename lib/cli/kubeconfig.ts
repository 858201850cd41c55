import * as fs from 'node:fs';
import { KubeClient } from '../kube/client';
import { loadKubeConfig } from '../kube/connect';
import { endpointOf, MintedContext, renderKubeconfig, requestServiceAccountToken } from '../kube/service-account-kubeconfig';
import { parseDuration, parseMap } from './args';
import { Command, EXIT_FAILED, EXIT_OK } from './command';
import { connectFleet } from './fleet-clients';

/**
 * `cdk8s-mcs kubeconfig`: the runner's kubeconfig, one context per fleet cluster, each
 * authenticated as the runner's ServiceAccount there (TokenRequest). Put it in the Secret the
 * SyncRunner Deployment mounts; never commit it.
 */
export const kubeconfigCommand: Command = {
  spec: {
    name: 'kubeconfig',
    summary: 'Write a kubeconfig that authenticates as the runner\'s ServiceAccount in every cluster (least privilege).',
    usage: 'cdk8s-mcs kubeconfig --out FILE [--dist dist] [--kubeconfig ADMIN] [--context-map cluster=context,...] [--duration 24h]',
    flags: [
      { name: 'out', value: 'FILE', description: 'where to write the kubeconfig (mode 0600)', required: true },
      { name: 'dist', value: 'DIR', description: 'synth output holding fleet.json', default: 'dist' },
      { name: 'kubeconfig', value: 'FILE', description: 'an admin kubeconfig with a context per cluster (default: $KUBECONFIG, ~/.kube/config)' },
      { name: 'context-map', kind: 'map', value: 'ID=CTX,...', description: 'override the kubeconfig context of clusters' },
      { name: 'namespace', value: 'NS', description: 'namespace of the runner\'s ServiceAccount', default: 'cdk8s-mcs-system' },
      { name: 'service-account', value: 'NAME', description: 'the runner\'s ServiceAccount', default: 'cdk8s-mcs-sync' },
      { name: 'duration', kind: 'duration', value: 'DURATION', description: 'token lifetime (the API server may shorten it)', default: '24h' },
    ],
  },

  async run(args, io) {
    const f = args.flags;
    const contextMap = parseMap(f['context-map'] as string | undefined, 'context-map');
    const { fleet, clients } = connectFleet({ dist: String(f.dist), kubeconfig: f.kubeconfig as string | undefined, contextMap });
    const admin = loadKubeConfig(f.kubeconfig as string | undefined);
    const sa = { namespace: String(f.namespace), name: String(f['service-account']) };
    const seconds = Math.round(parseDuration(String(f.duration), 'duration') / 1000);
    const entries: MintedContext[] = [];
    const failures: string[] = [];
    for (const c of fleet.clusters) {
      const client = clients.get(c.id) as KubeClient;
      try {
        const token = await requestServiceAccountToken(client, sa, seconds);
        entries.push({ context: c.id, ...endpointOf(admin, contextMap[c.id] ?? c.kubeContext), token });
        io.stdout(`[${c.id}] token for ${sa.namespace}/${sa.name}\n`);
      } catch (e) {
        failures.push(`[${c.id}] ${(e as Error).message} (apply dist/${c.id} first: it creates the ServiceAccount)`);
      } finally {
        client.close();
      }
    }
    failures.forEach((m) => io.stderr(`error: ${m}\n`));
    if (failures.length > 0) {
      return EXIT_FAILED;
    }
    fs.writeFileSync(String(f.out), renderKubeconfig(entries, sa.name), { mode: 0o600 });
    io.stdout(`wrote ${f.out}: contexts ${entries.map((e) => e.context).join(', ')}\n`);
    return EXIT_OK;
  },
};
