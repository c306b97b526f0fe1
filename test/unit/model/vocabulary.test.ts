// The crash model's one vocabulary (src/model/vocabulary.ts): what the parsers produce is all in
// it, rule lint rejects values outside it with a "did you mean", and the rule tester checks what a
// firing rule says (evidence, confidence, title, summary), not only that it fires.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import {
  CATEGORIES, CRASHED_THREAD_REASONS, didYouMean, FORMATS, globCanMatch, CRASH_KIND_VOCABULARY, isKnownCrashKind,
  isKnownFormat, isKnownRole, isKnownSignal, SIGNALS, THREAD_ROLE_NAMES,
} from '../../../src/model/vocabulary.js';
import * as publicApi from '../../../src/index.js';
import { signalNameOf } from '../../../src/parse/signals.js';
import { PARSERS } from '../../../src/parse/registry.js';
import { compileRule } from '../../../src/rules/compile.js';
import { loadRules } from '../../../src/rules/load.js';
import { CATEGORIES as SCHEMA_CATEGORIES } from '../../../src/rules/schema.js';
import { runRuleTests, unmetExpectations } from '../../../src/rule-tester.js';
import { parseRuleText } from '../../../src/rules/validate.js';
import type { Diagnosis } from '../../../src/model.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Every committed sample: samples/*.txt and rules/<pack>/samples/*.txt. */
function samples(): string[] {
  const dirs = [join(ROOT, 'samples'), ...readdirSync(join(ROOT, 'rules')).map((p) => join(ROOT, 'rules', p, 'samples')).filter((d) => existsSync(d))];
  return dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.txt')).map((f) => join(d, f))).sort();
}

function rule(when: string, extra = ''): string {
  return `id = "t/typo"\ntitle = "t"\ncategory = "other"\nseverity = "low"\n[when]\n${when}\n${extra}[diagnosis]\nsummary = "s"\nroot_cause = "r"\nremediation = ["x"]\n[[tests]]\ninput = "x"\nmatch = true\n`;
}

describe('the vocabulary covers what the parsers produce', () => {
  it('every parser format, crash kind, role and crashed-thread reason of every sample is in it', () => {
    for (const p of PARSERS) expect(isKnownFormat(p.format), `parser format ${p.format}: add it to src/model/vocabulary.ts FORMATS`).toBe(true);
    const all = samples();
    expect(all.length).toBeGreaterThan(50);
    for (const file of all) {
      for (const r of analyze(readFileSync(file, 'utf8'), { path: file, rules: null }).reports) {
        expect(isKnownFormat(r.format), `${file}: format ${r.format} is not in src/model/vocabulary.ts FORMATS`).toBe(true);
        expect(isKnownCrashKind(r.crashKind), `${file}: crash kind ${r.crashKind} is not in src/model/vocabulary.ts CRASH_KINDS (add it, and to docs/architecture.md)`).toBe(true);
        if (r.signal) expect(isKnownSignal(r.signal), `${file}: signal ${r.signal}`).toBe(true);
        expect(CRASHED_THREAD_REASONS, `${file}: add the crashed-thread reason to src/model/vocabulary.ts`).toContain(r.crashedThreadReason);
        for (const t of r.threads) if (t.role !== undefined) expect(isKnownRole(t.role), `${file}: role ${t.role} is not in src/model/vocabulary.ts THREAD_ROLES`).toBe(true);
      }
    }
  });

  it('knows the crash kinds of families and the producers that build them', () => {
    for (const k of ['SIGSEGV', 'SIG40', 'UNKNOWN', 'heap-use-after-free', 'data race', 'ubsan: division-by-zero', 'alloc-dealloc-mismatch (malloc vs operator delete)',
      'strcpy-param-overlap', 'valgrind: invalid-read', 'go-panic', 'rust-panic', 'indirect-memory-leak', 'stack-overflow']) {
      expect(isKnownCrashKind(k), k).toBe(true);
    }
    for (const k of ['SIGSEV', 'heap-use-after-fre', 'ubsan: division-by-zer', 'data-race', 'SIG']) expect(isKnownCrashKind(k), k).toBe(false);
  });

  it('has one table of signals that agrees with the parsers\' numbering and descriptions', () => {
    for (let n = 1; n <= 31; n++) {
      const { name, description } = signalNameOf(n);
      const entry = SIGNALS.find((s) => s.number === n && s.name === name);
      expect(entry, `signal ${n}`).toBeDefined();
      if (description) expect(entry!.description, name).toBe(description);
    }
  });

  it('is the one list of categories, used by the rule schema and exported publicly', () => {
    expect(SCHEMA_CATEGORIES).toBe(CATEGORIES);
    expect(publicApi.CATEGORIES).toBe(CATEGORIES);
    expect(publicApi.FORMATS).toBe(FORMATS);
    expect(typeof publicApi.isKnownCrashKind).toBe('function');
    expect(typeof publicApi.didYouMean).toBe('function');
    expect(THREAD_ROLE_NAMES).toEqual(expect.arrayContaining(['access', 'freed-by', 'allocated-by', 'previous-access', 'mutex-created', 'thread-created', 'origin', 'direct-leak', 'indirect-leak']));
  });
});

