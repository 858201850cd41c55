/**
 * What the rendered output of a valid fleet must satisfy: every file parses, every object is one
 * the API server would accept (for the fields cdk8s-mcs sets), nothing appears twice, the objects
 * are the ones the oracle expects, and secret values appear only where a LiteralSecret put them.
 */
import * as YAML from 'yaml';
import { FleetOutput, parseFleetManifest } from '../../../lib';
import { FleetDesc, SecretDesc } from './fleet-description';
import {
  CLUSTER_SCOPED_KINDS, isConfigMapKey, isDnsLabel, isDnsSubdomain, isEnvVarName, isLabelKey, isLabelValue, isNonNegativeInt32, isPortName, isPortNumber, isPositiveQuantity, nameRuleFor,
} from './kube-rules';
import { MAX_STATEFULSET_NAME } from './oracle-construction';

/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML */
type Obj = any;

const SECRET_MARK = 'S3CR3T-';

function fail(file: string, why: string): never {
  throw new Error(`${file}: ${why}`);
}

export function checkValidOutput(fleet: FleetDesc, expected: ReadonlyMap<string, readonly string[]>, output: FleetOutput): void {
  const ids = fleet.clusters.map((c) => c.id);
  const perCluster = new Map<string, Array<{ file: string; obj: Obj }>>(ids.map((id) => [id, []]));
  for (const [file, text] of output.files) {
    const obj = file.endsWith('.yaml') ? parseOne(file, text) : undefined;
    checkSecretsOnlyWhereWritten(fleet, file, text, obj);
    if (obj) perCluster.get(file.split('/')[0])?.push({ file, obj });
  }
  for (const [id, objects] of perCluster) {
    objects.forEach(({ file, obj }) => checkObject(file, obj));
    checkCluster(id, objects);
    const keys = objects.map(({ obj }) => describe(obj)).sort();
    if (JSON.stringify(keys) !== JSON.stringify(expected.get(id))) {
      fail(id, `objects differ from the oracle's\n  expected: ${JSON.stringify(expected.get(id))}\n  rendered: ${JSON.stringify(keys)}`);
    }
  }
  checkFleetJson(fleet, output.files.get('fleet.json'));
  if (!output.files.has('fleet.md')) fail('fleet.md', 'missing');
}

function describe(obj: Obj): string {
  return `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
}

/** Large files (the CRDs) are the same in every cluster of every fleet: parse each text once. */
const parsedLargeFiles = new Map<string, Obj>();

function parseOne(file: string, text: string): Obj {
  const cached = parsedLargeFiles.get(text);
  if (cached) return cached;
  const obj = parseDocument(file, text);
  if (text.length > 4000) parsedLargeFiles.set(text, obj);
  return obj;
}

function parseDocument(file: string, text: string): Obj {
  const docs = YAML.parseAllDocuments(text);
  if (docs.length !== 1 || docs[0].errors.length > 0) fail(file, `expected one YAML document, got ${docs.length} (${docs[0]?.errors.join('; ')})`);
  const obj = docs[0].toJS();
  if (typeof obj?.apiVersion !== 'string' || typeof obj.kind !== 'string' || typeof obj.metadata?.name !== 'string') {
    fail(file, 'apiVersion, kind and metadata.name must be strings');
  }
  return obj;
}

function checkObject(file: string, obj: Obj): void {
  const { kind, metadata } = obj;
  const nameOk = nameRuleFor(kind);
  if (!nameOk) fail(file, `unexpected kind ${kind}`);
  if (!nameOk(metadata.name)) fail(file, `"${metadata.name}" is not a valid ${kind} name`);
  if (CLUSTER_SCOPED_KINDS.has(kind) && metadata.namespace !== undefined) fail(file, `cluster-scoped ${kind} carries namespace "${metadata.namespace}"`);
  if (!CLUSTER_SCOPED_KINDS.has(kind) && !(typeof metadata.namespace === 'string' && isDnsLabel(metadata.namespace))) {
    fail(file, `namespaced ${kind} needs a valid namespace, got ${JSON.stringify(metadata.namespace)}`);
  }
  checkLabels(file, obj);
  if (kind === 'StatefulSet') checkStatefulSet(file, obj);
  if (kind === 'Service' || kind === 'ServiceImport') checkServicePorts(file, obj.spec.ports);
  if (kind === 'Secret') Object.keys(obj.stringData ?? {}).forEach((k) => isConfigMapKey(k) || fail(file, `Secret key "${k}" is not valid`));
}

/** Every `labels` and `matchLabels` map anywhere in the object. */
function checkLabels(file: string, value: Obj): void {
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if ((k === 'labels' || k === 'matchLabels') && v && typeof v === 'object') {
      for (const [lk, lv] of Object.entries(v)) {
        if (!isLabelKey(lk) || typeof lv !== 'string' || !isLabelValue(lv)) fail(file, `label ${lk}=${JSON.stringify(lv)} is not valid`);
      }
    }
    checkLabels(file, v);
  }
}

function checkServicePorts(file: string, ports: Obj[]): void {
  if (!Array.isArray(ports) || ports.length === 0) fail(file, 'needs at least one port');
  ports.forEach((p) => (isPortName(p.name) && isPortNumber(p.port)) || fail(file, `port ${JSON.stringify(p)} is not valid`));
  if (new Set(ports.map((p) => p.name)).size < ports.length) fail(file, 'port names repeat');
  if (new Set(ports.map((p) => `${p.port}/${p.protocol}`)).size < ports.length) fail(file, 'port numbers repeat');
}

function checkStatefulSet(file: string, sts: Obj): void {
  const { spec } = sts;
  const start = spec.ordinals?.start ?? 0;
  if (!isNonNegativeInt32(spec.replicas) || !isNonNegativeInt32(start)) fail(file, 'replicas and ordinals.start must be non-negative int32');
  if (sts.metadata.name.length > MAX_STATEFULSET_NAME) fail(file, `StatefulSet name longer than ${MAX_STATEFULSET_NAME}: its pods' controller-revision-hash label would exceed 63 characters`);
  if (spec.replicas > 0 && !isDnsLabel(`${sts.metadata.name}-${start + spec.replicas - 1}`)) fail(file, 'the last pod name is not a DNS label');
  const claims: Obj[] = spec.volumeClaimTemplates ?? [];
  for (const c of claims) {
    if (!isDnsLabel(c.metadata.name)) fail(file, `claim template name "${c.metadata.name}"`);
    const cls = c.spec.storageClassName;
    if (cls === undefined || (cls !== '' && !isDnsSubdomain(cls))) fail(file, `claim "${c.metadata.name}" storageClassName ${JSON.stringify(cls)}`);
    if (!isPositiveQuantity(String(c.spec.resources.requests.storage))) fail(file, `claim "${c.metadata.name}" size ${c.spec.resources.requests.storage}`);
  }
  const [container, ...more] = spec.template.spec.containers;
  if (more.length > 0 || !container.image?.trim()) fail(file, 'one container with an image');
  const ports: Obj[] = container.ports ?? [];
  ports.forEach((p) => (isPortName(p.name) && isPortNumber(p.containerPort)) || fail(file, `container port ${JSON.stringify(p)}`));
  if (new Set(ports.map((p) => p.name)).size < ports.length) fail(file, 'container port names repeat');
  const mounts: Obj[] = container.volumeMounts ?? [];
  if (mounts.some((m) => !m.mountPath) || new Set(mounts.map((m) => m.mountPath)).size < mounts.length) fail(file, 'mount paths must be set and unique');
  if (!mounts.every((m) => claims.some((c) => c.metadata.name === m.name))) fail(file, 'every mount names a claim template');
  for (const e of container.env ?? []) {
    if (!isEnvVarName(e.name)) fail(file, `env name ${JSON.stringify(e.name)}`);
    const ref = e.valueFrom?.secretKeyRef;
    if (ref && (!isDnsSubdomain(ref.name) || !isConfigMapKey(ref.key))) fail(file, `secretKeyRef ${JSON.stringify(ref)}`);
  }
}

