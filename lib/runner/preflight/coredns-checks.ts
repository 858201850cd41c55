/** Preflight checks of a cluster's CoreDNS: the version it really runs, and its live Corefile against dist. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkCoreDnsSupports, compareCoreDnsVersions, CoreDnsFlavour } from '../../corefile';
import { ManifestObject } from '../../fleet/apply-order';
import { COREDNS_CONFIGMAP, COREDNS_DEPLOYMENT, COREDNS_NAMESPACE, COREFILE_KEY, eksCoreDnsValuesFile } from '../../fleet/coredns-objects';
import { FleetManifest } from '../../fleet/manifest';
import { CONFIG_MAPS, resourcePath } from '../../kube/resources';
import { KubeObject } from '../../kube/types';
import { checkCorefileChange, guardedKey } from '../apply/corefile-guard';
import { appliedFieldsOf } from '../apply/managed-fields';
import { APPLY_FIELD_MANAGER } from '../apply/ownership';
import { CheckResult, fail, ok, warn } from './report';
import { getOrUndefined, ReadClient } from './read';

const DEPLOYMENTS = { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true };

/** `registry.k8s.io/coredns/coredns:v1.11.3` -> `1.11.3`; undefined for digests or odd tags. */
export function coreDnsVersionOfImage(image: string): string | undefined {
  const tag = /:([^:/@]+)(@.*)?$/.exec(image)?.[1];
  return /^v?(\d+\.\d+\.\d+)$/.exec(tag ?? '')?.[1];
}

export async function checkCoreDnsVersion(client: ReadClient, clusterId: string, fleet: FleetManifest, needsCoreDns: boolean): Promise<CheckResult> {
  const declared = fleet.coreDns?.[clusterId];
  const name = 'coredns-version';
  if (!declared) {
    return needsCoreDns
      ? fail(clusterId, name, 'dist changes CoreDNS but fleet.json declares no coreDnsVersion for this cluster', `set coreDnsVersion on cluster "${clusterId}" to the version its CoreDNS runs and synthesize again`)
      : ok(clusterId, name, 'no coreDnsVersion declared; none needed (no clusterset import here)');
  }
  const deployment = await getOrUndefined(client, resourcePath(DEPLOYMENTS, { namespace: COREDNS_NAMESPACE, name: COREDNS_DEPLOYMENT }));
  const containers = ((deployment?.spec as { template?: { spec?: { containers?: { name: string; image?: string }[] } } } | undefined)?.template?.spec?.containers ?? []);
  const image = (containers.find((c) => c.name === 'coredns') ?? containers[0])?.image;
  if (!deployment || !image) {
    return warn(clusterId, name, `no Deployment ${COREDNS_NAMESPACE}/${COREDNS_DEPLOYMENT}: cannot see which CoreDNS runs (fleet declares ${declared.version}, ${declared.flavour})`, 'check the version by hand (kubectl -n kube-system get pods -l k8s-app=kube-dns -o jsonpath="{..image}")');
  }
  const running = coreDnsVersionOfImage(image);
  if (!running) {
    return warn(clusterId, name, `CoreDNS image ${image} carries no version tag; fleet declares ${declared.version}`, 'check the version by hand');
  }
  const fix = `set coreDnsVersion: '${running}' on cluster "${clusterId}" (the Corefile syntax is chosen by version) and synthesize again, or run CoreDNS ${declared.version}`;
  try {
    checkCoreDnsSupports(declared.flavour as CoreDnsFlavour, running);
  } catch (e) {
    return fail(clusterId, name, `runs CoreDNS ${running} (${image}), which cannot serve the ${declared.flavour} clusterset configuration: ${(e as Error).message}`, fix);
  }
  if (compareCoreDnsVersions(running, declared.version) !== 0) {
    return fail(clusterId, name, `runs CoreDNS ${running} (${image}); fleet declares coreDnsVersion ${declared.version}`, fix);
  }
  const stock = /(^|\/)coredns\/coredns:/.test(image);
  if (declared.flavour === CoreDnsFlavour.EXTERNAL_PLUGIN && stock) {
    return warn(clusterId, name, `runs the stock image ${image}, but fleet declares flavour external-plugin, which needs a build with github.com/coredns/multicluster`, `use coreDnsFlavour in-tree (CoreDNS >= 1.12.2), or deploy a CoreDNS build with the plugin`);
  }
  return ok(clusterId, name, `runs CoreDNS ${running} (${image}), as declared (${declared.flavour})`);
}

