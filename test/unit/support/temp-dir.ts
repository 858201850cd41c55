/**
 * Temporary folders that a test file makes and that are removed after it, the failing case
 * included. Importing this module registers one top-level afterAll in the importing file (jest
 * loads modules afresh per test file), so a file needs no cleanup of its own.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];

afterAll(() => {
  for (const dir of made.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A fresh folder under the OS's temp dir, named `<prefix><random>`, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
