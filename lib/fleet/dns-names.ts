import { clusterById, ExportSpec, exportsOf, FleetModel, ImportSpec, PlacementSpec } from './model';
import { amcsPodFqdn, amcsServiceName, clustersetPodFqdn, clustersetServiceFqdn, DEFAULT_CLUSTER_DOMAIN, DnsMethod, podName } from './names';

/** A DNS name a consumer cluster can resolve, and what it reaches. */
export interface ResolvableName {
  /** The cluster the name resolves in. */
  readonly consumerId: string;
  /** The DNS form of the name. */
  readonly method: DnsMethod;
  /** The fully qualified name. */
  readonly fqdn: string;
  /** Namespace of the imported service. */
  readonly namespace: string;
  /** Name of the imported service. */
  readonly service: string;
  /** The provider cluster of the pod(s) reached. */
  readonly sourceClusterId: string;
  /** The pod reached, or `undefined` for a service-level name that returns every ready pod. */
  readonly pod?: string;
  /** Construct path of the import that makes it resolvable. */
  readonly importPath: string;
}

/** Selects which ordinals to enumerate per placement: all of them, or only the longest name. */
export type OrdinalSelection = 'all' | 'highest';

/** Every per-pod DNS name each consumer can resolve (plus service-level names where pods are unknown). */
export function resolvableNames(model: FleetModel, ordinals: OrdinalSelection = 'all'): ResolvableName[] {
  return [...eachResolvableName(model, ordinals)];
}

/**
 * The names of `resolvableNames` one at a time, in the same order: a 10,000-import fleet has
 * 40,000 of them, and the check and fleet.md need only one at a time.
 */
export function* eachResolvableName(model: FleetModel, ordinals: OrdinalSelection = 'all'): Generator<ResolvableName> {
  for (const imp of model.imports) {
    for (const consumerId of imp.consumerIds) {
      for (const exp of exportsOf(model, imp)) {
        for (const placement of exp.placements) {
          yield* namesFor({ model, imp, consumerId, exp, placement, ordinals });
        }
      }
    }
  }
}

interface NameContext {
  readonly model: FleetModel;
  readonly imp: ImportSpec;
  readonly consumerId: string;
  readonly exp: ExportSpec;
  readonly placement: PlacementSpec;
  readonly ordinals: OrdinalSelection;
}

function namesFor(ctx: NameContext): ResolvableName[] {
  const { imp, consumerId, exp, placement } = ctx;
  const clusterDomain = clusterById(ctx.model, consumerId)?.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  const base = { consumerId, namespace: imp.namespace, service: imp.name, sourceClusterId: placement.clusterId, importPath: imp.path };
  const pods = exp.podsKnown ? ordinalsOf(placement, ctx.ordinals).map((o) => podName(exp.name, o)) : [undefined];
  return imp.methods.flatMap((method) =>
    pods.map((pod) => ({ ...base, method, pod, fqdn: fqdnFor({ method, pod, clusterDomain, clusterId: placement.clusterId, imp }) })),
  );
}

function fqdnFor(o: { method: DnsMethod; pod?: string; clusterDomain: string; clusterId: string; imp: ImportSpec }): string {
  const service = o.imp.name;
  const namespace = o.imp.namespace;
  if (o.method === DnsMethod.AMCS) {
    return o.pod ? amcsPodFqdn({ pod: o.pod, service, namespace, clusterDomain: o.clusterDomain }) : `${amcsServiceName(service)}.${namespace}.svc.${o.clusterDomain}`;
  }
  return o.pod ? clustersetPodFqdn({ pod: o.pod, clusterId: o.clusterId, service, namespace }) : clustersetServiceFqdn({ service, namespace });
}

function ordinalsOf(placement: PlacementSpec, selection: OrdinalSelection): number[] {
  if (placement.replicas === 0) {
    return [];
  }
  const last = placement.ordinalStart + placement.replicas - 1;
  if (selection === 'highest') {
    return [last];
  }
  return Array.from({ length: placement.replicas }, (_, i) => placement.ordinalStart + i);
}
