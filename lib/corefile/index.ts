export * from './syntax';
export { parseCorefile } from './parse';
export { printCorefile } from './print';
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
export { KUBEADM_DEFAULT_COREFILE } from './defaults';
