// Valgrind (memcheck) reports as the real valgrind prints them: the programs in test/programs/
// (valgrind_*.cpp) are built with g++ -g -O0, run under `valgrind --error-exitcode=1` and their
// reports parsed. The outputs are kept in samples/ (regenerate with
// COREDX_WRITE_SAMPLES=1 npx vitest run test/e2e/valgrind.test.ts); committed samples must still
// analyze to what the live run gives.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline.js';
import { loadRules } from '../../src/rules/load.js';
import { RuleSet } from '../../src/rules/engine.js';
import type { Report } from '../../src/model.js';
import { gdbLive, haveGdb } from '../support/debuggers.js';
import { samplePath } from '../support/samples.js';
import { tempDir } from '../support/tmp.js';

const PROGRAMS = join(import.meta.dirname, '..', 'programs');
const WRITE = process.env.COREDX_WRITE_SAMPLES === '1';
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const missing = !has('valgrind') ? 'valgrind is not installed (apt-get install valgrind)' : !has('g++') ? 'g++ is not installed' : null;
if (missing) console.log(`skipping the live valgrind runs: ${missing}`);

interface Case {
  program: string;
  sample: string;
  flags: string[];
  check(reports: Report[]): void;
}

const roles = (r: Report) => r.threads.map((t) => t.role);

