/** What dist says, in the form the API server stores it, for comparisons only (never applied). */
import { ManifestObject } from '../../fleet/apply-order';
import { isPlainObject } from './field-path';

/**
 * `status` is not applied through the main resource, so it never counts. A Secret's `stringData`
 * is write-only: the server folds it into `data` (base64). Returns the object as stored, and the
 * view used to check our managed fields (which may name either form).
 */
export function storedForm(withStatus: ManifestObject): { stored: ManifestObject; ownershipView: ManifestObject } {
  const { status, ...obj } = withStatus;
  if (obj.kind !== 'Secret' || !isPlainObject(obj.stringData)) {
    return { stored: obj, ownershipView: obj };
  }
  const encoded = Object.fromEntries(Object.entries(obj.stringData).map(([k, v]) => [k, Buffer.from(String(v), 'utf8').toString('base64')]));
  const data = { ...(isPlainObject(obj.data) ? obj.data : {}), ...encoded };
  const { stringData, ...rest } = obj;
  return { stored: { ...rest, data }, ownershipView: { ...rest, data, stringData } };
}
