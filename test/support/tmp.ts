// Temporary folders of a test file, removed when the file's tests are done: `npm test` compiles
// programs and writes cores and logs, and must leave nothing behind (test/support/tmp-global.ts
// checks that and sweeps whatever a test still left).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

/** A fresh folder `coredx-<name>-XXXXXX` in the temporary directory, removed after this file's tests. */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `coredx-${name}-`));
  made.push(dir);
  return dir;
}

/** Removes the folders made so far (also run after each test file). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

afterAll(removeTempDirs);
