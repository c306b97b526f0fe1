// `coredx rules test`: every rule's own test cases, like ESLint's RuleTester or semgrep --test.
// Each case runs the one rule alone on its sample; a failure shows which conditions held.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { analyze } from '../analyze.js';
import type { CompiledRule } from './compile.js';
import { RuleSet, type RuleExplanation } from './engine.js';

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

export function runRuleTests(rules: readonly CompiledRule[]): RuleTestResult[] {
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
      try {
        text = t.input ?? readFileSync(resolve(dirname(rule.file), t.sample!), 'utf8');
      } catch (err) {
        out.push({ ruleId: rule.id, file: rule.file, name, expected: t.match, actual: false, ok: false, error: `cannot read sample ${t.sample}: ${(err as NodeJS.ErrnoException).code ?? err}` });
        return;
      }
      const { reports } = analyze(text, { path: t.sample ?? '<inline>', rules: single });
      if (reports.length === 0) {
        out.push({ ruleId: rule.id, file: rule.file, name, expected: t.match, actual: false, ok: false, error: 'no backtrace found in the test input' });
        return;
      }
      const actual = reports.some((r) => r.diagnoses.some((d) => d.ruleId === rule.id));
      const result: RuleTestResult = { ruleId: rule.id, file: rule.file, name, expected: t.match, actual, ok: actual === t.match };
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