function checkCluster(id: string, objects: Array<{ file: string; obj: Obj }>): void {
  const seen = new Set<string>();
  for (const { obj } of objects) {
    const key = `${obj.apiVersion.split('/')[0]} ${describe(obj)}`;
    if (seen.has(key)) fail(id, `${describe(obj)} appears twice`);
    seen.add(key);
  }
  const namespaces = new Set(objects.filter(({ obj }) => obj.kind === 'Namespace').map(({ obj }) => obj.metadata.name));
  for (const { file, obj } of objects) {
    const ns = obj.metadata.namespace;
    if (ns !== undefined && ns !== 'kube-system' && !namespaces.has(ns)) fail(file, `namespace "${ns}" is not created in cluster "${id}"`);
  }
}

/** Secret values may appear only in the Secret files of the clusters a LiteralSecret names. */
function checkSecretsOnlyWhereWritten(fleet: FleetDesc, file: string, text: string, obj: Obj): void {
  if (!text.includes(SECRET_MARK)) return;
  const cluster = file.split('/')[0];
  const secrets = fleet.constructs.filter((c): c is SecretDesc => c.kind === 'LiteralSecret' && c.acknowledged);
  const allowed = secrets.filter((s) =>
    obj?.kind === 'Secret' && obj.metadata.namespace === s.namespace && obj.metadata.name === s.secretName && s.clusters.some((i) => fleet.clusters[i].id === cluster));
  const values = text.split(SECRET_MARK).slice(1).map((rest) => SECRET_MARK + /^[0-9a-z]*/.exec(rest)![0]);
  const stray = values.find((v) => !allowed.some((s) => Object.values(s.stringData).includes(v)));
  if (stray) fail(file, `contains the secret value ${stray}, which no acknowledged LiteralSecret writes there`);
}

function checkFleetJson(fleet: FleetDesc, text: string | undefined): void {
  if (text === undefined) fail('fleet.json', 'missing');
  const manifest = parseFleetManifest(text, 'fleet.json');
  const want = fleet.clusters.map((c) => ({ id: c.id, kubeContext: c.kubeContext ?? c.id, clusterDomain: c.clusterDomain ?? 'cluster.local' }));
  if (JSON.stringify(manifest.clusters) !== JSON.stringify(want)) fail('fleet.json', `clusters ${JSON.stringify(manifest.clusters)}, expected ${JSON.stringify(want)}`);
}
