// A prebuilt index of the bundled rules: each file's content hash and its validated spec, written
// by the build (bench/build-validators.js) into dist/. Loading a rule whose text still has that
// hash skips TOML parsing, schema validation, regex and placeholder checks: the start-up cost of a
// one-paste `coredx analyze` is then reading and hashing the files. A file that changed since the
// build (an edited rule, a user's checkout) is parsed and checked as usual: the index is only ever
// a shortcut for text it has already seen, never a second source of truth.
// A file whose size and modification time are what the build saw is taken as the text it indexed
// without reading it (as make, and bin/coredx.js for the CLI bundle, judge freshness): editing a
// file changes its time, so it is read and hashed again; a package's copies (other times) are too.
// Each entry also holds the rule's index tokens (what compiling its conditions gives), so a bundled
// rule is compiled only when a report gets near it (compile.ts, `indexedRule`); the index names the
// compiler it was made by (COMPILER_FILES' text), and a changed compiler makes it unusable too.

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleSpec } from './schema.js';

export const RULE_INDEX_FILE = fileURLToPath(new URL('./bundled-rule-index.json', import.meta.url));

export interface RuleIndex {
  /** The schema the specs were validated against; another schema makes the index unusable. */
  schemaDigest: string;
  /** Path relative to the rules folder -> the hash of the text and the spec it gave. */
  rules: Record<string, IndexEntry>;
  /** The hash of the rule compiler's code (COMPILER_FILES) the tokens were computed with. */
  compilerDigest: string;
}

export interface IndexEntry {
  sha256: string;
  /** The file's size and modification time when the build read it. */
  size: number;
  mtimeMs: number;
  spec: RuleSpec;
  /** CompiledRule.indexTokens of the compiled spec. */
  tokens: string[][] | null;
}

/** The modules whose code decides a compiled rule's index tokens (beside this one in dist/). */
const COMPILER_FILES = ['./compile.js', './conditions.js', './pattern.js', '../normalize/glob.js'];

/** The hash of the compiler's code as it is now (the build writes it into the index). */
export function compilerDigest(): string {
  const hash = createHash('sha256');
  for (const f of COMPILER_FILES) hash.update(readFileSync(new URL(f, import.meta.url)));
  return hash.digest('hex');
}

export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

let cached: { index: RuleIndex | null } | null = null;

/**
 * The index for `schemaDigest`, or null when there is none (not built, or running from the sources),
 * it is for another schema, or the compiler changed since it was written.
 */
export function readRuleIndex(schemaDigest: string): RuleIndex | null {
  if (!cached) {
    try {
      const index = JSON.parse(readFileSync(RULE_INDEX_FILE, 'utf8')) as RuleIndex;
      cached = { index: index.compilerDigest === compilerDigest() ? index : null };
    } catch {
      cached = { index: null };
    }
  }
  return cached.index && cached.index.schemaDigest === schemaDigest ? cached.index : null;
}

/** The index entry of `file` (under `rulesDir`) when its text is exactly what was indexed. */
export function indexedEntry(index: RuleIndex | null, rulesDir: string, file: string, text: string): IndexEntry | null {
  if (!index) return null;
  const entry = index.rules[indexKey(rulesDir, file)];
  return entry && entry.sha256 === textHash(text) ? entry : null;
}

/** The index entry of `file` when its size and modification time are the ones the build saw (see above). */
export function indexedEntryByStat(index: RuleIndex | null, rulesDir: string, file: string): IndexEntry | null {
  if (!index) return null;
  const entry = index.rules[indexKey(rulesDir, file)];
  if (!entry || entry.size === undefined) return null;
  try {
    const st = statSync(file);
    return st.size === entry.size && st.mtimeMs === entry.mtimeMs ? entry : null;
  } catch {
    return null; // read as usual, which reports why it cannot be
  }
}

/** A file's key in the index: its path under the rules folder (a slice for the usual case; path.relative resolves both paths). */
function indexKey(rulesDir: string, file: string): string {
  return file.startsWith(rulesDir) && file[rulesDir.length] === '/' && !file.includes('/.', rulesDir.length) ? file.slice(rulesDir.length + 1) : relative(rulesDir, file);
}
