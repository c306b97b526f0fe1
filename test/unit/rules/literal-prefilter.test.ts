// Conditions rule out a report at once when a pattern's required literal is nowhere in its frames'
// names or its context lines (TextIndex, remembered per report). That short cut must never change
// an outcome: every condition of every bundled rule, on every sample and every rule test input,
// gives the same outcome (held, evidence, captures, detail) with it as without it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { compileConditions, createContext, type MatchContext } from '../../../src/rules/conditions.js';
import { builtinRules } from '../../../src/rules/load.js';
import { TextIndex } from '../../../src/rules/pattern.js';
import { mayFire, ruleNeeds } from '../../../src/rules/prefilter.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** An index that holds every literal: no condition is ruled out early. */
class Everything extends TextIndex {
  override has(): boolean {
    return true;
  }
}

/** The conditions that take the short cut (conditions.ts): frame patterns and log lines. */
const SHORT_CUT = /^(?:stack|any_thread|other_thread|main_thread|threads|log)\b/;

function inputs(): string[] {
  const dirs = [join(ROOT, 'samples'), ...readdirSync(join(ROOT, 'rules')).map((p) => join(ROOT, 'rules', p, 'samples'))];
  const files = dirs.flatMap((d) => {
    try {
      return readdirSync(d).filter((f) => f.endsWith('.txt')).map((f) => join(d, f));
    } catch {
      return [];
    }
  });
  const tests = builtinRules().rules.flatMap((r) => (r.spec.tests ?? []).map((t) => (t as { input?: string }).input).filter((x): x is string => x !== undefined));
  return [...files.map((f) => readFileSync(f, 'utf8')), ...tests];
}

describe('the literal short cut of conditions', () => {
  it('gives every condition the outcome it has without it', () => {
    const rules = builtinRules().rules;
    let conditions = 0;
    let reports = 0;
    const differ: string[] = [];
    for (const text of inputs()) {
      for (const report of analyze(text, { rules: null }).reports) {
        reports++;
        const ctx = createContext(report);
        const everything = new Everything('');
        const plain: MatchContext = { ...ctx, functionText: () => everything, contextText: () => everything };
        for (const rule of rules) {
          for (const c of [...rule.when, ...rule.evidence.flatMap((e) => e.conditions)]) {
            if (!SHORT_CUT.test(c.label)) continue;
            conditions++;
            const got = JSON.stringify(c.test(ctx));
            const want = JSON.stringify(c.test(plain));
            if (got !== want) differ.push(`${rule.id}: ${c.label}: ${got} vs ${want}`);
          }
        }
      }
    }
    expect(differ).toEqual([]);
    expect(reports).toBeGreaterThan(300);
    expect(conditions).toBeGreaterThan(50_000);
  });

  it('rules out a rule before its evaluation only when its [when] fails', () => {
    const rules = builtinRules().rules.map((rule) => ({ rule, needs: ruleNeeds(rule.spec.when) }));
    expect(rules.filter((r) => r.needs).length).toBeGreaterThan(50);
    const wrong: string[] = [];
    let ruledOut = 0;
    for (const text of inputs()) {
      for (const report of analyze(text, { rules: null }).reports) {
        const ctx = createContext(report);
        for (const { rule, needs } of rules) {
          if (!needs || mayFire(needs, ctx)) continue;
          ruledOut++;
          if (rule.when.every((c) => c.test(ctx).held)) wrong.push(`${rule.id} on ${report.source.path}:${report.source.line}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(ruledOut).toBeGreaterThan(10_000);
  });

  it('answers what includes answers, again from memory', () => {
    const index = new TextIndex('pthread_mutex_lock\n__lll_lock_wait\nmain');
    for (const l of ['mutex_lock', 'lock\n__lll', 'main', 'Main', 'abort', '']) {
      expect(index.has(l)).toBe(index.text.includes(l));
      expect(index.has(l)).toBe(index.text.includes(l));
    }
  });

  // Rules with crash_kind globs and frame patterns whose names end in a wildcard were tried on every
  // report (no index token, no plain value): their needs now rule them out first.
  const report = (crashKind: string, functions: string[]) => analyze(['==1==ERROR: AddressSanitizer: ' + crashKind + ' on address 0x602000000010', ...functions.map((f, i) => `    #${i} 0x4005d${i} in ${f} /src/a.cc:${i + 1}:3`)].join('\n'), { rules: null }).reports[0]!;
  it('matches crash_kind globs and wants a frame pattern’s function literal in the report', () => {
    const needs = ruleNeeds({ crash_kind: ['SIGSEGV', '*use-after-free*'], stack: [{ function: ['__lll_lock_wait*', 'pthread_mutex_lock'] }] })!;
    expect(needs.functions).toEqual([['__lll_lock_wait', 'pthread_mutex_lock']]);
    const uaf = report('heap-use-after-free', ['__lll_lock_wait_private', 'main']);
    expect(uaf.crashKind).toMatch(/use-after-free/);
    expect(mayFire(needs, createContext(uaf))).toBe(true);
    expect(mayFire(needs, createContext(report('heap-use-after-free', ['Widget::draw', 'main'])))).toBe(false);
    expect(mayFire(needs, createContext(report('heap-buffer-overflow', ['__lll_lock_wait_private', 'main'])))).toBe(false);
  });
  it('asks nothing of frames a condition does not need (threads with min 0, patterns without a function)', () => {
    expect(ruleNeeds({ threads: { min: 0, frames: [{ function: 'bthread::TaskGroup::*' }] } })).toBeNull();
    expect(ruleNeeds({ any_thread: [{ module: '*libssl*' }] })).toBeNull();
  });
});

describe('the rule index of a threads condition', () => {
  it('files the rule under its most selective pattern, and not at all when no thread is needed', () => {
    const [two] = compileConditions({ threads: { min: 2, frames: [{ function: ['__lll_lock_wait*', 'std::mutex::lock'] }, { function: 'bthread::TaskGroup::*' }] } });
    expect(two!.tokens).toEqual([['TaskGroup', 'bthread']]);
    const [none] = compileConditions({ threads: { min: 0, frames: [{ function: 'bthread::TaskGroup::*' }] } });
    expect(none!.tokens).toBeNull();
  });
});

