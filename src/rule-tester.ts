// `coredx rules test`: every rule's own test cases, like ESLint's RuleTester or semgrep --test.
// Each case runs the one rule alone on its sample; a failure shows which conditions held. It runs
// the whole pipeline on each sample, so it lives above the pipeline, not in rules/ (which the
// pipeline imports).

import { realpathSync } from 'node:fs';
import { readSampleBytes } from './rules/sample-file.js';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { analyze } from './pipeline.js';
import type { CompiledRule } from './rules/compile.js';
import { RuleSet, type RuleExplanation } from './rules/engine.js';
import type { Diagnosis } from './model.js';
import type { RuleTestSpec } from './rules/schema.js';
import { BUILTIN_RULES_DIR } from './rules/load.js';

export const SAMPLE_OUTSIDE = 'sample outside the rules folder';

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Where a test's sample may be: inside the rule's pack folder or inside the rules root it was
 * loaded from (the bundled rules/, or a directory given to `rules test`/`--rules`/.coredx.toml),
 * symlinks resolved. A sample path like `../../../../etc/shadow` is refused, never read: a rule
 * file from someone else must not make `rules test` print a file of this machine.
 * Returns the resolved path, or null when it lies outside.
 */
export function resolveSample(rule: CompiledRule, sample: string, roots: readonly string[] = []): string | null {
  const file = real(rule.file);
  const allowed = [dirname(file), ...[BUILTIN_RULES_DIR, ...roots].map(real).filter((r) => inside(r, file))];
  const path = resolve(dirname(rule.file), sample);
  const target = real(path);
  return allowed.some((dir) => inside(dir, target)) ? path : null;
}

export interface RuleTestResult {
  ruleId: string;
  file: string;
  name: string;
  expected: boolean;
  actual: boolean;
  ok: boolean;
  /** On failure: the rule's conditions on the closest report (what held, what did not). */
  explanation?: RuleExplanation;
  error?: string;
}

/** `roots`: the rule directories the rules were loaded from (samples may be anywhere inside them). */
export function runRuleTests(rules: readonly CompiledRule[], roots: readonly string[] = []): RuleTestResult[] {
  const out: RuleTestResult[] = [];
  for (const rule of rules) {
    const single = new RuleSet([rule]);
    const tests = rule.spec.tests;
    if (!tests.some((t) => t.match)) {
      out.push({ ruleId: rule.id, file: rule.file, name: '(no positive test)', expected: true, actual: false, ok: false, error: 'every rule needs at least one test with match = true' });
    }
    tests.forEach((t, i) => {
      const name = t.name ?? t.sample ?? `inline test ${i + 1}`;
      let text: string;
      const path = t.input === undefined ? resolveSample(rule, t.sample!, roots) : null;
      if (t.input === undefined && path === null) {
        out.push({ ruleId: rule.id, file: rule.file, name, expected: t.match, actual: false, ok: false, error: `${SAMPLE_OUTSIDE}: ${t.sample} (keep samples in the rule's pack folder, e.g. samples/crash.txt next to the rule)` });
        return;
      }
      try {
        text = t.input ?? readSampleBytes(path!).toString('utf8');
      } catch (err) {
        out.push({ ruleId: rule.id, file: rule.file, name, expected: t.match, actual: false, ok: false, error: `cannot read sample ${t.sample}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
        return;
      }
      const { reports } = analyze(text, { path: t.sample ?? '<inline>', rules: single });
      if (reports.length === 0) {
        out.push({ ruleId: rule.id, file: rule.file, name, expected: t.match, actual: false, ok: false, error: 'no backtrace found in the test input' });
        return;
      }
      const actual = reports.some((r) => r.diagnoses.some((d) => d.ruleId === rule.id));
      const result: RuleTestResult = { ruleId: rule.id, file: rule.file, name, expected: t.match, actual, ok: actual === t.match };
      const unmet = result.ok ? unmetExpectations(t, reports.flatMap((r) => r.diagnoses.filter((d) => d.ruleId === rule.id))) : null;
      if (unmet) {
        result.ok = false;
        result.error = unmet;
      }
      if (!result.ok) {
        const explanations = reports.map((r) => single.explain(r, 1)[0]).filter((e): e is RuleExplanation => e !== undefined);
        const closest = explanations.sort((a, b) => b.held - a.held)[0];
        if (closest) result.explanation = closest;
        else result.explanation = { ruleId: rule.id, file: rule.file, fired: false, held: 0, total: rule.when.length, conditions: rule.when.map((c) => ({ label: c.label, held: false, detail: 'did not hold' })) };
      }
      out.push(result);
    });
  }
  return out;
}

/**
 * What a firing test case asks of the diagnosis beyond firing (ESLint's RuleTester style): evidence
 * items, a confidence range, title and summary substrings. Null when every expectation holds for at
 * least one of the rule's diagnoses (a log may hold several reports), else what is missing.
 */
export function unmetExpectations(t: RuleTestSpec, diagnoses: Diagnosis[]): string | null {
  const asked = t.evidence !== undefined || t.confidence !== undefined || t.title !== undefined || t.summary !== undefined;
  if (!asked) return null;
  if (!t.match) return 'evidence, confidence, title and summary expectations need match = true';
  let best: string[] | null = null;
  for (const d of diagnoses) {
    const missing: string[] = [];
    for (const e of t.evidence ?? []) {
      if (!d.evidence.some((x) => x.condition === e || x.condition === `evidence: ${e}` || x.text.includes(e))) missing.push(`evidence "${e}" not among: ${d.evidence.map((x) => `${x.condition} (${x.text.slice(0, 60)})`).join('; ') || 'none'}`);
    }
    if (t.confidence && (d.confidence < t.confidence[0] || d.confidence > t.confidence[1])) missing.push(`confidence ${d.confidence} not within [${t.confidence[0]}, ${t.confidence[1]}]`);
    if (t.title !== undefined && !d.title.includes(t.title)) missing.push(`title does not contain "${t.title}": ${d.title}`);
    if (t.summary !== undefined && !d.summary.includes(t.summary)) missing.push(`summary does not contain "${t.summary}": ${d.summary}`);
    if (missing.length === 0) return null;
    if (!best || missing.length < best.length) best = missing;
  }
  return best ? best.join('\n     ') : 'the rule did not fire';
}
