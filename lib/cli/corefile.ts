/**
 * `cdk8s-mcs corefile pull`: each cluster's live Corefile written to a file, for the fleet to pass
 * as `baseCorefile`, so the compiler patches what the cluster really runs. Reads only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COREDNS_CONFIGMAP, COREDNS_NAMESPACE, COREFILE_KEY } from '../fleet/coredns-objects';
import { isNotFound, messageOf } from '../kube/errors';
import { CONFIG_MAPS, resourcePath } from '../kube/resources';
import { KubeObject } from '../kube/types';
import { CONNECTION_FLAGS, connectTargets } from './apply';
import { UsageError } from './args';
import { Command, EXIT_FAILED, EXIT_OK } from './command';

/** `corefiles/cluster-2.Corefile` */
export function pulledCorefileName(clusterId: string): string {
  return `${clusterId}.Corefile`;
}

export const corefileCommand: Command = {
  spec: {
    name: 'corefile',
    summary: 'corefile pull: write each cluster\'s live Corefile (kube-system/coredns) to <out>/<cluster-id>.Corefile, to pass as baseCorefile.',
    positionals: 'pull',
    usage: 'cdk8s-mcs corefile pull --out DIR [--dist dist] [--kubeconfig F] [--context-map cluster=context,...] [--only ID,...]',
    flags: [...CONNECTION_FLAGS, { name: 'out', value: 'DIR', description: 'folder for the <cluster-id>.Corefile files (created if missing)' }],
  },

  async run(args, io) {
    const [sub, ...extra] = args.positionals;
    if (sub !== 'pull' || extra.length > 0) {
      throw new UsageError(`expected "corefile pull", got "corefile ${args.positionals.join(' ')}"`);
    }
    if (args.flags.out === undefined) {
      throw new UsageError('--out is required: the folder to write <cluster-id>.Corefile files to');
    }
    const out = String(args.flags.out);
    const target = connectTargets(args);
    const failures = target.unreachable.map((r) => `[${r.clusterId}] ${r.error}`);
    fs.mkdirSync(out, { recursive: true });
    try {
      for (const [clusterId, client] of target.clients) {
        try {
          io.stdout(`${await pullOne(client, clusterId, out)}\n`);
        } catch (e) {
          failures.push(`[${clusterId}] ${messageOf(e)}`);
        }
      }
    } finally {
      target.clients.forEach((c) => c.close());
    }
    failures.forEach((f) => io.stderr(`error: ${f}\n`));
    if (failures.length < target.clients.size + target.unreachable.length) {
      io.stdout(`Next: pass each file as baseCorefile, e.g. fleet.addCluster('<id>', { baseCorefile: fs.readFileSync('${path.join(out, pulledCorefileName('<id>'))}', 'utf8'), ... }), then synthesize and run cdk8s-mcs diff\n`);
    }
    return failures.length > 0 ? EXIT_FAILED : EXIT_OK;
  },
};

async function pullOne(client: { request: (o: { verb: 'get'; method: 'GET'; path: string }) => Promise<unknown> }, clusterId: string, out: string): Promise<string> {
  let cm: KubeObject;
  try {
    cm = (await client.request({ verb: 'get', method: 'GET', path: resourcePath(CONFIG_MAPS, { namespace: COREDNS_NAMESPACE, name: COREDNS_CONFIGMAP }) })) as KubeObject;
  } catch (e) {
    if (isNotFound(e)) {
      throw new Error(`no ConfigMap ${COREDNS_NAMESPACE}/${COREDNS_CONFIGMAP}: this cluster's CoreDNS reads its Corefile from elsewhere (on AKS and k3s use coreDnsConfig: CoreDnsConfig.CUSTOM_CONFIGMAP, which needs no baseCorefile)`);
    }
    throw e;
  }
  const corefile = (cm.data as Record<string, unknown> | undefined)?.[COREFILE_KEY];
  if (typeof corefile !== 'string') {
    throw new Error(`ConfigMap ${COREDNS_NAMESPACE}/${COREDNS_CONFIGMAP} has no "${COREFILE_KEY}" key (keys: ${Object.keys((cm.data as object | undefined) ?? {}).join(', ') || 'none'})`);
  }
  const file = path.join(out, pulledCorefileName(clusterId));
  fs.writeFileSync(file, corefile);
  const lines = corefile.split('\n').filter((l) => l.trim() !== '').length;
  return `[${clusterId}] wrote ${file}: ${lines} lines, the Corefile of ConfigMap ${COREDNS_NAMESPACE}/${COREDNS_CONFIGMAP} (resourceVersion ${cm.metadata.resourceVersion})`;
}
