// The rule set picks the rules worth trying on a report (by its frames' identifiers, and for rules
// without those by the crash kind, signal or format their [when] requires) and runs only those.
// Picking must never change a diagnosis: every bundled rule is also checked without it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { compileRule } from '../../../src/rules/compile.js';
import { RuleSet } from '../../../src/rules/engine.js';
import { builtinRules } from '../../../src/rules/load.js';
import type { RuleSpec } from '../../../src/rules/schema.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

const rule = (id: string, when: RuleSpec['when']) =>
  compileRule({ id, title: id, category: 'other', severity: 'medium', confidence: 0.5, when, diagnosis: { summary: 's', root_cause: 'r', remediation: ['x'] } } as RuleSpec, `${id}.toml`);

const SEGV = 'Program received signal SIGSEGV, Segmentation fault.\n#0  0x1 in Widget::draw () at w.cpp:1\n#1  0x2 in main () at m.cpp:2\n';
const ABRT = 'Program received signal SIGABRT, Aborted.\n#0  0x1 in raise () from /lib/libc.so.6\n#1  0x2 in Widget::draw () at w.cpp:1\n';

describe('the rules picked for a report', () => {
  const set = new RuleSet([
    rule('t/segv', { signal: 'SIGSEGV' }),
    rule('t/abrt-or-bus', { signal: ['sigabrt', 'SIGBUS'] }),
    rule('t/glob', { signal: 'SIG*' }),
    rule('t/kind', { crash_kind: 'null-deref', signal: 'SIGABRT' }),
    rule('t/format', { format: 'gdb' }),
    rule('t/nothing', { fault_address_below: '0x1000' }),
  ]);
  const ids = (text: string) => set.candidates(analyze(text, { rules: set }).reports[0]!).map((r) => r.id);

  it('takes rules without identifiers by the values their [when] requires, case-insensitively, in load order', () => {
    expect(ids(SEGV)).toEqual(['t/segv', 't/glob', 't/format', 't/nothing']);
    expect(ids(ABRT)).toEqual(['t/abrt-or-bus', 't/glob', 't/format', 't/nothing']);
  });
  it('files a rule by its crash kind before its signal', () => {
    const report = analyze(SEGV, { rules: set }).reports[0]!;
    expect(set.candidates({ ...report, signal: 'SIGABRT', crashKind: 'null-deref' }).map((r) => r.id)).toContain('t/kind');
    expect(set.candidates({ ...report, signal: 'SIGABRT', crashKind: 'abort' }).map((r) => r.id)).not.toContain('t/kind');
  });
  it('tries a rule requiring a value on no report without it', () => {
    const report = analyze(SEGV, { rules: set }).reports[0]!;
    expect(set.candidates({ ...report, signal: null, format: 'lldb' }).map((r) => r.id)).toEqual(['t/nothing']);
  });
  it('takes a rule filed by a glob for the values the glob matches, case-insensitively', () => {
    const report = analyze(SEGV, { rules: set }).reports[0]!;
    expect(set.candidates({ ...report, signal: 'sigbus' }).map((r) => r.id)).toEqual(['t/abrt-or-bus', 't/glob', 't/format', 't/nothing']);
    expect(set.candidates({ ...report, signal: 'EXC_BAD_ACCESS' }).map((r) => r.id)).toEqual(['t/format', 't/nothing']);
    // Asked again (the answer per value is remembered), the same.
    expect(set.candidates({ ...report, signal: 'SIGBUS' }).map((r) => r.id)).toEqual(['t/abrt-or-bus', 't/glob', 't/format', 't/nothing']);
  });
});

describe('the bundled rules', () => {
  const rules = builtinRules();
  const inputs = (): string[] => {
    const dirs = [join(ROOT, 'samples'), join(ROOT, 'test', 'pastes', 'cases'), ...readdirSync(join(ROOT, 'rules')).map((p) => join(ROOT, 'rules', p, 'samples'))];
    const files = dirs.flatMap((d) => {
      try {
        return readdirSync(d).filter((f) => f.endsWith('.txt')).map((f) => join(d, f));
      } catch {
        return [];
      }
    });
    return files.map((f) => readFileSync(f, 'utf8'));
  };

  it('diagnose a report with exactly the rules whose conditions hold when every rule is checked', () => {
    const differ: string[] = [];
    let reports = 0;
    let skipped = 0;
    for (const text of inputs()) {
      for (const report of analyze(text, { rules: null }).reports) {
        reports++;
        skipped += rules.rules.length - rules.candidates(report).length;
        const picked = rules.diagnose(report).map((d) => d.ruleId).sort();
        const all = rules.explain(report, 0).filter((e) => e.fired).map((e) => e.ruleId).sort();
        if (JSON.stringify(picked) !== JSON.stringify(all)) differ.push(`${report.source.path}:${report.source.line}: ${picked.join(',')} vs ${all.join(',')}`);
      }
    }
    expect(differ).toEqual([]);
    expect(reports).toBeGreaterThan(500);
    // Over half the rules are not tried on a report (over 100 of 201 on average when written; before
    // the value index, 40).
    expect(skipped / reports).toBeGreaterThan(rules.rules.length * 0.5);
  });
});
