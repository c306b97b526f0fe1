// A rule's diagnosis texts are reflowed once per rule and filled per diagnosis: two reports the
// same rule diagnoses each get their own facts, and the texts read as the rule wrote them reflowed.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { compileRule } from '../../../src/rules/compile.js';
import { RuleSet } from '../../../src/rules/engine.js';
import { parseRuleText } from '../../../src/rules/validate.js';

const { spec, problems } = parseRuleText(`id = "t/null"
title = "t"
category = "other"
severity = "low"
[when]
signal = "SIGSEGV"
[diagnosis]
summary = """
{function|Something} crashed
at {fault_address}."""
root_cause = "r {nothing|fallback} {program}"
remediation = ["fix {function}", "plain"]

[[tests]]
input = "x"
match = true
`, 't.toml');
const rules = new RuleSet([compileRule(spec!, 't.toml')]);

const trace = (fn: string, addr: string) => `Program terminated with signal SIGSEGV, Segmentation fault.
#0  0x0000555555555131 in ${fn} (p=${addr}) at crash.c:5
#1  0x000055555555514f in main () at crash.c:10`;

describe('diagnosis texts', () => {
  it('are filled with each report\'s own facts, reflowed as the rule wrote them', () => {
    expect(problems).toEqual([]);
    for (const fn of ['first_fn', 'second_fn', 'first_fn']) {
      const d = analyze(trace(fn, '0x0'), { rules }).reports[0]!.diagnoses[0]!;
      // A fact the report does not show, named without a fallback, stays as written.
      expect(d.summary).toBe(`${fn} crashed at {fault_address}.`);
      expect(d.rootCause).toBe('r fallback {program}');
      expect(d.remediation).toEqual([`fix ${fn}`, 'plain']);
    }
  });
});
