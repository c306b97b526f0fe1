// Matching: a RuleSet looks up candidate rules by the identifiers in a report's frames, runs only
// those (plus the unindexed few), scores and ranks what fired. Also explains near misses.

import type { Diagnosis, Evidence, ExplainedRule, Report, RuleHelp } from '../model.js';
import type { CompiledRule } from './compile.js';
import { clueFrames, findClues, nullPageOffset } from './clues.js';
import { createContext, type MatchContext, type Outcome } from './conditions.js';
import { identifierTokens } from './pattern.js';
import { mayFire, ruleNeeds, VALUE_OF, type RuleNeeds } from './prefilter.js';
import { compileGlob, type GlobMatcher } from '../normalize/glob.js';

const SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;

/** How diagnoses rank, best first: known issues before crash classes, then confidence, severity, rule id. */
export function compareDiagnoses(a: Diagnosis, b: Diagnosis): number {
  return (
    Number(a.scope !== 'known-issue') - Number(b.scope !== 'known-issue') ||
    b.confidence - a.confidence ||
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    a.ruleId.localeCompare(b.ruleId)
  );
}
const MAX_CONFIDENCE = 0.99;

export class RuleSet {
  private readonly byToken = new Map<string, CompiledRule[]>();
  /**
   * Rules without index tokens, filed by a value their [when] requires (`crash_kind`, `signal` or
   * `format`; a plain value's key first): a report meets only those its own values allow, so the
   * ~160 such rules are not each asked about every report (their value test would fail them;
   * prefilter.ts tests the same values the same way). Plain values by `key=value` (lower-cased);
   * globs matched once per distinct value met (valueCache).
   */
  private readonly byValue = new Map<string, CompiledRule[]>();
  private readonly byGlob: { key: ValueKey; rule: CompiledRule; matches: GlobMatcher[] }[] = [];
  private readonly valueCache = new Map<string, readonly CompiledRule[]>();
  /** Rules with neither index tokens nor a required value: tried on every report. */
  private readonly always = new Set<CompiledRule>();

  constructor(readonly rules: readonly CompiledRule[]) {
    // Each alternative is filed under its rarest token among all rules, so a common identifier
    // ("std", "Widget") does not make every rule a candidate for every report.
    const frequency = new Map<string, number>();
    for (const r of rules) for (const alt of r.indexTokens ?? []) for (const t of new Set(alt)) frequency.set(t, (frequency.get(t) ?? 0) + 1);
    for (const r of rules) {
      if (!r.indexTokens) {
        const filed = requiredValues(r);
        if (filed === null) this.always.add(r);
        else if (filed.glob) this.byGlob.push({ key: filed.key, rule: r, matches: filed.values.map((g) => compileGlob(g, { caseInsensitive: true })) });
        else {
          for (const v of filed.values) {
            const k = `${filed.key}=${v.toLowerCase()}`;
            const list = this.byValue.get(k);
            if (list) list.includes(r) || list.push(r);
            else this.byValue.set(k, [r]);
          }
        }
        continue;
      }
      for (const alt of r.indexTokens) {
        const key = [...alt].sort((a, b) => frequency.get(a)! - frequency.get(b)! || b.length - a.length)[0]!;
        const list = this.byToken.get(key);
        if (list) list.includes(r) || list.push(r);
        else this.byToken.set(key, [r]);
      }
    }
  }

  /** What each rule (by position) needs of a report (prefilter.ts), worked out on its first candidacy. */
  private readonly needs: (RuleNeeds | null | undefined)[] = [];

  get(id: string): CompiledRule | undefined {
    return this.rules.find((r) => r.id === id);
  }

  /** Rules worth trying on this report, in load order. */
  candidates(report: Report): CompiledRule[] {
    return this.candidatePositions(report).map((i) => this.rules[i]!);
  }