describe('docs/architecture.md', () => {
  it('lists every crash kind, format and thread role of the vocabulary', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const missing = [...CRASH_KIND_VOCABULARY.values, ...CRASH_KIND_VOCABULARY.families.map((f) => f.template), ...FORMATS, ...THREAD_ROLE_NAMES].filter((v) => !doc.includes(`\`${v}\``));
    expect(missing).toEqual([]);
  });
});

describe('didYouMean and glob reachability', () => {
  it('suggests the closest candidate only when it is close', () => {
    expect(didYouMean('SIGSEV', ['SIGSEGV', 'SIGBUS'])).toBe('SIGSEGV');
    expect(didYouMean('gbd', FORMATS)).toBe('gdb');
    expect(didYouMean('heap-use-after-fre', CRASH_KIND_VOCABULARY.values)).toBe('heap-use-after-free');
    expect(didYouMean('frobnicate', FORMATS)).toBeNull();
    expect(didYouMean('xyz', ['gdb'])).toBeNull();
  });

  it('accepts a glob when it can match some entry of the vocabulary', () => {
    for (const g of ['*use-after-free*', 'ubsan: *', 'valgrind: *', 'alloc-dealloc-mismatch*', 'SIG*', '*race*', 'stack-?verflow', '*-param-overlap'])
      expect(globCanMatch(g, CRASH_KIND_VOCABULARY), g).toBe(true);
    for (const g of ['*data-race*', '*use-after-fre', 'ubsan:div*', 'heap-*-overflow-x']) expect(globCanMatch(g, CRASH_KIND_VOCABULARY), g).toBe(false);
  });
});

