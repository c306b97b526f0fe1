// Rule files -> validated specs or problems with file, line and a hint. A typo must never
// silently disable a rule, so unknown keys are errors with a "did you mean".

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { CRASH_KIND_VOCABULARY, FORMAT_VOCABULARY, SIGNAL_VOCABULARY, vocabularyProblem, type Vocabulary } from '../model/vocabulary.js';
import { RULE_SCHEMA, type ConditionsSpec, type RuleSpec } from './schema.js';
import { keyLines, lineOf } from './toml-lines.js';

// @iarna/toml is CommonJS, required on first use: a run with nothing to parse never loads it.
function tomlParse(text: string): unknown {
  return (createRequire(import.meta.url)('@iarna/toml') as { parse(text: string): unknown }).parse(text);
}

export interface RuleProblem {
  file: string;
  line: number | null;
  message: string;
}

/** How the schemas are compiled, here and by bench/build-validators.js (which must agree). */
export const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true, code: { optimize: false } } as const;

/** Names the schema a prebuilt validator was generated from, so a stale one is never used. */
export function schemaDigest(schema: object): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 16);
}

/** Where `npm run build` writes the rule schema's validator as plain code (ajv standalone). */
export const PREBUILT_RULE_VALIDATOR = './rule-validator.generated.cjs';

// Compiling the rule schema takes ~130 ms, as much as the rest of a small scan: the build writes it
// out as code once (PREBUILT_RULE_VALIDATOR), and a checkout without that file (tests run on the
// sources) compiles on the first rule file, not when the module loads. Ajv is CommonJS, so it is
// required synchronously at that point.
let validateSchema: ValidateFunction<RuleSpec> | null = null;
export function ajvValidator<T>(schema: object, prebuilt?: string): ValidateFunction<T> {
  const require = createRequire(import.meta.url);
  if (prebuilt) {
    try {
      const built = require(prebuilt) as ValidateFunction<T> & { digest?: string };
      if (built.digest === schemaDigest(schema)) return built;
    } catch {
      // Not built (running from the sources): compile below.
    }
  }
  const { Ajv } = require('ajv') as typeof import('ajv');
  // optimize: false halves the compile time; the generated checks are the same, only less simplified.
  return new Ajv(AJV_OPTIONS).compile<T>(schema);
}

export function parseRuleText(text: string, file: string): { spec: RuleSpec | null; problems: RuleProblem[] } {
  let doc: unknown;
  try {
    doc = tomlParse(text);
  } catch (err) {
    const e = err as { line?: number; message?: string };
    const first = (e.message ?? String(err)).split('\n')[0]!.replace(/ at row \d+, col \d+, pos \d+:?$/, '');
    return { spec: null, problems: [{ file, line: typeof e.line === 'number' ? e.line + 1 : null, message: `TOML syntax: ${first}` }] };
  }
  validateSchema ??= ajvValidator<RuleSpec>(RULE_SCHEMA, PREBUILT_RULE_VALIDATOR);
  if (validateSchema(doc)) {
    const problems = checkVocabulary(doc, text, file);
    return problems.length ? { spec: null, problems } : { spec: doc, problems: [] };
  }
  const lines = keyLines(text);
  return { spec: null, problems: explainErrors(validateSchema.errors ?? []).map((p) => ({ file, line: lineOf(lines, p.path), message: p.message })) };
}

/** Condition keys whose values name things of the crash model's vocabulary. */
const VOCABULARY_KEYS: [keyof ConditionsSpec, Vocabulary][] = [
  ['format', FORMAT_VOCABULARY],
  ['signal', SIGNAL_VOCABULARY],
  ['crash_kind', CRASH_KIND_VOCABULARY],
];

/**
 * `format`, `signal` and `crash_kind` values (in [when] and every [[evidence]]) that can match
 * nothing coredx produces: "SIGSEV" or "gbd" would make the rule (or the evidence) silently never
 * hold. Globs are accepted when they can match some vocabulary entry.
 */
