// Sanitizer reports as the real tools print them: programs built with -fsanitize by the machine's
// gcc/g++, run, and their reports parsed. The outputs are kept in samples/ (regenerate with
// COREDX_WRITE_SAMPLES=1 npx vitest run test/e2e/formats.test.ts); committed samples must still
// analyze to what the live run gives.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, analyzeFile } from '../../src/pipeline.js';
import type { Report } from '../../src/model.js';
import { buildProgram, gdbLive, haveCompiler, haveGdb } from '../support/debuggers.js';
import { sampleNames, samplePath } from '../support/samples.js';
import { tempDir } from '../support/tmp.js';

const cxxfilt = spawnSync('c++filt', ['--version']).status === 0;
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
  asan_brpc_reenact: {
    sample: 'asan-brpc_reenact.txt',
    check([r]) {
      expect(r!.crashKind).toBe('heap-use-after-free');
      expect(r!.signal).toBeNull();
      expect(r!.signatureFrames[0]).toBe('brpc::policy::ProcessHttpResponse');
      expect(r!.threads[1]!.role).toBe('freed-by');
      expect(r!.threads[1]!.frames[1]!.function).toBe('shard_client::FetchAll'); // the early return
      // The seed rule written for gdb and lldb traces diagnoses the sanitizer's report too.
      expect(r!.diagnoses[0]!.ruleId).toBe('brpc/controller-destroyed-in-flight');
      expect(r!.diagnoses[0]!.evidence.map((e) => e.condition)).toContain('evidence: log[0]'); // the socket failure before it
    },
  },
  lsan_cycle: {
    sample: 'lsan-indirect-cycle.txt',
    check(reports) {
      // One run, two blocks that only point at each other: indirect leaks only, and the kind says so.
      expect(reports).toHaveLength(1);
      const r = reports[0]!;
      expect(r.crashKind).toBe('indirect-memory-leak');
      expect(r.threads.map((t) => t.role)).toEqual(['indirect-leak', 'indirect-leak']);
      expect(r.signatureFrames[0]).toBe('make_cycle');
      expect(r.diagnoses[0]!.ruleId).toBe('generic/sanitizer-leak');
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
      expect(r!.threads[r!.crashedThread!]!.role).toBe('direct-leak');
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

const glog = existsSync('/usr/include/glog/logging.h');
if (!glog) console.log('skipping glog programs: libgoogle-glog-dev not installed');
Object.assign(CASES, {
  glog_crash: {
    sample: 'glog-failure-signal-handler.txt',
    check([r]: Report[]) {
      expect(r!.format).toBe('glog');
      expect(r!).toMatchObject({ signal: 'SIGSEGV', faultAddress: '0x0' });
      expect(r!.signatureFrames).toEqual(['cache::touch', 'main']);
      expect(r!.diagnoses[0]!.ruleId).toBe('generic/null-deref');
    },
  },
  glog_check: {
    sample: 'glog-check-failed.txt',
    check([r]: Report[]) {
      expect(r!.signal).toBe('SIGABRT');
      expect(r!.abortMessage).toMatch(/Check failed: i < shards\.size\(\) \(3 vs\. 3\) shard index out of range$/);
      expect(r!.signatureFrames[0]).toBe('shard::pick'); // glog's LogMessage frames are machinery
      // CHECK_LT with both values printed: the glog pack's CHECK_op rule, more specific than generic/check-failed.
      expect([r!.diagnoses[0]!.ruleId, r!.diagnoses[0]!.category]).toEqual(['glog/check-op-failed', 'assertion']);
      expect(r!.diagnoses.map((d) => d.ruleId)).toContain('generic/check-failed');
    },
  },
  backtrace_symbols: {
    sample: 'backtrace-symbols-fd.txt',
    check([r]: Report[]) {
      expect(r!.format).toBe('backtrace_symbols');
      expect(r!.signal).toBe('SIGSEGV'); // from the handler's "fatal signal 11" line
      expect(r!.signatureFrames).toEqual(['parse_record', 'load_records', 'main']);
    },
  },
  backtrace_symbols_cpp: {
    sample: 'backtrace-symbols-cpp.txt',
    check([r]: Report[]) {
      expect(r!.threads[0]!.frames[2]!.rawFunction).toBe(cxxfilt ? 'ingest::measure(ingest::Record const*)' : '_ZN6ingest7measureEPKNS_6RecordE');
      if (cxxfilt) expect(r!.signatureFrames).toEqual(['ingest::measure', 'ingest::run', 'main']);
    },
  },
} satisfies Record<string, Case>);

describe.skipIf(!compiler.ok).each(Object.keys(CASES))('%s', (program) => {
  it('parses the live report and the committed sample alike', (ctx) => {
    if (program.startsWith('glog') && !glog) return ctx.skip();
    const c = CASES[program]!;
    const dir = tempDir(`${program}`);
    const bin = buildProgram(program, dir);
    const r = spawnSync(`./${bin}`, [], { cwd: dir, encoding: 'utf8', env: { ...process.env, GLOG_log_dir: dir, ...c.env }, timeout: 60_000 /* glog's log files go to the test's folder, not /tmp */ });
    const output = (r.stdout ?? '') + (r.stderr ?? '');
    const reports = analyze(output).reports;
    c.check(reports);
    const path = samplePath(c.sample);
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
    const sample = readFileSync(samplePath('asan-heap-use-after-free.txt'), 'utf8');
    const headerEnd = sample.indexOf('\n', sample.indexOf('heap-use-after-free'));
    fc.assert(
      fc.property(fc.nat(sample.length), fc.string({ maxLength: 200 }), (cut, junk) => {
        const { reports } = analyze(sample.slice(0, cut) + junk);
        // A cut right after the header still reports the crash kind, with no stack (a cut inside
        // the header line leaves other words where the kind was).
        for (const r of reports) {
          if (cut >= headerEnd) expect(r.crashKind).toBe('heap-use-after-free');
          expect(r.threads.every((t) => t.frames.length > 0)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe.skipIf(!compiler.ok || spawnSync('eu-stack', ['--version']).status !== 0)('eu-stack', () => {
  it('reads eu-stack on a real core, every thread, the crashing one first', async () => {
    const { makeCore } = await import('../support/debuggers.js');
    const dir = tempDir('eustack');
    const bin = buildProgram('threads', dir);
    const core = makeCore(bin, dir);
    for (const [flags, sample] of [[[], 'eu-stack-core.txt'], [['-s', '-m'], 'eu-stack-core-source.txt']] as const) {
      const out = spawnSync('eu-stack', [...flags, `--core=${core}`, `--executable=./${bin}`], { cwd: dir, encoding: 'utf8' });
      const text = out.stdout + out.stderr;
      const check = (t: string) => {
        const [r] = analyze(t).reports;
        expect(r!.format).toBe('eu-stack');
        expect(r!.threads).toHaveLength(4);
        expect(r!.signatureFrames).toEqual(['pool::run_job', 'pool::crashing_worker']);
        if (flags.length) expect(r!.threads[0]!.frames[0]).toMatchObject({ module: 'threads', line: 22 });
      };
      check(text);
      if (WRITE) writeFileSync(samplePath(sample), text.split(dir).join('.'));
      else if (existsSync(samplePath(sample))) check(readFileSync(samplePath(sample), 'utf8'));
    }
  }, 120_000);
});

describe('coredumpctl info', () => {
  // systemd-coredump is not installed on the test machine; this is the layout coredumpctl(1) prints.
  it('reads the signal, the command line and every thread', () => {
    const text = [
      '           PID: 4242 (server)',
      '        Signal: 11 (SEGV)',
      '  Command Line: ./server --port 8080',
      '    Executable: /srv/bin/server',
      '       Message: Process 4242 (server) of user 1000 dumped core.',
      '',
      '                Stack trace of thread 4247:',
      '                #0  0x0000555555555343 pool::run_job(pool::Job const&) (server + 0x1343)',
      '                #1  0x00005555555553a6 pool::crashing_worker() (server + 0x13a6)',
      '                #2  0x00007ffff7aa71f5 n/a (libc.so.6 + 0x891f5)',
      '',
      '                Stack trace of thread 4242:',
      '                #0  0x00007ffff7aa3f16 __futex_abstimed_wait_common (libc.so.6 + 0x85f16)',
      '                #1  0x0000555555555446 main (server + 0x1446)',
    ].join('\n');
    const [r] = analyze(text).reports;
    expect(r).toMatchObject({ format: 'coredumpctl', signal: 'SIGSEGV', program: './server --port 8080' });
    expect(r!.threads.map((t) => t.lwp)).toEqual([4247, 4242]);
    expect(r!.threads[0]!.frames[0]).toMatchObject({ function: 'pool::run_job', module: 'server' });
    expect(r!.signatureFrames).toEqual(['pool::run_job', 'pool::crashing_worker']);
  });
});

describe('fatal-signal handler formats do not misfire', () => {
  it('ignores lines that look like parts of them', () => {
    const text = [
      '*** Important: read the docs ***',
      '    @ meeting at 10',
      'PID 12 - not a stack',
      'see ./prog(main+0x1) [0x1] for details',
      'TID 3:',
    ].join('\n');
    expect(analyze(text).reports).toEqual([]);
  });
});

const rustc = spawnSync('rustc', ['--version']).status === 0;
const go = spawnSync('go', ['version']).status === 0;
if (!rustc) console.log('skipping the Rust panic: rustc not installed');
if (!go) console.log('skipping the Go panic: go not installed');

function checkRust([rep]: Report[]): void {
  expect(rep!.format).toBe('rust');
  expect(rep!.crashKind).toBe('rust-panic');
  expect(rep!.signalDescription).toMatch(/called `Option::unwrap\(\)` on a `None` value/);
  expect(rep!.signatureFrames.slice(0, 2)).toEqual(['rust_panic::start_server', 'rust_panic::main']);
  expect(rep!.diagnoses[0]!.ruleId).toBe('generic/rust-panic');
}

function checkGo([rep]: Report[]): void {
  expect(rep!.format).toBe('go');
  expect(rep!).toMatchObject({ signal: 'SIGSEGV', faultAddress: '0x0' });
  expect(rep!.threads[0]!.name).toMatch(/^goroutine \d+ \[running\]$/);
  expect(rep!.signatureFrames).toEqual(['main.account', 'main.main.func1']);
  expect(rep!.threads[0]!.frames[0]).toMatchObject({ file: './go_panic.go', line: 12 });
  expect(rep!.diagnoses[0]!.category).toBe('null-deref');
}

// The committed samples are checked on every machine, with or without the tools that made them.
describe('committed samples of every format', () => {
  const all: [string, (r: Report[]) => void][] = [
    ...Object.values(CASES).map((c) => [c.sample, c.check] as [string, (r: Report[]) => void]),
    ['rust-panic.txt', checkRust],
    ['go-panic-nil-pointer.txt', checkGo],
  ];
  it.each(all)('%s', (sample, check) => {
    if (sample === 'backtrace-symbols-cpp.txt' && !cxxfilt) return; // demangling needs c++filt
    check(analyze(readFileSync(samplePath(sample), 'utf8')).reports);
  });
});

function keep(sample: string, output: string, dir: string, check: (reports: Report[]) => void): void {
  check(analyze(output).reports);
  const path = samplePath(sample);
  if (WRITE) writeFileSync(path, output.split(dir).join('.'));
  else if (existsSync(path)) check(analyze(readFileSync(path, 'utf8')).reports);
}

describe('panics of the languages native services embed', () => {
  it.skipIf(!rustc)('Rust: RUST_BACKTRACE=1', () => {
    const dir = tempDir('rust');
    copyFileSync(join(import.meta.dirname, '..', 'programs', 'rust_panic.rs'), join(dir, 'rust_panic.rs'));
    const built = spawnSync('rustc', ['-g', 'rust_panic.rs', '-o', 'rust_panic'], { cwd: dir, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    const r = spawnSync('./rust_panic', [], { cwd: dir, encoding: 'utf8', env: { ...process.env, RUST_BACKTRACE: '1' } });
    keep('rust-panic.txt', r.stdout + r.stderr, dir, checkRust);
  }, 120_000);

  it.skipIf(!go)('Go: a nil pointer panic in a goroutine', () => {
    const dir = tempDir('go');
    const src = join(import.meta.dirname, '..', 'programs', 'go_panic.go');
    const r = spawnSync('go', ['run', src], { cwd: dir, encoding: 'utf8', env: { ...process.env, GOCACHE: join(dir, 'cache'), GOPATH: join(dir, 'gopath'), GOFLAGS: '-mod=mod', GO111MODULE: 'off' } });
    const output = (r.stdout + r.stderr).split(join(import.meta.dirname, '..', 'programs')).join('.');
    keep('go-panic-nil-pointer.txt', output, dir, checkGo);
  }, 180_000);

  it('ignores "panic:" and "panicked at" in ordinary log lines', () => {
    const text = 'panic: disk almost full, rotating logs\nthe build panicked at 3am\nthread \'x\' panicked at nothing useful\n';
    expect(analyze(text).reports).toEqual([]);
  });
});

describe('every format is found in the middle of a large log read as a stream', () => {
  // Marker-free stretches of a log are skipped without being decoded; each format's markers must
  // still lead the reader to its traces. Filler lines look like a busy CI log ("[INFO]", words, numbers).
  const filler = Array.from({ length: 40_000 }, (_, i) => `2025-01-02T03:04:05.${String(i).padStart(7, '0')}Z [INFO] worker-${i % 16} handled request id=${i} in ${i % 97}ms status=200 path=/api/v1/items\n`).join('');
  const samples = sampleNames().filter((f) => f.endsWith('.txt') && !f.startsWith('gdb-') && !f.startsWith('lldb-'));
  const inline: Record<string, string> = {
    'ubsan without a stack': 'ubsan_errors.c:6:43: runtime error: division by zero\n',
    'rust panic without a backtrace': "thread 'main' panicked at src/main.rs:7:23:\ncalled `Option::unwrap()` on a `None` value\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n",
  };
  it.each([...samples, ...Object.keys(inline)])('%s', async (sample) => {
    const text = inline[sample] ?? readFileSync(samplePath(sample), 'utf8');
    const expected = analyze(text).reports.map((r) => r.signature);
    expect(expected.length).toBeGreaterThan(0);
    const dir = tempDir('big');
    const path = join(dir, 'ci.log');
    writeFileSync(path, filler + text + filler);
    const { reports } = await analyzeFile(path);
    expect(reports.map((r) => r.signature)).toEqual(expected);
    expect(reports[0]!.source.line).toBe(40_001 + (analyze(text).reports[0]!.source.line - 1));
  });
});

// Shapes seen in fuzzing infrastructure's logs (Fuchsia, Centipede, rss limits, old Rust, re-indented
// Go). The inputs are written here for the test, after the formats those tools print.
describe('sanitizer, Rust and Go variants from fuzzing infrastructure', () => {
  it('reads a report without the ==pid== prefix, with inlined "#1.1" frames and <module>+0x tails', () => {
    const text = [
      'ERROR: AddressSanitizer: heap-buffer-overflow on address 0x6100aa10 at pc 0x71dc0010 bp 0x1 sp 0x2',
      'WRITE of size 1 at 0x6100aa10 thread T0 (initial-thread)',
      '   #0    0x000071dc00000010 in parse_chunk(char const*) ../../src/chunk.cc:12 <<application>>+0x10',
      '   #1.1  0x0000658e00000020 in Unwind ../../compiler-rt/lib/sanitizer_common/sanitizer_stacktrace.h:115 <libclang_rt.asan.so>+0x20',
      '   #1    0x0000658e00000020 in __asan::ReportGenericError() ../../compiler-rt/lib/asan/asan_report.cc:141 <libclang_rt.asan.so>+0x20',
      '   #2    0x000071dc00000030 in read_file ../../src/chunk.cc:30 <<application>>+0x30',
    ].join('\n');
    const [r] = analyze(text).reports;
    expect(r).toMatchObject({ format: 'asan', crashKind: 'heap-buffer-overflow', faultAddress: '0x6100aa10' });
    const frames = r!.threads[0]!.frames;
    expect(frames.map((f) => f.function)).toEqual(['parse_chunk', 'Unwind', '__asan::ReportGenericError', 'read_file']);
    expect(frames[0]).toMatchObject({ module: '<application>', file: '../../src/chunk.cc', line: 12 });
    expect(frames[1]).toMatchObject({ module: 'libclang_rt.asan.so', inlined: true });
  });

  it('drops llvm-symbolizer\'s "??:?" location from a function name', () => {
    const text = ['==7==ERROR: LeakSanitizer: detected memory leaks', '', 'Direct leak of 8 byte(s) in 1 object(s) allocated from:',
      '    #0 0x4a1 in malloc ??:?', '    #1 0x4b2 in make_node /src/list.c:4'].join('\n');
    const [r] = analyze(text).reports;
    expect(r!.threads[0]!.frames[0]).toMatchObject({ function: 'malloc', file: null });
    expect(r!.signatureFrames).toEqual(['make_node']);
  });

  it('keeps UBSan\'s notes and hex dump between the error and its stack', () => {
    const text = [
      'src/pixels.c:40:9: runtime error: load of misaligned address 0x602b for type \'int\', which requires 4 byte alignment',
      '0x602b: note: pointer points here',
      ' 35 33 36 09 00 00 00 00  01 00 00 00',
      '             ^ ',
      '    #0 0x542 in decode_row /src/pixels.c:40:9',
      '    #1 0x535 in decode_image /src/pixels.c:90:3',
    ].join('\n');
    const [r] = analyze(text).reports;
    expect(r!.crashKind).toBe('ubsan: misaligned-address');
    expect(r!.signatureFrames).toEqual(['decode_row', 'decode_image']);
  });

  it('reads an rss-limit heap profile and the crash that follows it as two reports', () => {
    const text = [
      '==9==AddressSanitizer: soft rss limit exhausted (2048Mb vs 2050Mb)',
      'Live Heap Allocations: 2000000000 bytes in 10 chunks; quarantined: 0 bytes in 0 chunks',
      '1500000000 byte(s) (75%) in 3 allocation(s)',
      '    #0 0x55 in __interceptor_calloc /llvm/compiler-rt/lib/asan/asan_malloc_linux.cpp:77:3',
      '    #1 0x56 in grow_cache /src/cache.c:20:5',
      '',
      '==9==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000028 (pc 0x7f bp 0x0 sp 0x7ffd T0)',
      '    #0 0x7f in cache_get /src/cache.c:44:7',
      '    #1 0x80 in main /src/main.c:9:3',
    ].join('\n');
    const reports = analyze(text).reports;
    expect(reports.map((r) => r.crashKind)).toEqual(['rss-limit-exhausted', 'SIGSEGV']);
    expect(reports[0]!.threads[0]!.role).toBe('heap-profile');
    expect(reports[0]!.signatureFrames).toEqual(['grow_cache']);
    expect(reports[1]!.signatureFrames).toEqual(['cache_get', 'main']);
  });

  it('skips inline members in the C++ library headers, googletest and a fuzzing engine\'s runner', () => {
    const text = [
      '==3==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000008 (pc 0x1 bp 0x2 sp 0x3 T0)',
      '    #0 0x1 in operator-> /usr/include/c++/v1/__memory/unique_ptr.h:270:19',
      '    #1 0x2 in HandleOnePc third_party/fuzztest/centipede/runner_sancov.cc:210:7',
      '    #2 0x3 in testing::UnitTest::AddTestPartResult() third_party/googletest/src/gtest.cc:5400:9',
      '    #3 0x4 in Session::peer() const src/session.h:31:12',
      '    #4 0x5 in helper',
    ].join('\n');
    const [r] = analyze(text).reports;
    // "helper" has no location: an entry for every name ("*") cannot say it is machinery.
    expect(r!.signatureFrames).toEqual(['Session::peer', 'helper']);
  });

  it('reads an old Rust panic: no column, a message over several lines, another process\'s line in the backtrace', () => {
    const text = [
      "thread 'worker' panicked at 'assertion failed: `(left == right)`",
      '  left: `1`,',
      " right: `2`', src/queue.rs:52",
      'stack backtrace:',
      '   0: std::panicking::begin_panic',
      '[4242] WARNING: unrelated output from another process',
      '   1: queue::Queue::push::h0123456789abcdef',
      '   2: queue::main',
      '',
    ].join('\n');
    const [r] = analyze(text).reports;
    expect(r!.signalDescription).toMatch(/^panicked: assertion failed: `\(left == right\)`\n {2}left: `1`,\n right: `2`$/);
    expect(r!.threads[0]!.frames.map((f) => f.function)).toEqual(['std::panicking::begin_panic', 'queue::Queue::push', 'queue::main']);
    expect(r!.signatureFrames).toEqual(['queue::Queue::push', 'queue::main']);
  });

  it('reads a Go fatal error with the runtime stack first and locations re-indented', () => {
    const text = [
      'fatal error: stack overflow',
      '',
      'runtime stack:',
      'runtime.throw(0x60f619, 0xe)',
      '/usr/lib/go/src/runtime/panic.go:619 +0x81',
      'runtime.newstack()',
      '/usr/lib/go/src/runtime/stack.go:1054 +0x71f',
      '',
      'goroutine 7 [running]:',
      'example.com/app/parse.(*lexer).next(0xc420158000)',
      '/home/u/app/parse/lexer.go:27 +0x218 fp=0xc446ec03a8 sp=0xc446ec03a0 pc=0x5035c8',
      'example.com/app/parse.Parse(0xc420158000)',
      '  /home/u/app/parse/parse.go:12 +0x2c',
    ].join('\n');
    const [r] = analyze(text).reports;
    expect(r!.format).toBe('go');
    expect(r!.threads[r!.crashedThread!]!.name).toBe('goroutine 7 [running]');
    expect(r!.threads[r!.crashedThread!]!.frames[1]).toMatchObject({ file: '/home/u/app/parse/parse.go', line: 12 });
    expect(r!.signatureFrames).toEqual(['example.com/app/parse.(*lexer).next', 'example.com/app/parse.Parse']);
  });
});

describe.skipIf(!compiler.ok)('one crash, every tool: the same signature', () => {
  it('a lambda through std::function under gdb, AddressSanitizer and Valgrind', (ctx) => {
    if (!haveGdb().ok) return ctx.skip();
    const dir = tempDir('lambda');
    const plain = buildProgram('lambda_segv', dir);
    const asan = buildProgram('asan_lambda_segv', dir);
    const signatures: Record<string, string> = {};
    const gdb = analyze(gdbLive(plain, dir).output, { rules: null }).reports[0]!;
    signatures.gdb = gdb.signature;
    const sanitized = spawnSync(`./${asan}`, [], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    signatures.asan = analyze(sanitized.stderr, { rules: null }).reports[0]!.signature;
    if (spawnSync('valgrind', ['--version']).status === 0) {
      const vg = spawnSync('valgrind', [`./${plain}`], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      // Valgrind reports the invalid write, then the fatal signal: the latter is the crash gdb saw.
      const fatal = analyze(vg.stderr, { rules: null }).reports.find((r) => r.signal === 'SIGSEGV')!;
      signatures.valgrind = fatal.signature;
    }
    // gdb names the lambda from DWARF as operator(); the others give its linkage name, collapsed to that.
    expect(gdb.signatureFrames).toEqual(['operator()', 'call_with<>', 'run']);
    for (const [tool, sig] of Object.entries(signatures)) expect(sig, tool).toBe(gdb.signature);
  }, 180_000);
});