  /** The positions of the rules worth trying, ascending. */
  private candidatePositions(report: Report): number[] {
    // Rules without tokens are picked by the report's values, or always tried.
    const picked = new Set<CompiledRule>();
    for (const key of VALUE_KEYS) {
      const v = VALUE_OF[key](report);
      if (v !== null) for (const r of this.rulesForValue(key, v)) picked.add(r);
    }
    const seen = new Set<string>();
    // Frames repeat within a report (the access, allocation and free stacks share callers).
    const names = new Set<string>();
    for (const t of report.threads) {
      for (const f of t.frames) {
        if (names.has(f.fullFunction)) continue;
        names.add(f.fullFunction);
        for (const tok of identifierTokens(f.fullFunction)) {
          if (seen.has(tok)) continue;
          seen.add(tok);
          this.byToken.get(tok)?.forEach((r) => picked.add(r));
        }
      }
    }
    const out: number[] = [];
    this.rules.forEach((r, i) => {
      if (picked.has(r) || this.always.has(r)) out.push(i);
    });
    return out;
  }

  /** The rules filed under a value of the report (plain or matching glob), worked out once per value. */
  private rulesForValue(key: ValueKey, value: string): readonly CompiledRule[] {
    const k = `${key}=${value.toLowerCase()}`;
    let rules = this.valueCache.get(k);
    if (rules) return rules;
    rules = [...(this.byValue.get(k) ?? []), ...this.byGlob.filter((g) => g.key === key && g.matches.some((m) => m(value))).map((g) => g.rule)];
    // Values come from the input (a sanitizer's own crash kind words): the cache is bounded.
    if (this.valueCache.size >= 1024) this.valueCache.clear();
    this.valueCache.set(k, rules);
    return rules;
  }

  /** Ranked diagnoses: known issues first, then by confidence, severity and id. */
  diagnose(report: Report): Diagnosis[] {
    const ctx = createContext(report);
    const out: Diagnosis[] = [];
    for (const i of this.candidatePositions(report)) {
      const rule = this.rules[i]!;
      let needs = this.needs[i];
      if (needs === undefined) needs = this.needs[i] = ruleNeeds(rule.spec.when);
      if (needs && !mayFire(needs, ctx)) continue;
      const d = evaluate(rule, ctx);
      if (d) out.push(d);
    }
    return out.sort(compareDiagnoses);
  }

  /**
   * Every rule's conditions checked (no index, no short cut), closest first: the rules that fired,
   * then near misses ranked by how much held beyond the crash's signal (a rule matching only on
   * SIGSEGV is no near miss of anything), and for rules that fired, each evidence item's weight.
   */
  explain(report: Report, limit = 5): RuleExplanation[] {
    const ctx = createContext(report);
    const all = this.rules.map((rule): RuleExplanation => {
      const conditions = rule.when.map((c) => ({ label: c.label, ...pick(c.test(ctx)) }));
      const held = conditions.filter((c) => c.held).length;
      const specific = conditions.filter((c) => c.held && !GENERAL_CONDITION.test(c.label)).length;
      const evidence = rule.evidence.map((item) => {
        const outcomes = item.conditions.map((c) => c.test(ctx));
        return { why: item.why, weight: item.weight, held: outcomes.every((o) => o.held), detail: outcomes.map((o) => o.detail).join('; ') };
      });
      const fired = held === conditions.length && (!rule.spec.require_evidence || evidence.some((e) => e.held));
      return { ruleId: rule.id, file: rule.file, fired, held, total: conditions.length, specific, base: rule.baseConfidence, conditions, evidence };
    });
    // A single rule (rules test) is always explained, whatever held.
    const shown = this.rules.length === 1 ? all : all.filter((e) => e.fired || (e.specific ?? 0) > 0);
    return shown
      .sort((a, b) => Number(b.fired) - Number(a.fired) || (a.fired ? scoreOf(b) - scoreOf(a) : 0) || (b.specific ?? 0) - (a.specific ?? 0) || b.held / b.total - a.held / a.total || b.held - a.held)
      .slice(0, Math.max(limit, all.filter((e) => e.fired).length));
  }
}

