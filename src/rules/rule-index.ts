// A prebuilt index of the bundled rules: each file's content hash and its validated spec, written
// by the build (bench/build-validators.js) into dist/. Loading a rule whose text still has that
// hash skips TOML parsing, schema validation, regex and placeholder checks: the start-up cost of a
// one-paste `coredx analyze` is then reading and hashing the files. A file that changed since the
// build (an edited rule, a user's checkout) is parsed and checked as usual: the index is only ever
// a shortcut for text it has already seen, never a second source of truth.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleSpec } from './schema.js';

export const RULE_INDEX_FILE = fileURLToPath(new URL('./bundled-rule-index.json', import.meta.url));

export interface RuleIndex {
  /** The schema the specs were validated against; another schema makes the index unusable. */
  schemaDigest: string;
  /** Path relative to the rules folder -> the hash of the text and the spec it gave. */
  rules: Record<string, { sha256: string; spec: RuleSpec }>;
}

export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

let cached: { index: RuleIndex | null } | null = null;

/** The index for `schemaDigest`, or null when there is none (not built) or it is for another schema. */
export function readRuleIndex(schemaDigest: string): RuleIndex | null {
  if (!cached) {
    try {
      cached = { index: JSON.parse(readFileSync(RULE_INDEX_FILE, 'utf8')) as RuleIndex };
    } catch {
      cached = { index: null };
    }
  }
  return cached.index && cached.index.schemaDigest === schemaDigest ? cached.index : null;
}

/** The indexed spec of `file` (under `rulesDir`) when its text is exactly what was indexed. */
export function indexedSpec(index: RuleIndex | null, rulesDir: string, file: string, text: string): RuleSpec | null {
  if (!index) return null;
  const entry = index.rules[relative(rulesDir, file)];
  return entry && entry.sha256 === textHash(text) ? entry.spec : null;
}