const CASES: Case[] = [
  {
    program: 'valgrind_uaf',
    sample: 'valgrind-use-after-free.txt',
    flags: [],
    check(reports) {
      expect(reports).toHaveLength(1);
      const r = reports[0]!;
      expect(r).toMatchObject({ format: 'valgrind', crashKind: 'heap-use-after-free', signalDescription: 'Invalid read of size 4' });
      expect(r.faultAddress).toMatch(/^0x[0-9a-f]+$/);
      expect(roles(r)).toEqual(['access', 'freed-by', 'allocated-by']);
      expect(r.threads[r.crashedThread!]!.role).toBe('access');
      expect(r.threads[0]!.frames[0]).toMatchObject({ function: 'jobs::retries_of', file: 'valgrind_uaf.cpp', line: 10 });
      expect(r.signatureFrames).toEqual(['jobs::retries_of', 'main']);
      expect(r.threads[1]!.frames.map((f) => f.function)).toEqual(['operator delete', 'jobs::retire', 'main']);
      expect(r.threads[1]!.frames[0]!.module).toMatch(/vgpreload_memcheck-[\w-]+\.so$/);
      expect(r.threads[2]!.frames[1]!.function).toBe('jobs::make_job');
      expect(r.diagnoses[0]).toMatchObject({ ruleId: 'generic/sanitizer-use-after-free', category: 'use-after-free' });
    },
  },
  {
    program: 'valgrind_overflow',
    sample: 'valgrind-heap-overflow.txt',
    flags: [],
    check(reports) {
      expect(reports).toHaveLength(1);
      const r = reports[0]!;
      expect(r).toMatchObject({ crashKind: 'heap-buffer-overflow', signalDescription: 'Invalid write of size 4' });
      expect(roles(r)).toEqual(['access', 'allocated-by']);
      expect(r.threads[0]!.frames[0]).toMatchObject({ function: 'fill', line: 6 });
      expect(r.signatureFrames).toEqual(['fill', 'main']);
      expect(r.threads[1]!.frames[0]!.function).toBe('malloc');
      expect(r.diagnoses[0]).toMatchObject({ ruleId: 'generic/sanitizer-buffer-overflow', category: 'heap-corruption' });
    },
  },
  {
    program: 'valgrind_double_free',
    sample: 'valgrind-double-free.txt',
    flags: [],
    check(reports) {
      expect(reports).toHaveLength(1);
      const r = reports[0]!;
      expect(r.crashKind).toBe('double-free');
      expect(roles(r)).toEqual(['access', 'freed-by', 'allocated-by']);
      // valgrind's replacement free() is the raw top frame; the signature starts at its caller.
      expect(r.threads[0]!.frames[0]!.function).toBe('free');
      expect(r.skippedFrames).toContain(0);
      expect(r.signatureFrames).toEqual(['release_buffer', 'main']);
      expect(r.threads[1]!.frames.map((f) => f.line)).toEqual([null, 9, 15]);
      expect(r.diagnoses[0]).toMatchObject({ ruleId: 'generic/reported-double-free', category: 'double-free' });
    },
  },
  {
    program: 'valgrind_mismatch',
    sample: 'valgrind-mismatched-delete.txt',
    flags: [],
    check(reports) {
      expect(reports).toHaveLength(1);
      const r = reports[0]!;
      expect(r.crashKind).toBe('alloc-dealloc-mismatch');
      expect(roles(r)).toEqual(['access', 'allocated-by']);
      expect(r.signatureFrames).toEqual(['img::drop_row', 'main']);
      expect(r.threads[1]!.frames.map((f) => f.function)).toEqual(['operator new[]', 'img::make_row', 'main']);
      expect(r.diagnoses[0]).toMatchObject({ ruleId: 'generic/bad-free', category: 'heap-corruption' });
    },
  },
  {
    program: 'valgrind_uninit',
    sample: 'valgrind-uninitialised-condition.txt',
    flags: ['--track-origins=yes'],
    check(reports) {
      expect(reports).toHaveLength(1);
      const r = reports[0]!;
      expect(r).toMatchObject({ crashKind: 'use-of-uninitialized-value', faultAddress: null });
      expect(r.signalDescription).toBe('Conditional jump or move depends on uninitialised value(s)');
      expect(roles(r)).toEqual(['access', 'origin']);
      expect(r.signatureFrames).toEqual(['check_limits', 'main']);
      expect(r.threads[1]!.frames[1]!.function).toBe('load_limits');
      expect(r.diagnoses[0]).toMatchObject({ ruleId: 'generic/uninitialized-value', category: 'uninitialized-memory' });
    },
  },
  {
    program: 'valgrind_leak',
    sample: 'valgrind-leak.txt',
    flags: ['--leak-check=full'],
    check(reports) {
      expect(reports).toHaveLength(1);
      const r = reports[0]!;
      expect(r.crashKind).toBe('memory-leak');
      expect(r.signalDescription).toMatch(/^9 bytes in 1 blocks are definitely lost in loss record 1 of 1$/);
      expect(roles(r)).toEqual(['leak']);
      expect(r.threads[0]!.frames[0]!.function).toBe('malloc');
      expect(r.signatureFrames).toEqual(['copy_name', 'greet', 'main']);
      expect(r.diagnoses[0]).toMatchObject({ ruleId: 'generic/sanitizer-leak', category: 'memory-leak' });
    },
  },
  {
    program: 'valgrind_segv',
    sample: 'valgrind-null-deref.txt',
    flags: [],
    check(reports) {
      // The invalid write, then the fatal signal it caused: two reports, both null dereferences.
      expect(reports.map((r) => r.crashKind)).toEqual(['valgrind: invalid-write', 'SIGSEGV']);
      const [write, fatal] = reports as [Report, Report];
      expect(write.faultAddress).toBe('0x0');
      expect(fatal).toMatchObject({ signal: 'SIGSEGV', faultAddress: '0x0', signalDescription: 'Access not within mapped region' });
      for (const r of reports) {
        expect(r.signatureFrames).toEqual(['cfg::apply', 'cfg::load', 'main']);
        expect(r.diagnoses[0]!.category).toBe('null-deref');
      }
      expect(write.diagnoses[0]!.ruleId).toBe('generic/valgrind-null-access');
      expect(fatal.diagnoses[0]!.ruleId).toBe('generic/null-deref');
    },
  },
];

