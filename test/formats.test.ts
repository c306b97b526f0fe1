// Sanitizer reports as the real tools print them: programs built with -fsanitize by the machine's
// gcc/g++, run, and their reports parsed. The outputs are kept in samples/ (regenerate with
// COREDX_WRITE_SAMPLES=1 npx vitest run test/formats.test.ts); committed samples must still
// analyze to what the live run gives.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze.js';
import type { Report } from '../src/model.js';
import { buildProgram, haveCompiler } from './support/debuggers.js';

const SAMPLES = join(import.meta.dirname, '..', 'samples');
const WRITE = process.env.COREDX_WRITE_SAMPLES === '1';
const compiler = haveCompiler();
if (!compiler.ok) console.log(`skipping sanitizer builds: ${compiler.reason}`);

interface Case {
  sample: string;
  env?: Record<string, string>;
  check(reports: Report[]): void;
}

const CASES: Record<string, Case> = {
  asan_uaf: {
    sample: 'asan-heap-use-after-free.txt',
    check([r]) {
      expect(r!.format).toBe('asan');
      expect(r!.crashKind).toBe('heap-use-after-free');
      expect(r!.faultAddress).toMatch(/^0x[0-9a-f]+$/);
      expect(r!.threads.map((t) => t.role)).toEqual(['access', 'freed-by', 'allocated-by']);
      expect(r!.threads[r!.crashedThread!]!.role).toBe('access');
      expect(r!.signatureFrames).toEqual(['net::account', 'main']);
      expect(r!.threads[1]!.frames[1]!.function).toBe('net::close_session');
      expect(r!.diagnoses[0]!.category).toBe('use-after-free');
    },
  },
  asan_overflow: {
    sample: 'asan-heap-buffer-overflow.txt',
    check([r]) {
      expect(r!.crashKind).toBe('heap-buffer-overflow');
      expect(r!.threads.map((t) => t.role)).toEqual(['access', 'allocated-by']);
      expect(r!.signatureFrames[0]).toBe('fill');
      expect(r!.threads[0]!.frames[0]!.file).toMatch(/asan_overflow\.c$/);
      expect(r!.threads[0]!.frames[0]!.line).toBe(5);
      expect(r!.diagnoses[0]!.ruleId).toBe('generic/sanitizer-buffer-overflow');
    },
  },
  lsan_leak: {
    sample: 'lsan-direct-leak.txt',
    check([r]) {
      expect(r!.format).toBe('lsan');
      expect(r!.crashKind).toBe('memory-leak');
      expect(r!.signatureFrames[0]).toBe('copy_name'); // the malloc interceptor is skipped
      expect(r!.diagnoses[0]!.ruleId).toBe('generic/sanitizer-leak');
    },
  },
  tsan_race: {
    sample: 'tsan-data-race.txt',
    check([r]) {
      expect(r!.format).toBe('tsan');
      expect(r!.crashKind).toBe('data race');
      expect(r!.threads.map((t) => t.role)).toEqual(['access', 'previous-access', 'thread-created', 'thread-created']);
      expect(r!.threads[0]!.frames[0]).toMatchObject({ function: 'stats::record', address: null, line: 6 });
      expect(r!.threads[0]!.frames.at(-1)!.function).toBe('??'); // "<null> <null> (libstdc++.so.6+0x...)"
      expect(r!.diagnoses[0]!.category).toBe('data-race');
    },
  },
  ubsan_errors: {
    sample: 'ubsan-errors.txt',
    env: { UBSAN_OPTIONS: 'print_stacktrace=1' },
    check(reports) {
      expect(reports.map((r) => r.crashKind)).toEqual(['ubsan: signed-integer-overflow', 'ubsan: division-by-zero']);
      expect(reports.map((r) => r.signatureFrames[0])).toEqual(['scale', 'ratio']);
      expect(reports[0]!.diagnoses[0]!.category).toBe('arithmetic');
    },
  },
};

describe.skipIf(!compiler.ok).each(Object.keys(CASES))('%s', (program) => {
  it('parses the live report and the committed sample alike', () => {
    const c = CASES[program]!;
    const dir = mkdtempSync(join(tmpdir(), `coredx-${program}-`));
    const bin = buildProgram(program, dir);
    const r = spawnSync(`./${bin}`, [], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...c.env }, timeout: 60_000 });
    const output = (r.stdout ?? '') + (r.stderr ?? '');
    const reports = analyze(output).reports;
    c.check(reports);
    const path = join(SAMPLES, c.sample);
    if (WRITE) writeFileSync(path, output.split(dir).join('.'));
    else if (existsSync(path)) {
      const committed = analyze(readFileSync(path, 'utf8')).reports;
      c.check(committed);
      expect(committed.map((x) => x.signature)).toEqual(reports.map((x) => x.signature));
    }
  }, 120_000);
});

describe('UBSan without a stack', () => {
  it('makes one report per runtime error, located at its file and line', () => {
    const text = 'ubsan_errors.c:5:56: runtime error: signed integer overflow: 2147483647 * 2 cannot be represented in type \'int\'\nubsan_errors.c:6:43: runtime error: division by zero\nok\n';
    const reports = analyze(text).reports;
    expect(reports.map((r) => [r.crashKind, r.threads[0]!.frames[0]!.file, r.threads[0]!.frames[0]!.line])).toEqual([
      ['ubsan: signed-integer-overflow', 'ubsan_errors.c', 5],
      ['ubsan: division-by-zero', 'ubsan_errors.c', 6],
    ]);
  });
});

describe('sanitizer detection does not misfire', () => {
  it('ignores ordinary lines that mention sanitizers or start with #1', () => {
    const text = [
      'Building with AddressSanitizer enabled',
      '#1 priority: fix the build',
      '  #2 0xdeadbeef is not a frame without a header',
      'note: ThreadSanitizer is slow; runtime error: budget exceeded',
      'WARNING: ThreadSanitizer support is experimental here',
    ].join('\n');
    expect(analyze(text).reports).toEqual([]);
  });

  it('never throws or hangs on arbitrary or truncated sanitizer text', () => {
    const sample = readFileSync(join(SAMPLES, 'asan-heap-use-after-free.txt'), 'utf8');
    fc.assert(
      fc.property(fc.nat(sample.length), fc.string({ maxLength: 200 }), (cut, junk) => {
        const { reports } = analyze(sample.slice(0, cut) + junk);
        for (const r of reports) expect(r.threads.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