describe('rule lint rejects values outside the vocabulary', () => {
  const problems = (text: string) => parseRuleText(text, 't.toml').problems;

  it('reports a misspelt format, signal and crash kind with its line and a did-you-mean', () => {
    expect(problems(rule('format = "gbd"'))).toEqual([{ file: 't.toml', line: 6, message: expect.stringContaining('unknown format "gbd" (did you mean "gdb"?)') }]);
    expect(problems(rule('signal = "SIGSEV"'))).toEqual([{ file: 't.toml', line: 6, message: expect.stringContaining('unknown signal "SIGSEV" (did you mean "SIGSEGV"?)') }]);
    expect(problems(rule('crash_kind = ["SIGSEGV", "heap-use-after-fre"]'))).toEqual([
      { file: 't.toml', line: 6, message: expect.stringContaining('unknown crash kind "heap-use-after-fre" (did you mean "heap-use-after-free"?)') },
    ]);
  });

  it('checks evidence items too, and globs by what they can match', () => {
    const ev = '[[evidence]]\nweight = 0.1\nwhy = "w"\nformat = ["lldb", "core+gbd"]\n';
    expect(problems(rule('signal = "SIGSEGV"', ev))).toEqual([{ file: 't.toml', line: 10, message: expect.stringContaining('evidence.0.format: unknown format "core+gbd" (did you mean "core+gdb"?)') }]);
    expect(problems(rule('crash_kind = "*data-rase*"'))[0]!.message).toContain('crash kind pattern "*data-rase*" matches no crash kind coredx produces');
    expect(problems(rule('crash_kind = ["*use-after-free*", "ubsan: *", "SIG*"]\nsignal = "sigsegv"\nformat = "core+*"'))).toEqual([]);
  });

  it('leaves the rule out when loaded (analyze and scan report it), so a typo never silently disables it', () => {
    expect(parseRuleText(rule('signal = "SIGSEV"'), 't.toml').spec).toBeNull();
  });

  it('an unknown key where a role would go is an error (thread roles are not a rule condition)', () => {
    expect(problems(rule('any_thread = [{ function = "f", role = "freed-bi" }]'))[0]!.message).toContain('unknown key "role"');
  });

  it('every bundled rule lints clean, in the library and with `coredx rules lint`', () => {
    expect(loadRules().problems).toEqual([]);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'coredx.js'), 'rules', 'lint'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stdout).toMatch(/ 0 problem\(s\)/);
    expect(r.status).toBe(0);
  });
});

describe('rule tester expectations beyond match', () => {
  const diagnosis = (over: Partial<Diagnosis> = {}): Diagnosis => ({
    ruleId: 'a/b', scope: 'known-issue', title: 'A title', category: 'other', severity: 'low', confidence: 0.7, summary: 'A summary',
    rootCause: '', remediation: [], references: [],
    evidence: [{ condition: 'stack[0]', text: '#0 f' }, { condition: 'evidence: log[0]', text: 'Got EOF of Socket{id=1}', why: 'w' }],
    ...over,
  });

  it('checks evidence by condition name or text, confidence range, title and summary', () => {
    expect(unmetExpectations({ match: true, evidence: ['stack[0]', 'log[0]', 'Got EOF'], confidence: [0.6, 0.8], title: 'title', summary: 'summary' }, [diagnosis()])).toBeNull();
    expect(unmetExpectations({ match: true, evidence: ['libtcmalloc'] }, [diagnosis()])).toMatch(/evidence "libtcmalloc" not among/);
    expect(unmetExpectations({ match: true, confidence: [0.8, 0.9] }, [diagnosis()])).toMatch(/confidence 0.7 not within \[0.8, 0.9\]/);
    expect(unmetExpectations({ match: true, title: 'nope' }, [diagnosis()])).toMatch(/title does not contain "nope"/);
    expect(unmetExpectations({ match: false, title: 'A' }, [])).toMatch(/need match = true/);
    // One of several reports' diagnoses meeting all of them is enough.
    expect(unmetExpectations({ match: true, confidence: [0.9, 1] }, [diagnosis(), diagnosis({ confidence: 0.95 })])).toBeNull();
  });

  const controller = join(ROOT, 'rules', 'brpc', 'controller-destroyed-in-flight.toml');
  const runMutated = (from: string, to: string) => {
    const text = readFileSync(controller, 'utf8');
    expect(text).toContain(from);
    const { spec, problems } = parseRuleText(text.replace(from, to), controller);
    expect(problems).toEqual([]);
    return runRuleTests([compileRule(spec!, controller)]);
  };

  it('the brpc seed rule passes its own tests, and fails them when its tcmalloc or Got EOF evidence is mutated', () => {
    expect(runMutated('id =', 'id =').filter((r) => !r.ok)).toEqual([]);
    for (const [from, to] of [['"libtcmalloc*"', '"libtcmaloc*"'], ['"*Got EOF of Socket{*"', '"*Got EOF on Socket{*"']]) {
      const failed = runMutated(from!, to!).filter((r) => !r.ok);
      expect(failed.length, `${from} -> ${to}`).toBeGreaterThan(0);
      expect(failed[0]!.error).toMatch(/evidence ".*" not among/);
    }
  });
});
