// Loading rule directories: find *.toml files, validate, compile, resolve duplicate ids.
// Bundled packs load first; a user rule with a bundled rule's id replaces it (with a note).

import { readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileRule, indexedRule, type CompiledRule } from './compile.js';
import { PLACEHOLDER, RuleSet, TEMPLATE_FACTS } from './engine.js';
import { compileTextPattern, PatternError } from './pattern.js';
import { RULE_SCHEMA, type RuleSpec } from './schema.js';
import { keyLines, lineOf } from './toml-lines.js';
import { closest, parseRuleText, schemaDigest, type RuleProblem } from './validate.js';
import { indexedEntry, indexedEntryByStat, readRuleIndex } from './rule-index.js';

/** The packs shipped with coredx (rules/ at the package root). */
export const BUILTIN_RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));

export interface LoadOptions {
  /** Extra rule directories (or single .toml files), after the bundled packs. */
  dirs?: readonly string[];
  /** Include the bundled packs (default true). */
  builtin?: boolean;
}

export interface LoadedRules {
  ruleSet: RuleSet;
  /** Files that could not be loaded, and why (file:line messages). Their rules are left out. */
  problems: RuleProblem[];
  /** Informational: user rules replacing bundled ones. */
  notes: string[];
  files: number;
}

export function ruleFiles(dir: string, problems?: RuleProblem[]): string[] {
  const st = statSync(dir);
  if (st.isFile()) return [dir];
  const files: string[] = [];
  const base = dir.replace(/\/+$/, '');
  // Walked by hand, so a folder that cannot be read is reported and the rest still load.
  const seen = new Set<string>();
  const walk = (rel: string) => {
    const abs = rel ? `${base}/${rel}` : base;
    let entries: Dirent[];
    try {
      const real = realpathSync(abs);
      if (seen.has(real)) return; // a symlink loop
      seen.add(real);
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      problems?.push({ file: abs, line: null, message: `rule folder cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); its rules are left out` });
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const s = statSync(`${base}/${child}`);
          isDir = s.isDirectory();
          isFile = s.isFile();
        } catch (err) {
          if (e.name.endsWith('.toml') || (err as NodeJS.ErrnoException).code === 'ELOOP') problems?.push({ file: `${base}/${child}`, line: null, message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); left out` });
          continue;
        }
      }
      if (isDir) walk(child);
      else if (isFile && e.name.endsWith('.toml')) files.push(child);
    }
  };
  walk('');
  return files.sort().map((f) => `${base}/${f}`);
}

let ruleSchemaDigest: string | null = null;

/** A bundled rule whose text is what the build indexed: its spec is already known valid, its
 *  index tokens known, and its conditions are compiled when a report first gets near it. */
function fromIndex(file: string, text: string | null): CompiledRule | null {
  if (!file.startsWith(BUILTIN_RULES_DIR)) return null;
  ruleSchemaDigest ??= schemaDigest(RULE_SCHEMA);
  const index = readRuleIndex(ruleSchemaDigest);
  // Without the text: only a file the build saw as it is now (its size and time), else null.
  const entry = text === null ? indexedEntryByStat(index, BUILTIN_RULES_DIR, file) : indexedEntry(index, BUILTIN_RULES_DIR, file, text);
  return entry ? indexedRule(entry.spec, file, entry.tokens) : null;
}

/** Loads and checks one rule file; `useIndex: false` checks it in full even when the build indexed it. */
export function loadRuleFile(file: string, options: { useIndex?: boolean } = {}): { rule: CompiledRule | null; problems: RuleProblem[] } {
  const unread = options.useIndex === false ? null : fromIndex(file, null);
  if (unread) return { rule: unread, problems: [] };
  let text: string;
  try {
    // A byte-order mark at the start (editors on Windows write one) is not TOML syntax.
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    return { rule: null, problems: [{ file, line: null, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }] };
  }
  const indexed = options.useIndex === false ? null : fromIndex(file, text);
  if (indexed) return { rule: indexed, problems: [] };
  const { spec, problems } = parseRuleText(text, file);
  if (!spec) return { rule: null, problems };
  const regexProblems = [...checkRegexes(spec, text, file), ...checkPlaceholders(spec, text, file)];
  if (regexProblems.length) return { rule: null, problems: regexProblems };
  return { rule: compileRule(spec, file), problems: [] };
}

/** Every {regex = ...} in the rule compiles under RE2 (no backreferences, no lookaround). */
function checkRegexes(spec: unknown, text: string, file: string): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const lines = keyLines(text);
  const walk = (v: unknown, path: string[]) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, String(i)]));
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.regex === 'string' && Object.keys(o).length === 1) {
        try {
          compileTextPattern({ regex: o.regex }).check?.();
        } catch (err) {
          if (!(err instanceof PatternError)) throw err;
          problems.push({ file, line: lineOf(lines, path), message: `${path.join('.')}: ${err.message} (regexes use RE2 syntax: no backreferences or lookaround)` });
        }
      } else for (const [k, x] of Object.entries(o)) walk(x, [...path, k]);
    }
  };
  walk(spec, []);
  return problems;
}

/**
 * Every "{name}" in the diagnosis names a fact of the report or a named group of one of the rule's
 * regexes: a typo would otherwise be printed literally to every user of the rule.
 */
function checkPlaceholders(spec: RuleSpec, text: string, file: string): RuleProblem[] {
  const known = new Set<string>(Object.keys(TEMPLATE_FACTS));
  for (const group of JSON.stringify(spec.when ?? {}).concat(JSON.stringify(spec.evidence ?? [])).matchAll(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g)) known.add(group[1]!);
  const lines = keyLines(text);
  const d = spec.diagnosis;
  const fields: [string[], string][] = [
    [['diagnosis', 'summary'], d.summary],
    [['diagnosis', 'root_cause'], d.root_cause],
    ...d.remediation.map((r, i): [string[], string] => [['diagnosis', 'remediation', String(i)], r]),
    ...(d.notes ? [[['diagnosis', 'notes'], d.notes] as [string[], string]] : []),
  ];
  const problems: RuleProblem[] = [];
  for (const [path, value] of fields) {
    for (const m of value.matchAll(PLACEHOLDER)) {
      if (known.has(m[1]!)) continue;
      const hint = closest(m[1]!, [...known]);
      problems.push({ file, line: lineOf(lines, path), message: `${path.join('.')}: unknown placeholder {${m[1]}}${hint ? ` (did you mean {${hint}}?)` : ''}; known: ${[...known].join(', ')}` });
    }
  }
  return problems;
}

export function loadRules(options: LoadOptions = {}): LoadedRules {
  const problems: RuleProblem[] = [];
  const notes: string[] = [];
  const byId = new Map<string, CompiledRule>();
  const builtinIds = new Set<string>();
  const sources: { dir: string; builtin: boolean }[] = [
    ...(options.builtin === false ? [] : [{ dir: BUILTIN_RULES_DIR, builtin: true }]),
    ...(options.dirs ?? []).map((dir) => ({ dir, builtin: false })),
  ];
  let files = 0;
  for (const { dir, builtin } of sources) {
    let list: string[];
    try {
      list = ruleFiles(dir, problems);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push({ file: dir, line: null, message: code === 'ENOENT' ? 'rule directory not found' : `rule directory cannot be read (${code ?? (err as Error).message})` });
      continue;
    }
    for (const file of list) {
      files++;
      const { rule, problems: p } = loadRuleFile(file);
      problems.push(...p);
      if (!rule) continue;
      const previous = byId.get(rule.id);
      if (previous && builtinIds.has(rule.id) && !builtin) {
        notes.push(`rule ${rule.id} from ${file} replaces the bundled one`);
        builtinIds.delete(rule.id);
      } else if (previous) {
        problems.push({ file, line: 1, message: `duplicate rule id "${rule.id}" (also in ${previous.file}); this one is left out` });
        continue;
      }
      byId.set(rule.id, rule);
      if (builtin) builtinIds.add(rule.id);
    }
  }
  return { ruleSet: new RuleSet([...byId.values()]), problems, notes, files };
}

let builtinCache: RuleSet | null = null;

/** The bundled packs, loaded once per process (what `analyze()` uses by default). */
export function builtinRules(): RuleSet {
  if (!builtinCache) {
    const loaded = loadRules({ builtin: true });
    if (loaded.problems.length) throw new Error(`bundled rules are invalid: ${formatProblem(loaded.problems[0]!)}`);
    builtinCache = loaded.ruleSet;
  }
  return builtinCache;
}

export function formatProblem(p: RuleProblem): string {
  return `${p.file}${p.line !== null ? `:${p.line}` : ''}: ${p.message}`;
}
