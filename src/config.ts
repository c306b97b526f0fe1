// The project config file, .coredx.toml, found upward from the working directory. Paths in it
// are relative to the file's own directory.

import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CoredxInputError } from './errors.js';
import { keyLines, lineOf } from './rules/toml-lines.js';
import { ajvValidator, closest } from './rules/validate.js';

// @iarna/toml is CommonJS, required on first use: a run with nothing to parse never loads it.
function tomlParse(text: string): unknown {
  return (createRequire(import.meta.url)('@iarna/toml') as { parse(text: string): unknown }).parse(text);
}

export const CONFIG_NAME = '.coredx.toml';

export interface CoredxConfig {
  /** The file it came from, or null when none was found. */
  path: string | null;
  rules: { dirs: string[]; builtin: boolean };
  /** Globs matched on a path relative to the config file's directory (scan passes it as WalkOptions.rooted). */
  scan: { include: string[]; exclude: string[] };
}

const strings = { type: 'array', items: { type: 'string', minLength: 1 } };
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rules: { type: 'object', additionalProperties: false, properties: { dirs: strings, builtin: { type: 'boolean' } } },
    scan: { type: 'object', additionalProperties: false, properties: { include: strings, exclude: strings } },
  },
};
/** Compiled when a config file is found (see ajvValidator). */
let validate: ReturnType<typeof ajvValidator> | null = null;

export function findConfigFile(from: string): string | null {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, CONFIG_NAME);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** Reads the nearest .coredx.toml; a broken one is a CoredxInputError naming file and line. */
export function loadConfig(from = process.cwd()): CoredxConfig {
  const empty: CoredxConfig = { path: null, rules: { dirs: [], builtin: true }, scan: { include: [], exclude: [] } };
  const path = findConfigFile(from);
  if (!path) return empty;
  let text: string;
  try {
    // A byte-order mark (editors on Windows write one) is not TOML syntax.
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why: Record<string, string> = { EISDIR: 'is a directory, not a file', EACCES: 'permission denied', ENOENT: 'a broken symlink' };
    throw new CoredxInputError('usage', `${path}: cannot read the config file: ${(code && why[code]) ?? code ?? (err as Error).message}`);
  }
  let doc: Record<string, Record<string, unknown>>;
  try {
    doc = tomlParse(text) as typeof doc;
  } catch (err) {
    const e = err as { line?: number; message: string };
    throw new CoredxInputError('usage', `${path}${e.line !== undefined ? `:${e.line + 1}` : ''}: TOML syntax: ${e.message.split('\n')[0]!.replace(/ at row \d+, col \d+, pos \d+:?$/, '')}`);
  }
  validate ??= ajvValidator(SCHEMA);
  if (!validate(doc)) {
    const e = validate.errors![0]!;
    const path2 = e.instancePath.split('/').slice(1);
    let msg = `${path2.join('.') || 'config'} ${e.message}`;
    if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      path2.push(key);
      const guess = closest(key, Object.keys((e.parentSchema as { properties: object }).properties));
      msg = `unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
    }
    const line = lineOf(keyLines(text), path2);
    throw new CoredxInputError('usage', `${path}${line ? `:${line}` : ''}: ${msg}`);
  }
  const base = dirname(path);
  const rules = (doc.rules ?? {}) as { dirs?: string[]; builtin?: boolean };
  const scan = (doc.scan ?? {}) as { include?: string[]; exclude?: string[] };
  return {
    path,
    rules: { dirs: (rules.dirs ?? []).map((d) => resolve(base, d)), builtin: rules.builtin ?? true },
    scan: { include: scan.include ?? [], exclude: scan.exclude ?? [] },
  };
}
