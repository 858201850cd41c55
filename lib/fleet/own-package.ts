/**
 * This package's own package.json, found upwards from this file: `lib/fleet` in a checkout,
 * `build/lib/fleet` when installed (a JSON import would not survive the build's layout).
 * The compiler stamps its version into the runner image name; `init` pins the scaffold with it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface OwnPackage {
  readonly name: string;
  readonly version: string;
  readonly dependencies: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

export const PACKAGE_NAME = 'cdk8s-mcs';

let cached: OwnPackage | undefined;

export function ownPackage(): OwnPackage {
  if (cached) {
    return cached;
  }
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as OwnPackage;
      if (pkg.name === PACKAGE_NAME) {
        cached = pkg;
        return pkg;
      }
    }
  }
  throw new Error(`cannot find the package.json of ${PACKAGE_NAME} above ${__dirname}; reinstall ${PACKAGE_NAME}`);
}

/**
 * The runner image `docker build -t cdk8s-mcs:<version> .` makes from the repository's Dockerfile:
 * a name without a registry host, so it runs only where it was built or loaded (kind load, a
 * node's image store) until you push it to your registry and set SyncRunner's `image`.
 */
export function defaultRunnerImage(): string {
  return `${PACKAGE_NAME}:${ownPackage().version}`;
}
