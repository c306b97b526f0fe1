// A validated rule spec -> a compiled rule: conditions as matchers, evidence items, index tokens.

import { compileConditions, type Condition } from './conditions.js';
import type { RuleSpec } from './schema.js';

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
}

export const DEFAULT_CONFIDENCE = { 'known-issue': 0.6, 'crash-class': 0.5 } as const;

export function compileRule(spec: RuleSpec, file: string): CompiledRule {
  const scope = spec.scope ?? 'known-issue';
  const when = compileConditions(spec.when);
  const evidence = (spec.evidence ?? []).map(({ weight, why, ...conditions }) => ({ weight, why, conditions: compileConditions(conditions) }));
  return {
    id: spec.id,
    pack: spec.id.split('/')[0]!,
    file,
    scope,
    baseConfidence: spec.confidence ?? DEFAULT_CONFIDENCE[scope],
    spec,
    when,
    evidence,
    indexTokens: chooseIndexTokens(when),
  };
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
