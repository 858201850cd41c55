export { CoreDnsFlavour } from './flavour';
export {
  MIN_IN_TREE_VERSION,
  MIN_EXTERNAL_PLUGIN_VERSION,
  CoreDnsVersion,
  parseCoreDnsVersion,
  compareCoreDnsVersions,
  checkCoreDnsSupports,
  hasInTreeMulticluster,
} from './versions';
export { KUBEADM_DEFAULT_COREFILE } from './defaults';
export * from './syntax';
export { parseCorefile } from './parse';
export { printCorefile } from './print';
export { lintCorefile } from './lint';
export { PatchOptions, DEFAULT_CLUSTER_DOMAIN, DEFAULT_CLUSTERSET_ZONE } from './options';
export { patchCorefile, PatchResult } from './patch';
export { multiclusterServerBlock } from './server-block';
export { CorefileEditor } from './editor';
export { applyEdits, formatWord, TextEdit } from './edits';
export {
  ServerKey,
  serverBlocks,
  directivesNamed,
  argValues,
  normalizeZone,
  zoneCovers,
  parseServerKey,
  serverZones,
  describeServerBlock,
} from './query';
