// What a report must hold for a rule to fire, checked before the rule is evaluated: its format,
// signal and crash kind values (one lookup each for plain values, the globs otherwise), the required
// literals of its [when] log patterns (one of each log condition's patterns, somewhere in the
// report's context lines), of its abort_message patterns (in the abort message) and of the
// functions its frame patterns name (one alternative of each, somewhere in the report's function
// names: what the frame conditions check first themselves). Most rules a
// report gets (the unindexed ones, tried on every report) fail on exactly these, after their gate
// and earlier conditions ran; a rule ruled out here is one whose `when` would fail, and conditions
// have no effects, so diagnoses are the same.

import type { MatchContext } from './conditions.js';
import { functionLiterals, mayMatchIn, textPatternLiterals } from './pattern.js';
import { compileGlob } from '../normalize/glob.js';
import type { Report } from '../model.js';
import type { ConditionsSpec, FramePatternSpec } from './schema.js';

/** The report's value a [when] key names, as conditions.ts's valueGlobs reads it. */
export const VALUE_OF = {
  format: (r: Report) => r.format,
  signal: (r: Report) => r.signal,
  crash_kind: (r: Report) => r.crashKind,
} as const;

export interface RuleNeeds {
  /** Per value key, what valueGlobs tests (case-insensitively): plain values are a set of the
   *  lower-cased values; globs are matched. */
  values: { get: (r: Report) => string | null; allowed: Set<string> | null; globs: ((v: string) => boolean)[] }[];
  /** Per frame pattern that must match some frame, its function's literals: one must be in the
   *  report's function names. */
  functions: (string | null)[][];
  /** Per [when] log condition, its patterns' literals: one must be in the context lines. */
  log: (string | null)[][];
  /** The abort_message patterns' literals (one must be in the message), or null without the key. */
  abortMessage: (string | null)[] | null;
}

/** The needs of a rule's [when]; null when it has none to check. */
export function ruleNeeds(when: ConditionsSpec): RuleNeeds | null {
  const values = (Object.keys(VALUE_OF) as (keyof typeof VALUE_OF)[]).flatMap((key): RuleNeeds['values'] => {
    const spec = when[key];
    if (spec === undefined) return [];
    const globs = Array.isArray(spec) ? spec : [spec];
    if (globs.some((g) => g.includes('*') || g.includes('?'))) return [{ get: VALUE_OF[key], allowed: null, globs: globs.map((g) => compileGlob(g, { caseInsensitive: true })) }];
    return [{ get: VALUE_OF[key], allowed: new Set(globs.map((g) => g.toLowerCase())), globs: [] }];
  });
  // Literals only: nothing is compiled for a rule these rule out.
  const log = (when.log ?? []).map((l) => textPatternLiterals(l.pattern)).filter((ls) => !ls.includes(null));
  const abortMessage = when.abort_message === undefined ? null : textPatternLiterals(when.abort_message);
  // Each frame pattern that must match a frame somewhere: every stack step, every any/other/main
  // thread pattern, and the threads condition's patterns when it wants at least one thread.
  const required: FramePatternSpec[] = [...(when.stack ?? []), ...(when.any_thread ?? []), ...(when.other_thread ?? []), ...(when.main_thread ?? []), ...(when.threads && when.threads.min >= 1 ? when.threads.frames : [])];
  const functions = required.map(functionLiterals).filter((ls): ls is (string | null)[] => ls !== null && !ls.includes(null));
  return values.length === 0 && log.length === 0 && abortMessage === null && functions.length === 0 ? null : { values, log, abortMessage, functions };
}

/** False when the report lacks something the rule needs (its `when` cannot hold). */
export function mayFire(needs: RuleNeeds, ctx: MatchContext): boolean {
  for (const { get, allowed, globs } of needs.values) {
    const v = get(ctx.report);
    if (v === null || (allowed ? !allowed.has(v.toLowerCase()) : !globs.some((m) => m(v)))) return false;
  }
  if (needs.abortMessage) {
    const msg = ctx.report.abortMessage;
    if (msg === null || !needs.abortMessage.some((l) => l === null || msg.includes(l))) return false;
  }
  for (const literals of needs.log) if (!mayMatchIn(literals, ctx.contextText())) return false;
  for (const literals of needs.functions) if (!mayMatchIn(literals, ctx.functionText())) return false;
  return true;
}
