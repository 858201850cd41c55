/**
 * The digest of what the runner image is built from: the Dockerfile and every file its COPY steps
 * take from the build context (the sources are read from the Dockerfile, not listed here). The
 * build script labels the image with it (IMAGE_SOURCE_LABEL) and test/e2e/runner-image.test.ts
 * compares the label with the working tree, so an image built from older code is rebuilt before it
 * is tested instead of passing or failing for code that is no longer there.
 *
 *   npx ts-node --transpile-only scripts/image/source-digest.ts           # sha256:<hex>
 *   npx ts-node --transpile-only scripts/image/source-digest.ts --label   # <label>=sha256:<hex>
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const IMAGE_SOURCE_LABEL = 'io.cdk8s-mcs.source-digest';

/** The context paths the Dockerfile's COPY steps read (those without --from), in file order. */
export function copiedPaths(dockerfile: string): string[] {
  return dockerfile.split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w[0]?.toUpperCase() === 'COPY' && !w.some((a) => a.startsWith('--from=')))
    .flatMap((w) => w.slice(1, -1).filter((a) => !a.startsWith('--')));
}

function files(root: string, rel: string): string[] {
  const full = path.join(root, rel);
  if (!fs.existsSync(full)) {
    throw new Error(`the Dockerfile copies "${rel}", which is not in ${root}`);
  }
  if (!fs.statSync(full).isDirectory()) {
    return [rel];
  }
  return fs.readdirSync(full).sort().flatMap((e) => files(root, path.join(rel, e)));
}

export function imageSourceDigest(root: string): string {
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const hash = crypto.createHash('sha256').update('Dockerfile\0').update(dockerfile).update('\0');
  for (const f of [...new Set(copiedPaths(dockerfile).flatMap((p) => files(root, p.replace(/\/$/, ''))))].sort()) {
    hash.update(`${f}\0`).update(fs.readFileSync(path.join(root, f))).update('\0');
  }
  return `sha256:${hash.digest('hex')}`;
}

if (require.main === module) {
  const digest = imageSourceDigest(path.resolve(__dirname, '..', '..'));
  process.stdout.write(`${process.argv.includes('--label') ? `${IMAGE_SOURCE_LABEL}=` : ''}${digest}\n`);
}