/** Builds the program in `dir` and runs it under valgrind; stdout and stderr in one stream. */
function runUnderValgrind(c: Case, dir: string): string {
  copyFileSync(join(PROGRAMS, `${c.program}.cpp`), join(dir, `${c.program}.cpp`));
  const cc = spawnSync('g++', ['-g', '-O0', `${c.program}.cpp`, '-o', c.program], { cwd: dir, encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`g++ ${c.program}.cpp failed:\n${cc.stderr}`);
  const args = ['--error-exitcode=1', ...c.flags, `./${c.program}`].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('sh', ['-c', `exec valgrind ${args} 2>&1`], { cwd: dir, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' });
  // --error-exitcode=1 for the errors; the null dereference dies of its signal instead.
  if (c.program === 'valgrind_segv') expect(r.signal ?? r.status).toMatch(/SIGSEGV|139/);
  else expect(r.status, r.stdout).toBe(1);
  return r.stdout;
}

describe.skipIf(missing !== null).each(CASES.map((c) => [c.program, c] as const))('%s under valgrind', (_name, c) => {
  it('parses the live report and the committed sample alike', () => {
    const dir = tempDir(`${c.program}`);
    const output = runUnderValgrind(c, dir);
    const reports = analyze(output).reports;
    c.check(reports);
    const path = samplePath(c.sample);
    if (WRITE) writeFileSync(path, output.split(dir).join('.'));
    else {
      const committed = analyze(readFileSync(path, 'utf8')).reports;
      c.check(committed);
      expect(committed.map((x) => x.signature)).toEqual(reports.map((x) => x.signature));
    }
  }, 180_000);
});

describe('the committed valgrind samples', () => {
  it.each(CASES.map((c) => [c.sample, c] as const))('%s parses as the live run did', (_name, c) => {
    c.check(analyze(readFileSync(samplePath(c.sample), 'utf8')).reports);
  });

  it('are all classified by the generic pack alone into the right category', () => {
    const builtin = loadRules();
    const generic = new RuleSet(builtin.ruleSet.rules.filter((r) => r.pack === 'generic'));
    const expected: Record<string, string[]> = {
      'valgrind-use-after-free.txt': ['use-after-free'], 'valgrind-heap-overflow.txt': ['heap-corruption'],
      'valgrind-double-free.txt': ['double-free'], 'valgrind-mismatched-delete.txt': ['heap-corruption'],
      'valgrind-uninitialised-condition.txt': ['uninitialized-memory'], 'valgrind-leak.txt': ['memory-leak'],
      'valgrind-null-deref.txt': ['null-deref', 'null-deref'],
    };
    for (const [sample, categories] of Object.entries(expected)) {
      const { reports } = analyze(readFileSync(samplePath(sample), 'utf8'), { rules: generic });
      expect(reports.map((r) => r.diagnoses[0]?.category), sample).toEqual(categories);
    }
  });
});

describe.skipIf(missing !== null || !haveGdb().ok)('across formats', () => {
  it('the fatal signal under valgrind signs like the same crash under gdb', () => {
    const c = CASES.find((x) => x.program === 'valgrind_segv')!;
    const dir = tempDir('valgrind-gdb');
    const fatal = analyze(runUnderValgrind(c, dir)).reports.find((r) => r.signal === 'SIGSEGV')!;
    const [gdb] = analyze(gdbLive(c.program, dir).output).reports;
    expect(gdb!.format).toBe('gdb');
    expect(gdb!.signature).toBe(fatal.signature);
    expect(gdb!.faultAddress).toBe(fatal.faultAddress);
  }, 180_000);
});

describe('valgrind report shapes', () => {
  const first = (text: string) => analyze(text, { rules: null }).reports;

  it('reads frames in modules, ??? frames, a stack that starts with "by", and inlined calls', () => {
    const text = [
      '==31== Use of uninitialised value of size 8',
      '==31==    by 0x11C92A94: cache::Table<int>::probe(unsigned long) const (table.h:88)',
      '==31==    by 0x11C92A94: cache::lookup(int) (table.cc:12)',
      '==31==    by 0x4005D4: ??? (in /usr/lib/x86_64-linux-gnu/libfoo.so.1)',
      '==31==    by 0x4005E0: ???',
      '==31==  Uninitialised value was created by a stack allocation',
      '==31==    at 0x109140: cache::fill() (table.cc:3)',
      '==31== ',
    ].join('\n');
    const [r] = first(text);
    expect(r!.crashKind).toBe('use-of-uninitialized-value');
    const frames = r!.threads[0]!.frames;
    expect(frames.map((f) => [f.function, f.file, f.line, f.module, f.inlined])).toEqual([
      ['cache::Table<>::probe', 'table.h', 88, null, true],
      ['cache::lookup', 'table.cc', 12, null, false],
      ['??', null, null, '/usr/lib/x86_64-linux-gnu/libfoo.so.1', false],
      ['??', null, null, null, false],
    ]);
    expect(frames[0]!.fullFunction).toBe('cache::Table<int>::probe');
    expect(roles(r!)).toEqual(['access', 'origin']);
  });

  it('makes one report per error, each starting at its header line, and names the thread', () => {
    const text = [
      '==7== Memcheck, a memory error detector',
      '==7== Command: ./server',
      '==7== ',
      '==7== Thread 2:',
      '==7== Invalid read of size 8',
      '==7==    at 0x10A1B2: worker::step(worker::State*) (worker.cc:40)',
      '==7==    by 0x4E0E609: start_thread (pthread_create.c:442)',
      '==7==  Address 0x5b8e048 is 8 bytes after a block of size 64 alloc\'d',
      '==7==    at 0x483B7F3: malloc (in /usr/lib/x86_64-linux-gnu/valgrind/vgpreload_memcheck-amd64-linux.so)',
      '==7==    by 0x10A0F0: worker::make() (worker.cc:12)',
      '==7== ',
      'request 12 served',
      '==7== Source and destination overlap in memcpy(0x1ffefff9c0, 0x1ffefff9c4, 16)',
      '==7==    at 0x4852A00: memcpy@@GLIBC_2.14 (vg_replace_strmem.c:1035)',
      '==7==    by 0x10A2C1: buf::shift(buf::Buf*) (buf.cc:21)',
      '==7== ',
      '==7== Syscall param write(buf) points to uninitialised byte(s)',
      '==7==    at 0x4F4C8E7: write (write.c:26)',
      '==7==    by 0x10A3D2: log::flush() (log.cc:9)',
      '==7==  Address 0x1ffefffa40 is on thread 1\'s stack',
      '==7== ',
      '==7== Argument \'size\' of function malloc has a fishy (possibly negative) value: -5',
      '==7==    at 0x483B7F3: malloc (vg_replace_malloc.c:381)',
      '==7==    by 0x10A4E3: arena::grow(long) (arena.cc:30)',
      '==7== ',
      '==7== 1,024 bytes in 8 blocks are possibly lost in loss record 3 of 4',
      '==7==    at 0x483DD99: calloc (vg_replace_malloc.c:1328)',
      '==7==    by 0x10A5F4: pool::reserve() (pool.cc:7)',
      '==7== ',
      '==7== ERROR SUMMARY: 5 errors from 5 contexts (suppressed: 0 from 0)',
    ].join('\n');
    const reports = first(text);
    expect(reports.map((r) => [r.crashKind, r.source.line, r.signatureFrames[0]])).toEqual([
      ['heap-buffer-overflow', 4, 'worker::step'],
      ['memcpy-param-overlap', 13, 'buf::shift'],
      ['use-of-uninitialized-value', 17, 'log::flush'], // glibc's syscall wrapper is skipped: its caller passed the buffer
      ['valgrind: fishy-argument', 22, 'arena::grow'],
      ['possible-memory-leak', 26, 'pool::reserve'],
    ]);
    expect(reports[0]!.threads[0]!.name).toBe('thread 2');
    expect(reports[0]!.context.some((l) => l.text === 'request 12 served')).toBe(true);
  });

  it('reads a fatal signal without a fault line, a stack overflow, timestamps and suppression blocks', () => {
    const text = [
      // --time-stamp=yes: the elapsed time inside the "==", before the pid.
      '==00:00:00:01.250 9== Process terminating with default action of signal 6 (SIGABRT): dumping core',
      '==00:00:00:01.250 9==    at 0x4E6FE8B: raise (raise.c:51)',
      '==00:00:00:01.250 9==    by 0x4E5B7F0: abort (abort.c:79)',
      '==00:00:00:01.250 9==    by 0x10914A: die (die.c:4)',
      '==00:00:00:01.250 9== ',
      '==10== Process terminating with default action of signal 11 (SIGSEGV)',
      '==10==  Access not within mapped region at address 0x1FFE801FF8',
      '==10== Stack overflow in thread #1: can\'t grow stack to 0x1ffe801000',
      '==10==    at 0x109139: walk (walk.c:3)',
      '==10==    by 0x10914F: walk (walk.c:4)',
      '==10==    by 0x10914F: walk (walk.c:4)',
      '==10==    by 0x10914F: walk (walk.c:4)',
      '==10==  If you believe this happened as a result of a stack',
      '==10== ',
      '==11== Invalid free() / delete / delete[] / realloc()',
      '==11==    at 0x484417B: free (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)',
      '==11==    by 0x109172: drop (d.c:8)',
      '==11==  Address 0x4a4a048 is 8 bytes inside a block of size 32 alloc\'d',
      '==11==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)',
      '==11==    by 0x109160: make (d.c:3)',
      '{',
      '   <insert_a_suppression_name_here>',
      '   Memcheck:Free',
      '   fun:free',
      '   fun:drop',
      '}',
      '==11== ',
    ].join('\n');
    const reports = first(text);
    expect(reports.map((r) => [r.signal, r.crashKind, r.faultAddress, r.signatureFrames[0]])).toEqual([
      ['SIGABRT', 'SIGABRT', null, 'die'],
      ['SIGSEGV', 'stack-overflow', '0x1ffe801ff8', 'walk'],
      [null, 'bad-free', '0x4a4a048', 'drop'],
    ]);
    expect(reports[0]!.source.line).toBe(1);
  });

  it('does not misfire on prose, banners and summaries', () => {
    const text = [
      'Running the suite under valgrind: Invalid read of size 4 means a bug',
      'Invalid read of size 4',
      '   at 0x4C2FB0F: malloc (vg_replace_malloc.c:299)',
      '==1234== Memcheck, a memory error detector',
      '==1234== Copyright (C) 2002-2022, and GNU GPL\'d, by Julian Seward et al.',
      '==1234== Using Valgrind-3.19.0 and LibVEX; rerun with -h for copyright info',
      '==1234== Command: ./prog',
      '==1234== ',
      '==1234== HEAP SUMMARY:',
      '==1234==     in use at exit: 9 bytes in 1 blocks',
      '==1234==   total heap usage: 2 allocs, 1 frees, 4,105 bytes allocated',
      '==1234== LEAK SUMMARY:',
      '==1234==    definitely lost: 9 bytes in 1 blocks',
      '==1234== Rerun with --leak-check=full to see details of leaked memory',
      '==1234== Thread 2:',
      '==1234== For lists of detected and suppressed errors, rerun with: -s',
      '==1234== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)',
      '==1234== Invalid read of size 4',
      '==1234== ',
      'if (a == b) return;  // == Invalid write of size 8',
    ].join('\n');
    expect(analyze(text).reports).toEqual([]);
  });
});

describe('valgrind 3.19 output as it really prints it', () => {
  const reports = (text: string) => analyze(text, { rules: null }).reports;

  it('reads the --time-stamp=yes prefix, the elapsed time before the pid', () => {
    const text = [
      '==00:00:00:00.000 16248== Command: ./u',
      '==00:00:00:00.000 16248== ',
      '==00:00:00:00.277 16248== Invalid read of size 4',
      '==00:00:00:00.277 16248==    at 0x10916F: main (u.c:2)',
      "==00:00:00:00.277 16248==  Address 0x4a40040 is 0 bytes inside a block of size 4 free'd",
      '==00:00:00:00.277 16248==    at 0x484417B: free (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)',
      '==00:00:00:00.277 16248==    by 0x10916A: main (u.c:2)',
      "==00:00:00:00.277 16248==  Block was alloc'd at",
      '==00:00:00:00.277 16248==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)',
      '==00:00:00:00.277 16248==    by 0x10915A: main (u.c:2)',
      '==00:00:00:00.277 16248== ',
      '==00:00:00:00.289 16248== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)',
    ].join('\n');
    const [r, ...rest] = reports(text);
    expect(rest).toEqual([]);
    expect(r).toMatchObject({ crashKind: 'heap-use-after-free', faultAddress: '0x4a40040', source: { line: 3, endLine: 10 } });
    expect(roles(r!)).toEqual(['access', 'freed-by', 'allocated-by']);
  });

  it('reads an error whose prefix follows program output on the same line', () => {
    const text = [
      '==16186== Command: ./il',
      '==16186== ',
      'step 1: ==16186== Invalid read of size 4',
      '==16186==    at 0x1091A2: main (il.c:3)',
      "==16186==  Address 0x4a40040 is 0 bytes inside a block of size 4 free'd",
      '==16186==    at 0x484417B: free (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)',
      '==16186==    by 0x10917A: main (il.c:3)',
      '==16186== ',
      'aaaaaaaa==16186== Syscall param write(buf) points to unaddressable byte(s)',
      '==16186==    at 0x4953350: write (write.c:26)',
      'aaaaaaaa==16186==    by 0x1091E1: wwild (su.c:5)',
      '==16186==    by 0x109222: main (su.c:7)',
      "==16186==  Address 0x10 is not stack'd, malloc'd or (recently) free'd",
      '==16186== ',
      "          ==16186== Argument 'size' of function malloc has a fishy (possibly negative) value: -5",
      '==16186==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)',
      '==16186==    by 0x109167: main (fishy.c:2)',
      '==16186== ',
    ].join('\n');
    expect(reports(text).map((r) => [r.crashKind, r.source.line, r.signatureFrames])).toEqual([
      ['heap-use-after-free', 3, ['main']],
      ['valgrind: syscall-unaddressable', 9, ['wwild', 'main']],
      ['valgrind: fishy-argument', 15, ['main']],
    ]);
  });

  it('reads the fishy-argument header with its value', () => {
    const text = [
      "==16092== Argument 'size' of function malloc has a fishy (possibly negative) value: -5",
      '==16092==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)',
      '==16092==    by 0x109167: main (fishy.c:2)',
      '==16092== ',
    ].join('\n');
    const [r] = analyze(text).reports;
    expect(r).toMatchObject({ crashKind: 'valgrind: fishy-argument', signatureFrames: ['main'] });
    expect(r!.signalDescription).toBe("Argument 'size' of function malloc has a fishy (possibly negative) value: -5");
    expect(r!.diagnoses[0]!.ruleId).toBe('generic/valgrind-invalid-access');
  });

  it('does not report again the errors -s lists after the ERROR SUMMARY', () => {
    const text = [
      '==13099== Thread 2:',
      '==13099== Mismatched free() / delete / delete []',
      '==13099==    at 0x484499B: operator delete(void*, unsigned long) (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)',
      '==13099==    by 0x1093E6: Box<int>::drop() (mt.cpp:8)',
      "==13099==  Address 0x4d6de30 is 0 bytes inside a block of size 8 alloc'd",
      '==13099==    at 0x484320F: operator new[](unsigned long) (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)',
      '==13099==    by 0x10924B: thr(void*) (mt.cpp:9)',
      '==13099== ',
      '==13099== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)',
      '==13099== ',
      '==13099== 1 errors in context 1 of 1:',
      '==13099== Thread 2:',
      '==13099== Mismatched free() / delete / delete []',
      '==13099==    at 0x484499B: operator delete(void*, unsigned long) (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)',
      '==13099==    by 0x1093E6: Box<int>::drop() (mt.cpp:8)',
      "==13099==  Address 0x4d6de30 is 0 bytes inside a block of size 8 alloc'd",
      '==13099==    at 0x484320F: operator new[](unsigned long) (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)',
      '==13099==    by 0x10924B: thr(void*) (mt.cpp:9)',
      '==13099== ',
      '{',
      '   <insert_a_suppression_name_here>',
      '   Memcheck:Free',
      '}',
      '--13099-- used_suppression:      1 uaf_sup sup.supp:2',
      '==13099== ',
      '==13099== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)',
    ].join('\n');
    expect(reports(text).map((r) => [r.crashKind, r.source.line])).toEqual([['alloc-dealloc-mismatch', 1]]);
  });

  it('reads "812 bytes below stack pointer" under "is on thread 1\'s stack" as a use after return', () => {
    const text = [
      '==16125== Invalid read of size 4',
      '==16125==    at 0x109146: main (sp.c:1)',
      "==16125==  Address 0x1fff000304 is on thread 1's stack",
      '==16125==  812 bytes below stack pointer',
      '==16125== ',
    ].join('\n');
    const [r] = analyze(text).reports;
    expect(r).toMatchObject({ crashKind: 'stack-use-after-return', faultAddress: '0x1fff000304' });
    expect(r!.diagnoses[0]).toMatchObject({ ruleId: 'generic/sanitizer-use-after-free', category: 'use-after-free' });
    // On the stack but not below its pointer (a syscall handed an uninitialised local) says nothing more.
    const [w] = reports(text.replace('Invalid read of size 4', 'Syscall param write(buf) points to uninitialised byte(s)').replace('==16125==  812 bytes below stack pointer\n', ''));
    expect(w!.crashKind).toBe('use-of-uninitialized-value');
  });

  it('does not take recursion (the same return address in the same function and line) for inlining', () => {
    const text = [
      '==13700== Invalid read of size 4',
      '==13700==    at 0x109152: d (deep.c:2)',
      '==13700==    by 0x10916A: d (deep.c:2)',
      '==13700==    by 0x10916A: d (deep.c:2)',
      '==13700==    by 0x10916A: d (deep.c:2)',
      '==13700==    by 0x109199: main (deep.c:3)',
      "==13700==  Address 0x4a40048 is 0 bytes after a block of size 8 alloc'd",
      '==13700==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)',
      '==13700==    by 0x109185: main (deep.c:3)',
      '==13700== ',
    ].join('\n');
    const [r] = reports(text);
    expect(r!.threads[0]!.frames.map((f) => [f.function, f.inlined])).toEqual([
      ['d', false], ['d', false], ['d', false], ['d', false], ['main', false],
    ]);
  });
});

const missingGcc = missing ?? (!has('gcc') ? 'gcc is not installed' : null);

/** Builds `source` as C with gcc -g -O0 and runs it under valgrind; stdout and stderr in one stream. */
function liveC(name: string, source: string, flags: string[] = []): string {
  const dir = tempDir(`vg-${name}`);
  writeFileSync(join(dir, `${name}.c`), source);
  const cc = spawnSync('gcc', ['-g', '-O0', `${name}.c`, '-o', name], { cwd: dir, encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc ${name}.c failed:\n${cc.stderr}`);
  const args = [...flags, `./${name}`].map((a) => `'${a}'`).join(' ');
  return spawnSync('sh', ['-c', `exec valgrind ${args} 2>&1`], { cwd: dir, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' }).stdout;
}

describe.skipIf(missingGcc !== null)('live valgrind runs of small C programs', () => {
  // A use after free after "step 1: " on stderr, a write of 8 bytes then a write from 0x10, and a
  // malloc(-5) after ten spaces: each valgrind prefix follows the program's output on its line.
  const MIDLINE = [
    '#include <stdio.h>',
    '#include <stdlib.h>',
    '#include <unistd.h>',
    '__attribute__((noinline)) int uaf(void) { int *p = malloc(4); free(p); return *p; }',
    '__attribute__((noinline)) void wild(void) { write(2, "aaaaaaaa", 8); write(2, (char *)0x10, 8); }',
    '__attribute__((noinline)) void fishy(long n) { write(2, "          ", 10); free(malloc(n)); }',
    'int main(void) { fprintf(stderr, "step 1: "); int r = uaf(); wild(); fishy(-5); return r; }',
    '',
  ].join('\n');
  const MIDLINE_KINDS = [
    ['heap-use-after-free', ['uaf', 'main']],
    ['valgrind: syscall-unaddressable', ['wild', 'main']],
    ['valgrind: fishy-argument', ['fishy', 'main']],
  ];
  const kinds = (out: string) => analyze(out, { rules: null }).reports.map((r) => [r.crashKind, r.signatureFrames]);

  it('--time-stamp=yes', () => {
    const out = liveC('ts', MIDLINE, ['--time-stamp=yes']);
    expect(out).toMatch(/^==\d\d:\d\d:\d\d:\d\d\.\d{3} \d+==    at 0x[0-9A-F]+: uaf \(ts.c:4\)$/m);
    expect(kinds(out)).toEqual(MIDLINE_KINDS);
  }, 180_000);

  it('program output before the prefix, and the fishy argument', () => {
    const out = liveC('midline', MIDLINE);
    expect(out).toMatch(/^step 1: ==\d+== Invalid read of size 4$/m);
    expect(out).toMatch(/^aaaaaaaa==\d+== Syscall param write\(buf\) points to unaddressable byte\(s\)$/m);
    expect(out).toMatch(/^ {10}==\d+== Argument 'size' of function malloc has a fishy \(possibly negative\) value: -5$/m);
    expect(kinds(out)).toEqual(MIDLINE_KINDS);
  }, 180_000);

  it('-s lists the errors again after the summary, reported once', () => {
    const out = liveC('repeat', MIDLINE, ['-s']);
    expect(out).toMatch(/^==\d+== 1 errors in context 3 of 3:$/m);
    expect(kinds(out)).toEqual(MIDLINE_KINDS);
  }, 180_000);

  it('a read of a returned frame is stack-use-after-return', () => {
    const out = liveC('uar', [
      'static int *kept;',
      '__attribute__((noinline)) void fill(void) { int local[64]; for (int i = 0; i < 64; i++) local[i] = i; kept = local; }',
      'int main(void) { fill(); return kept[1]; }',
      '',
    ].join('\n'));
    expect(out).toMatch(/is on thread 1's stack\n==\d+== +\d+ bytes below stack pointer$/m);
    const [r, ...rest] = analyze(out).reports;
    expect(rest).toEqual([]);
    expect(r).toMatchObject({ crashKind: 'stack-use-after-return', signatureFrames: ['main'] });
    expect(r!.diagnoses[0]!.ruleId).toBe('generic/sanitizer-use-after-free');
  }, 180_000);

  it('recursion deeper than --num-callers is no run of inlined frames', () => {
    const out = liveC('deep', [
      '#include <stdlib.h>',
      '__attribute__((noinline)) int d(int n, int *p) { if (n == 0) return p[2]; return d(n - 1, p) + 1; }',
      'int main(void) { int *p = malloc(8); return d(60, p); }',
      '',
    ].join('\n'), ['--num-callers=50']);
    const [r] = analyze(out).reports;
    const frames = r!.threads[0]!.frames;
    expect(frames).toHaveLength(50);
    expect(frames.every((f) => f.function === 'd' && !f.inlined)).toBe(true);
    expect(r!.crashKind).toBe('heap-buffer-overflow');
  }, 180_000);

  it('a thread named once holds every later error of that process until another Thread line', () => {
    const source = [
      '#define _GNU_SOURCE',
      '#include <pthread.h>',
      '#include <stdlib.h>',
      '__attribute__((noinline)) int uaf(void) { int *p = malloc(8); free(p); return p[0]; }',
      'static void *work(void *arg) { (void)arg; pthread_setname_np(pthread_self(), "worker-7"); uaf(); uaf(); return 0; }',
      'int main(void) { pthread_t t; pthread_create(&t, 0, work, 0); pthread_join(t, 0); return uaf(); }',
      '',
    ].join('\n');
    const out = liveC('named', source);
    expect(out.match(/^==\d+== Thread 2 worker-7:$/gm)).toHaveLength(1); // valgrind names it once
    const r = analyze(out, { rules: null }).reports;
    expect(r.map((x) => x.threads[x.crashedThread!]!.name)).toEqual(['worker-7', 'worker-7', 'thread 1']);
    // Another input does not inherit the name: state is per input.
    const again = analyze(out.split('\n').filter((l) => !/Thread 2 worker-7:/.test(l)).join('\n'), { rules: null }).reports;
    expect(again[0]!.threads[0]!.name).toBeNull();
  }, 180_000);
});