export function checkVocabulary(spec: RuleSpec, text: string, file: string): RuleProblem[] {
  let lines: Map<string, number> | null = null;
  const problems: RuleProblem[] = [];
  const blocks: [string[], ConditionsSpec][] = [[['when'], spec.when], ...(spec.evidence ?? []).map((e, i): [string[], ConditionsSpec] => [['evidence', String(i)], e])];
  for (const [path, conditions] of blocks) {
    for (const [key, vocabulary] of VOCABULARY_KEYS) {
      const value = conditions[key];
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v !== 'string') continue;
        const message = vocabularyProblem(v, vocabulary);
        if (message) problems.push({ file, line: lineOf((lines ??= keyLines(text)), [...path, key]), message: `${[...path, key].join('.')}: ${message}` });
      }
    }
  }
  return problems;
}

/** Ajv's errors -> one message per real mistake (oneOf/anyOf noise folded into its branch errors). */
function explainErrors(errors: ErrorObject[]): { path: string[]; message: string }[] {
  const out: { path: string[]; message: string }[] = [];
  const seen = new Set<string>();
  const add = (path: string[], message: string) => {
    const key = path.join('.') + message;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ path, message });
    }
  };
  const hasSpecific = (path: string) => errors.some((e) => e.instancePath.startsWith(path) && e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'type' && e.keyword !== 'required');
  for (const e of errors) {
    const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const where = path.length ? path.join('.') : 'rule';
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
        const guess = closest(key, allowed);
        add([...path, key], `unknown key "${key}" in ${path.length ? `[${where}]` : 'the rule'}${guess ? ` (did you mean "${guess}"?)` : ''}; allowed: ${allowed.join(', ')}`);
        break;
      }
      case 'required': {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        if (/\/(anyOf|oneOf)\//.test(e.schemaPath)) {
          // "at least one of" branches: one message, and none when a misspelt key explains it.
          if (errors.some((x) => x.keyword === 'additionalProperties' && x.instancePath === e.instancePath)) break;
          const options = errors.filter((x) => x.keyword === 'required' && x.instancePath === e.instancePath && x.schemaPath.replace(/\/\d+\/required$/, '') === e.schemaPath.replace(/\/\d+\/required$/, ''));
          add(path, `[${where}] needs one of: ${options.map((x) => (x.params as { missingProperty: string }).missingProperty).join(', ')}`);
          break;
        }
        if (/^\d+$/.test(path.at(-1) ?? '') && hasSpecific(e.instancePath + '/')) break;
        add(path, `missing "${missing}" in ${path.length ? `[${where}]` : 'the rule'}`);
        break;
      }
      case 'enum':
        add(path, `${where} must be one of: ${((e.params as { allowedValues: unknown[] }).allowedValues).join(', ')}`);
        break;
      case 'oneOf':
      case 'anyOf':
        if (!hasSpecific(e.instancePath)) add(path, `${where} has the wrong shape: ${shapeHint(path)}`);
        break;
      case 'type':
        if (!errors.some((x) => (x.keyword === 'oneOf' || x.keyword === 'anyOf') && x.instancePath === e.instancePath)) add(path, `${where} must be ${e.params.type}`);
        break;
      case 'pattern':
        add(path, `${where} ${path[0] === 'id' ? 'must look like "pack/name" (lower case, digits, - _ .)' : path[0] === 'references' ? 'must be an http(s) URL' : 'must be a hex address like "0x1000"'}`);
        break;
      default:
        add(path, `${where} ${e.message ?? 'is invalid'}`);
    }
  }
  return out;
}

function shapeHint(path: string[]): string {
  const key = [...path].reverse().find((p) => !/^\d+$/.test(p)) ?? '';
  if (key === 'tests') return 'each test needs exactly one of "sample" (a file) or "input" (inline text), and "match"';
  if (['function', 'abort_message', 'pattern'].includes(key)) return 'a glob string, {regex = "..."}, or an array of those';
  if (key === 'stack') return 'each step needs at least one of function, module, file';
  return 'a string or an array of strings';
}

/** The allowed key within edit distance 2, if any. */
export function closest(word: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