/** The live Corefile (or coredns-custom key) against what dist (or the EKS values file) would put there. */
export async function checkLiveCorefile(client: ReadClient, clusterId: string, fleet: FleetManifest, o: { dist: string; objects: readonly ManifestObject[] }): Promise<CheckResult> {
  const name = 'corefile';
  const declaration = { clusterId, clusterDomain: fleet.clusters.find((c) => c.id === clusterId)?.clusterDomain, coreDns: fleet.coreDns?.[clusterId] };
  const desired = desiredCoreDnsConfig(clusterId, o);
  if (!desired) {
    return ok(clusterId, name, 'dist does not change CoreDNS here');
  }
  const live = await getOrUndefined(client, resourcePath(CONFIG_MAPS, { namespace: COREDNS_NAMESPACE, name: desired.configMap }));
  const liveText = (live?.data as Record<string, unknown> | undefined)?.[desired.key];
  const ownedByUs = live ? appliedFieldsOf(live as KubeObject, APPLY_FIELD_MANAGER)?.['f:data']?.[`f:${desired.key}`] !== undefined : false;
  const verdict = checkCorefileChange(desired.key, typeof liveText === 'string' ? liveText : undefined, desired.text, { declaration, ownedByUs });
  const where = `${COREDNS_NAMESPACE}/${desired.configMap} (data.${desired.key})`;
  switch (verdict.kind) {
    case 'new':
      return desired.key === COREFILE_KEY ? warn(clusterId, name, `no live ${where}: apply creates it; check that this cluster's CoreDNS reads its Corefile from there`) : ok(clusterId, name, `no live ${where} yet: apply creates it`);
    case 'kept':
      return ok(clusterId, name, `live ${where} is dist's base plus the clusterset patch: nothing would be lost`);
    case 'adds':
      return ok(clusterId, name, `nothing of the live ${where} would be lost; dist adds ${verdict.added.length} line${verdict.added.length === 1 ? '' : 's'} beyond the patch`);
    default: {
      const lines = verdict.lost.map((l) => `live line ${l.line}: ${l.text.trim()}`).join('; ');
      return fail(clusterId, name, `applying dist would remove or change ${verdict.lost.length} line${verdict.lost.length === 1 ? '' : 's'} of the live ${where}: ${lines}${verdict.note ? ` (${verdict.note})` : ''}`,
        `npx cdk8s-mcs corefile pull --dist ${o.dist} --only ${clusterId} --out corefiles/ and pass corefiles/${clusterId}.Corefile as baseCorefile of cluster "${clusterId}"; apply refuses this object until then (or with --overwrite-corefile)`);
    }
  }
}

function desiredCoreDnsConfig(clusterId: string, o: { dist: string; objects: readonly ManifestObject[] }): { configMap: string; key: string; text: string } | undefined {
  for (const obj of o.objects) {
    const key = guardedKey({ apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name });
    const text = key ? (obj.data as Record<string, unknown> | undefined)?.[key] : undefined;
    if (key && typeof text === 'string') {
      return { configMap: obj.metadata.name, key, text };
    }
  }
  const eks = path.join(o.dist, eksCoreDnsValuesFile(clusterId));
  if (fs.existsSync(eks)) {
    const values = JSON.parse(fs.readFileSync(eks, 'utf8')) as { corefile?: string };
    return values.corefile ? { configMap: COREDNS_CONFIGMAP, key: COREFILE_KEY, text: values.corefile } : undefined;
  }
  return undefined;
}