/** The [when] keys a rule without index tokens is filed by, in the order tried (the rarest values first). */
const VALUE_KEYS = ['crash_kind', 'signal', 'format'] as const;
type ValueKey = (typeof VALUE_KEYS)[number];

const isGlob = (v: string) => v.includes('*') || v.includes('?');

/**
 * What a rule is filed under: the values of a key its [when] requires, a key with plain values
 * first (one lookup), else one with globs; null when it requires none.
 */
function requiredValues(rule: CompiledRule): { key: ValueKey; values: string[]; glob: boolean } | null {
  const specs = VALUE_KEYS.flatMap((key) => {
    const spec = rule.spec.when[key];
    if (spec === undefined) return [];
    const values = Array.isArray(spec) ? spec : [spec];
    return [{ key, values, glob: values.some(isGlob) }];
  });
  return specs.find((s) => !s.glob) ?? specs[0] ?? null;
}

/** The confidence a rule that fired reached: its base and the evidence that held. */
function scoreOf(e: RuleExplanation): number {
  return (e.base ?? 0) + (e.evidence ?? []).filter((x) => x.held).reduce((n, x) => n + x.weight, 0);
}

/** Conditions every crash of its kind meets: they alone do not make a near miss. */
const GENERAL_CONDITION = /^(?:signal|crash_kind|format|thread_count)\b/;

/** How one rule matched a report: the model's type (a report's `explain` carries them). */
export type RuleExplanation = ExplainedRule;

function pick(o: Outcome) {
  return { held: o.held, detail: o.detail };
}

/** Conditions whose own explanation names the value found (kept after the rule's why). */
const SPECIFIC_WHY = new Set(['values', 'pc', 'fault_address', 'fault_address_below', 'module_copies', 'repeated']);

function evaluate(rule: CompiledRule, ctx: MatchContext): Diagnosis | null {
  // The gate holds some of `when`'s conditions: one failing is `when` failing (tests have no effects).
  if (rule.gate) for (const c of rule.gate) if (!c.test(ctx).held) return null;
  const evidence: Evidence[] = [];
  const captures: Record<string, string> = {};
  for (const part of rule.whenParts ?? [() => rule.when]) {
    for (const c of part()) {
      const o = c.test(ctx);
      if (!o.held) return null;
      evidence.push(...o.evidence);
      Object.assign(captures, o.captures);
    }
  }
  let confidence = rule.baseConfidence;
  let corroborated = false;
  for (const item of rule.evidence) {
    const outcomes = item.conditions.map((c) => c.test(ctx));
    if (!outcomes.every((o) => o.held)) continue;
    corroborated = true;
    confidence += item.weight;
    for (const o of outcomes) {
      evidence.push(...o.evidence.map((e) => ({ ...e, condition: `evidence: ${e.condition}`, why: item.why, weight: item.weight, ...(SPECIFIC_WHY.has(e.condition) && e.why && e.why !== item.why ? { detail: e.why } : {}) })));
      Object.assign(captures, o.captures);
    }
  }
  const s = rule.spec;
  // require_evidence: [when] is necessary, and one of the evidence items must corroborate it.
  if (s.require_evidence && !corroborated) return null;
  const fill = (t: string) => fillTemplate(t, captures, ctx);
  const texts = diagnosisTexts(rule);
  return {
    ruleId: rule.id,
    scope: rule.scope,
    title: s.title,
    category: s.category,
    severity: s.severity,
    confidence: Math.round(Math.min(MAX_CONFIDENCE, confidence) * 100) / 100,
    summary: fill(texts.summary),
    rootCause: fill(texts.rootCause),
    remediation: texts.remediation.map(fill),
    evidence,
    references: s.references ?? [],
    ...(texts.notes !== null ? { notes: fill(texts.notes) } : {}),
    ruleHelp: ruleHelp(rule),
  };
}

const helpOf = new WeakMap<CompiledRule, RuleHelp>();

