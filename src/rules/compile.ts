// A validated rule spec -> a compiled rule: conditions as matchers, evidence items, index tokens.

import { compileConditions, type Condition } from './conditions.js';
import type { ConditionsSpec, RuleSpec } from './schema.js';

export interface CompiledEvidence {
  weight: number;
  why: string;
  conditions: Condition[];
}

export interface CompiledRule {
  id: string;
  pack: string;
  /** The file the rule came from (as given to the loader). */
  file: string;
  /** Known issues (a library's bug or misuse) outrank crash-class rules (the generic pack). */
  scope: 'known-issue' | 'crash-class';
  baseConfidence: number;
  spec: RuleSpec;
  when: Condition[];
  evidence: CompiledEvidence[];
  /** Alternatives of identifier sets: the rule is tried only on reports whose function names hold
   *  every identifier of one alternative (the RuleSet keys it by the rarest); null: always tried. */
  indexTokens: string[][] | null;
  /** Some of [when]'s conditions, cheap to compile (signal, crash kind, format...), which the engine
   *  tests before `when` itself: when one fails the rule cannot fire, and `when` (frame patterns,
   *  regexes) need not be compiled. Only lazily compiled rules (`indexedRule`) have one. */
  gate?: Condition[];
  /** `when` in parts, in its order, each compiled on first use: the engine stops at the first
   *  condition that fails, so what follows it is not compiled. Only lazily compiled rules have them. */
  whenParts?: (() => Condition[])[];
}

export const DEFAULT_CONFIDENCE = { 'known-issue': 0.6, 'crash-class': 0.5 } as const;

/** What a compiled rule says about itself, however its conditions are compiled. */
function ruleHeader(spec: RuleSpec, file: string) {
  const scope = spec.scope ?? 'known-issue';
  return { id: spec.id, pack: spec.id.split('/')[0]!, file, scope, baseConfidence: spec.confidence ?? DEFAULT_CONFIDENCE[scope], spec };
}

export function compileRule(spec: RuleSpec, file: string): CompiledRule {
  const when = compileConditions(spec.when);
  const evidence = compileEvidence(spec);
  return {
    ...ruleHeader(spec, file),
    when,
    evidence,
    indexTokens: chooseIndexTokens(when),
  };
}

/** The [when] keys whose conditions are cheap to compile and test (values of the report, no patterns). */
const GATE_KEYS = ['format', 'signal', 'crash_kind', 'fault_address', 'fault_address_below', 'thread_count'] as const;

/** The [when] keys in the order compileConditions (conditions.ts) gives their conditions; the build
 *  (bench/build-validators.js) checks every bundled rule's parts against `when` before indexing it. */
const WHEN_ORDER = [
  'format', 'signal', 'crash_kind', 'fault_address', 'fault_address_below', 'abort_message', 'modules', 'stack',
  'any_thread', 'other_thread', 'main_thread', 'threads', 'repeated', 'log', 'values', 'pc', 'module_copies', 'thread_count',
] as const;

/** `when` as parts compiled on first use (one per key), or one part when a key is not in WHEN_ORDER. */
function lazyParts(when: ConditionsSpec): (() => Condition[])[] {
  const keys = Object.keys(when);
  const known = new Set<string>(WHEN_ORDER);
  const lazy = (spec: ConditionsSpec) => {
    let compiled: Condition[] | null = null;
    return () => (compiled ??= compileConditions(spec));
  };
  if (keys.some((k) => !known.has(k))) return [lazy(when)];
  return WHEN_ORDER.filter((k) => when[k] !== undefined).map((k) => lazy({ [k]: when[k] } as ConditionsSpec));
}

/**
 * A rule whose spec was already checked and whose index tokens are known (the build's rule index):
 * the same rule as `compileRule(spec, file)` gives, but its conditions are compiled on first use.
 * Most rules of a one-paste run are ruled out by their gate (a SIGABRT rule on a SIGSEGV) and are
 * never compiled. Conditions compile each [when] key on its own, so the gate's conditions test
 * exactly what the same keys test inside `when`.
 */
export function indexedRule(spec: RuleSpec, file: string, indexTokens: string[][] | null): CompiledRule {
  let when: Condition[] | null = null;
  let evidence: CompiledEvidence[] | null = null;
  let gate: Condition[] | null = null;
  const gateSpec: ConditionsSpec = {};
  for (const key of GATE_KEYS) if (spec.when[key] !== undefined) (gateSpec as Record<string, unknown>)[key] = spec.when[key];
  return {
    ...ruleHeader(spec, file),
    get when() {
      return (when ??= compileConditions(spec.when));
    },
    get evidence() {
      return (evidence ??= compileEvidence(spec));
    },
    indexTokens,
    // Compiled when the engine first gets to the rule (most rules are ruled out by their needs first).
    get gate() {
      return (gate ??= compileConditions(gateSpec));
    },
    whenParts: lazyParts(spec.when),
  };
}

function compileEvidence(spec: RuleSpec): CompiledEvidence[] {
  return (spec.evidence ?? []).map(({ weight, why, ...conditions }) => ({ weight, why, conditions: compileConditions(conditions) }));
}

/** The required condition with the fewest alternatives (then the most tokens) keys the rule. */
function chooseIndexTokens(conditions: Condition[]): string[][] | null {
  let best: string[][] | null = null;
  for (const c of conditions) {
    if (!c.tokens || c.tokens.length === 0) continue;
    const tokens = (alts: string[][]) => Math.min(...alts.map((a) => a.length));
    if (!best || c.tokens.length < best.length || (c.tokens.length === best.length && tokens(c.tokens) > tokens(best))) best = c.tokens;
  }
  return best;
}
