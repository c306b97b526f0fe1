// The committed real outputs: samples/ holds most of them; the ones a bundled rule tests against
// live with the rules (rules/<pack>/samples/), so the installed package carries them. Tests look a
// sample up by name wherever it is.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const SAMPLES_DIR = join(ROOT, 'samples');

function sampleDirs(): string[] {
  const rules = join(ROOT, 'rules');
  const packs = readdirSync(rules, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(rules, d.name, 'samples'));
  return [SAMPLES_DIR, ...packs.filter((d) => existsSync(d)).sort()];
}

/** The path of a committed sample by file name (a new one goes to samples/). */
export function samplePath(name: string): string {
  for (const dir of sampleDirs()) if (existsSync(join(dir, name))) return join(dir, name);
  return join(SAMPLES_DIR, name);
}

/** The file names of every committed sample (*.txt), sorted. */
export function sampleNames(): string[] {
  return [...new Set(sampleDirs().flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.txt'))))].sort();
}