/** The rule in general words (see Diagnosis.ruleHelp), made once per rule. */
export function ruleHelp(rule: CompiledRule): RuleHelp {
  let help = helpOf.get(rule);
  if (!help) {
    const d = rule.spec.diagnosis;
    help = { rootCause: generalText(d.root_cause), remediation: d.remediation.map(generalText) };
    helpOf.set(rule, help);
  }
  return help;
}

/** TOML multi-line strings are wrapped for the editor: single line breaks become spaces, blank lines stay. */
function reflow(text: string): string {
  return text.trim().split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ')).join('\n\n');
}

const textsOf = new WeakMap<CompiledRule, DiagnosisTexts>();

interface DiagnosisTexts { summary: string; rootCause: string; remediation: string[]; notes: string | null }

/** The rule's diagnosis texts reflowed, once per rule (each diagnosis it gives fills them in). */
function diagnosisTexts(rule: CompiledRule): DiagnosisTexts {
  let texts = textsOf.get(rule);
  if (!texts) {
    const d = rule.spec.diagnosis;
    texts = { summary: reflow(d.summary), rootCause: reflow(d.root_cause), remediation: d.remediation.map(reflow), notes: d.notes ? reflow(d.notes) : null };
    textsOf.set(rule, texts);
  }
  return texts;
}

/**
 * Facts of a report a diagnosis text may name ("{function}"), besides the rule's own captures, and
 * how each reads in a rule's general description (shared by every crash it diagnoses).
 */
export const TEMPLATE_FACTS: Readonly<Record<string, string>> = {
  signal: 'the signal',
  fault_address: 'the fault address',
  function: 'the crashing function',
  abort_message: 'the abort message',
  crash_kind: 'the crash',
  program: 'the program',
  fault_offset: 'the offset of the member',
  null_pointer: 'the null pointer',
};

/** "{name}" or "{name|fallback}" in a diagnosis text. */
export const PLACEHOLDER = /\{([a-z_][a-z0-9_]*)(?:\|([^{}]*))?\}/gi;

/**
 * "{name}" or "{name|fallback}": regex captures of the rule's patterns, then facts of the report
 * (signal, fault_address, function, abort_message, crash_kind, program).
 */
export function fillTemplate(text: string, captures: Record<string, string>, ctx: MatchContext): string {
  // Most texts name no fact, and a fact is found only when named (the null pointer reads clues).
  if (!text.includes('{')) return text;
  const r = ctx.report;
  const facts: Record<string, () => string | null | undefined> = {
    signal: () => r.signal,
    fault_address: () => r.faultAddress,
    function: () => (ctx.crashed && ctx.firstMeaningful >= 0 ? ctx.crashed.frames[ctx.firstMeaningful]!.function : null),
    abort_message: () => r.abortMessage,
    crash_kind: () => r.crashKind,
    program: () => r.program,
    fault_offset: () => nullPageOffset(r),
    null_pointer: () => nullPointerName(ctx),
  };
  return text.replace(PLACEHOLDER, (whole, name: string, fallback?: string) => {
    const v = captures[name] ?? (Object.hasOwn(facts, name) ? facts[name]!() : undefined);
    if (v !== undefined && v !== null && v !== '') return v;
    return fallback ?? whole;
  });
}

/** The first null pointer (argument or local) of the crashing frame or its caller: "cfg", "this". */
function nullPointerName(ctx: MatchContext): string | null {
  const t = ctx.crashed;
  if (!t || t.frames.length === 0) return null;
  const c = findClues(t, clueFrames(t, ctx.firstMeaningful, 2)).find((x) => x.kind === 'null' || x.kind === 'empty-smart-pointer');
  return c ? `${c.name}, ${c.where} of ${t.frames[c.frame]!.function}` : null;
}

/** A rule text as a general description: each placeholder shown by its fallback or a neutral phrase. */
export function generalText(template: string): string {
  return reflow(template).replace(PLACEHOLDER, (_whole, name: string, fallback?: string) => fallback ?? TEMPLATE_FACTS[name] ?? `the ${name.replace(/_/g, ' ')}`);
}
