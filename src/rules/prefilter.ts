// What a report must hold for a rule to fire, checked before the rule is evaluated: its plain
// format, signal and crash kind values (one lookup each), the required literals of its [when] log patterns (one of each log condition's patterns, somewhere in the
// report's context lines) and of its abort_message patterns (in the abort message). Most rules a
// report gets (the unindexed ones, tried on every report) fail on exactly these, after their gate
// and earlier conditions ran; a rule ruled out here is one whose `when` would fail, and conditions
// have no effects, so diagnoses are the same.

import type { MatchContext } from './conditions.js';
import { compileTextPatterns, mayMatchIn } from './pattern.js';
import type { Report } from '../model.js';
import type { ConditionsSpec } from './schema.js';

/** The report's value a [when] key names, as conditions.ts's valueGlobs reads it. */
const VALUE_OF = {
  format: (r: Report) => r.format,
  signal: (r: Report) => r.signal,
  crash_kind: (r: Report) => r.crashKind,
} as const;

export interface RuleNeeds {
  /** Keys whose globs are all plain values: the report's value, lower-cased, must be one of them
   *  (what valueGlobs tests, case-insensitively). */
  values: { get: (r: Report) => string | null; allowed: Set<string> }[];
  /** Per [when] log condition, its patterns' literals: one must be in the context lines. */
  log: (string | null)[][];
  /** The abort_message patterns' literals (one must be in the message), or null without the key. */
  abortMessage: (string | null)[] | null;
}

/** The needs of a rule's [when]; null when it has none to check. */
export function ruleNeeds(when: ConditionsSpec): RuleNeeds | null {
  const values = (Object.keys(VALUE_OF) as (keyof typeof VALUE_OF)[]).flatMap((key) => {
    const spec = when[key];
    if (spec === undefined) return [];
    const globs = Array.isArray(spec) ? spec : [spec];
    if (globs.some((g) => g.includes('*') || g.includes('?'))) return [];
    return [{ get: VALUE_OF[key], allowed: new Set(globs.map((g) => g.toLowerCase())) }];
  });
  const log = (when.log ?? []).map((l) => compileTextPatterns(l.pattern).map((p) => p.literal)).filter((ls) => !ls.includes(null));
  const abortMessage = when.abort_message === undefined ? null : compileTextPatterns(when.abort_message).map((p) => p.literal);
  return values.length === 0 && log.length === 0 && abortMessage === null ? null : { values, log, abortMessage };
}

/** False when the report lacks something the rule needs (its `when` cannot hold). */
export function mayFire(needs: RuleNeeds, ctx: MatchContext): boolean {
  for (const { get, allowed } of needs.values) {
    const v = get(ctx.report);
    if (v === null || !allowed.has(v.toLowerCase())) return false;
  }
  if (needs.abortMessage) {
    const msg = ctx.report.abortMessage;
    if (msg === null || !needs.abortMessage.some((l) => l === null || msg.includes(l))) return false;
  }
  for (const literals of needs.log) if (!mayMatchIn(literals, ctx.contextText())) return false;
  return true;
}
