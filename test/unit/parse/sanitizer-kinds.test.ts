// Sanitizer verdicts as crash kinds (issue 11): UBSan checks by their own names, UBSan's and
// Windows ASan's deadly signals as the signal, kinds without run-specific text, ASan's non-fatal
// allocation warning, UBSan stacks after vptr notes, ASan's thread-creation stack after SUMMARY,
// TSan frames with a bare pc, and a sanitizer report preferred to the crash handler's dump before it.
// The sample texts are written here in each runtime's shape (LLVM compiler-rt's report formats).
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const run = (text: string) => analyze(text, { rules: null }).reports;
const ubsan = (message: string) =>
  run([
    `src/calc.cc:12:7: runtime error: ${message}`,
    '    #0 0x5581d2 in calc::step(int) /src/calc.cc:12:7',
    '    #1 0x5582a0 in main /src/main.cc:4:3',
    'SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior src/calc.cc:12:7',
  ].join('\n'))[0]!;

describe('UBSan checks are named as UBSan names them', () => {
  it.each([
    ["unsigned integer overflow: 18446744073709551615 + 1 cannot be represented in type 'unsigned long'", 'ubsan: unsigned-integer-overflow'],
    ["signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'", 'ubsan: signed-integer-overflow'],
    ['negation of -2147483648 cannot be represented in type int; cast to an unsigned type to negate this value to itself', 'ubsan: signed-integer-overflow'],
    ["division of -2147483648 by -1 cannot be represented in type 'int'", 'ubsan: signed-integer-overflow'],
    ['applying non-zero offset 16 to null pointer', 'ubsan: pointer-overflow'],
    ['applying zero offset to null pointer', 'ubsan: pointer-overflow'],
    ['addition of unsigned offset to 0x7ffd1000 overflowed to 0x7ffc0ff8', 'ubsan: pointer-overflow'],
    ['pointer index expression with base 0x000000000001 overflowed to 0xffffffffffffffff', 'ubsan: pointer-overflow'],
    ['assumption is violated during execution', 'ubsan: assumption-violation'],
    ['variable length array bound evaluates to non-positive value -3', 'ubsan: vla-bound'],
    ["load of address 0x602000000010 with insufficient space for an object of type 'long'", 'ubsan: object-size'],
    ["1e+20 is outside the range of representable values of type 'int'", 'ubsan: float-cast-overflow'],
    ["member access within null pointer of type 'struct node'", 'ubsan: null-pointer-use'],
    ['something new that needs a name', 'ubsan: undefined-behavior'],
  ])('%s', (message, kind) => {
    expect(ubsan(message).crashKind).toBe(kind);
  });
});

describe('deadly signals caught by UBSan and by ASan on Windows are the signal', () => {
  it.each([
    ['UndefinedBehaviorSanitizer', 'FPE on unknown address 0x5581d2 (pc 0x5581d2 bp 0x7ffd10 sp 0x7ffd00 T0)', 'SIGFPE'],
    ['UndefinedBehaviorSanitizer', 'ILL on unknown address 0x5581d2 (pc 0x5581d2 bp 0x7ffd10 sp 0x7ffd00 T0)', 'SIGILL'],
    ['UndefinedBehaviorSanitizer', 'ABRT on unknown address 0x000000000001 (pc 0x7f2c2a6aa428 bp 0x7ffd10 sp 0x7ffd00 T1)', 'SIGABRT'],
    ['AddressSanitizer', 'access-violation on unknown address 0x00000010 (pc 0x7ff6a1 bp 0x0bd0 sp 0x0bb0 T0)', 'SIGSEGV'],
    ['AddressSanitizer', 'illegal-instruction on unknown address 0x7ff6a1 (pc 0x7ff6a1 bp 0x0bd0 sp 0x0bb0 T0)', 'SIGILL'],
    ['AddressSanitizer', 'int-divide-by-zero on unknown address 0x7ff6a1 (pc 0x7ff6a1 bp 0x0bd0 sp 0x0bb0 T0)', 'SIGFPE'],
  ])('%s: %s', (tool, header, signal) => {
    const [r] = run([
      `${tool}:DEADLYSIGNAL`,
      `==4242==ERROR: ${tool}: ${header}`,
      '    #0 0x5581d2 in calc::step(int) /src/calc.cc:12:7',
      '    #1 0x5582a0 in main /src/main.cc:4:3',
      `${tool} can not provide additional info.`,
      `SUMMARY: ${tool}: ${header.split(' ')[0]} /src/calc.cc:12:7 in calc::step(int)`,
      '==4242==ABORTING',
    ].join('\n'));
    expect(r!.crashKind).toBe(signal);
    expect(r!.signal).toBe(signal);
    expect(r!.signatureFrames[0]).toBe('calc::step');
  });
});

describe('crash kinds are stable words', () => {
  const asan = (header: string, summary: string) =>
    run([`==77==ERROR: ${header}`, '    #0 0x4c1a2 in malloc', '    #1 0x55d1 in load(unsigned long) /src/load.cc:9:12', `SUMMARY: ${summary}`].join('\n'))[0]!;
  it.each([
    ['AddressSanitizer: requested allocation size 0x285be9c758f75400 (0x285be9c758f76400 after adjustments for alignment, red zones etc.) exceeds maximum supported size of 0x10000000000 (thread T0)', 'AddressSanitizer: allocation-size-too-big /src/load.cc:9:12 in load(unsigned long)', 'allocation-size-too-big'],
    ['MemorySanitizer: requested allocation size 0x3ff00000000 exceeds maximum supported size of 0x200000000', 'MemorySanitizer: allocation-size-too-big', 'allocation-size-too-big'],
    ['AddressSanitizer: out of memory: allocator is trying to allocate 0x40000004 bytes', 'AddressSanitizer: out-of-memory', 'out-of-memory'],
    ['AddressSanitizer: allocator is out of memory trying to allocate 0x9a9a9a9a000000 bytes', 'AddressSanitizer: out-of-memory', 'out-of-memory'],
    ['AddressSanitizer: calloc parameters overflow: count * size (2305843009213693952 * 8) cannot be represented in type size_t (thread T0)', 'AddressSanitizer: calloc-overflow', 'calloc-overflow'],
    ['AddressSanitizer failed to allocate 0x6003a000 (1610850304) bytes of LargeMmapAllocator (error code: 12)', 'AddressSanitizer: out-of-memory', 'out-of-memory'],
    ['HWAddressSanitizer: allocation-tail-overwritten; heap object [0x00444b02b180,0x00444b02b182) of size 2', 'HWAddressSanitizer: allocation-tail-overwritten', 'allocation-tail-overwritten'],
  ])('%s', (header, summary, kind) => {
    expect(asan(header, summary).crashKind).toBe(kind);
  });

  it("TSan's data race keeps its kind whatever follows the pid", () => {
    const [r] = run([
      '==================',
      'WARNING: ThreadSanitizer: data race (pid=31337)c',
      '  Write of size 4 at 0x7b0400000000 by thread T1:',
      '    #0 bump counter.cc:8 (counter+0x12a1)',
      '  Previous write of size 4 at 0x7b0400000000 by main thread:',
      '    #0 bump counter.cc:8 (counter+0x12a1)',
      'SUMMARY: ThreadSanitizer: data race counter.cc:8 in bump',
      '==================',
    ].join('\n'));
    expect(r!.crashKind).toBe('data race');
  });
});

describe("ASan's non-fatal allocation warning", () => {
  it('opens no report, and the ABRT report after it is read whole', () => {
    const reports = run([
      '==1==WARNING: AddressSanitizer failed to allocate 0x202020202020200c bytes',
      'memory allocation of 2314885530818453516 bytes failedAddressSanitizer:DEADLYSIGNAL',
      '=================================================================',
      '==1==ERROR: AddressSanitizer: ABRT on unknown address 0x000000000001 (pc 0x7efeaef2f428 bp 0x7ffef58fe030 sp 0x7ffef58fdd48 T0)',
      '    #0 0x7efeaef2f427 in raise /build/glibc-2.31/sysdeps/unix/sysv/linux/raise.c:51',
      '    #1 0x7efeaef31029 in abort /build/glibc-2.31/stdlib/abort.c:79',
      '    #2 0x55fcb94e9c75 in parser::grow(unsigned long) /src/parser.rs:283:13',
      'SUMMARY: AddressSanitizer: ABRT /build/glibc-2.31/sysdeps/unix/sysv/linux/raise.c:51 in raise',
      '==1==ABORTING',
    ].join('\n'));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.crashKind).toBe('SIGABRT');
    expect(reports[0]!.abortMessage).toBe('memory allocation of 2314885530818453516 bytes failed');
    expect(reports[0]!.signatureFrames[0]).toBe('parser::grow');
  });
  it('alone is no crash', () => {
    expect(run('==16763==WARNING: AddressSanitizer failed to allocate 0xffffffff bytes\n')).toHaveLength(0);
  });
});

describe('stacks the report goes on with', () => {
  it("UBSan's bad cast keeps its stack after the vptr notes", () => {
    const r = ubsanWithNotes([
      'src/shape.h:30:5: runtime error: downcast of address 0x602000000010 which does not point to an object of type Circle',
      '0x602000000010: note: object is of type Square',
      ' 00 00 00 00  60 2d 40 00 00 00 00 00  be be be be be be be be  be be be be be be be be  00 00 00 00',
      '              ^~~~~~~~~~~~~~~~~~~~~~~',
      '              vptr for Square',
    ]);
    expect(r.crashKind).toBe('ubsan: bad-cast');
    expect(r.signatureFrames).toEqual(['draw', 'main']);
    expect(r.unreadableFrames).toBeUndefined();
  });
  it('and after a CFI note whose memory cannot be printed', () => {
    const r = ubsanWithNotes([
      'src/shape.cc:30:5: runtime error: control flow integrity check for type Shape failed during virtual call (vtable address 0x000000000000)',
      '0x000000000000: note: invalid vtable',
      '<memory cannot be printed>',
    ]);
    expect(r.crashKind).toBe('ubsan: cfi-bad-cast');
    expect(r.signatureFrames).toEqual(['draw', 'main']);
  });
  it("ASan's creation stack of the faulting thread after SUMMARY", () => {
    const [r] = run([
      '==8746==ERROR: AddressSanitizer: SEGV on unknown address 0x7f637b59cffc (pc 0x7f63fd5c11af bp 0x7f63a0702090 sp 0x7f63a0701f40 T35)',
      '    #0 0x7f63fd5c11ae in ipc::Shmem::Open(int) /src/ipc/shmem.cc:454:35',
      '    #1 0x7f63fd5c07b0 in ipc::Channel::Created() /src/ipc/channel.cc:790:38',
      'AddressSanitizer can not provide additional info.',
      'SUMMARY: AddressSanitizer: SEGV /src/ipc/shmem.cc:454:35 in ipc::Shmem::Open(int)',
      'Thread T35 (Compositor) created by T0 here:',
      '    #0 0x4a8e16 in pthread_create /src/llvm/compiler-rt/lib/asan/asan_interceptors.cpp:245:3',
      '    #1 0x7f63fd4d9ad4 in base::CreateThread(unsigned long) /src/base/thread.cc:139:14',
      '',
      '==8746==ABORTING',
      'unrelated output',
    ].join('\n'));
    expect(r!.threads.map((t) => t.role)).toEqual(['access', 'thread-created']);
    expect(r!.threads[1]!.name).toBe('T35');
    expect(r!.unreadableFrames).toBeUndefined();
    expect(r!.signatureFrames[0]).toBe('ipc::Shmem::Open');
  });
  it('TSan frames with a bare pc', () => {
    const [r] = run([
      'ThreadSanitizer:DEADLYSIGNAL',
      '==2109==ERROR: ThreadSanitizer: SEGV on unknown address 0x000000000000 (pc 0x7f1 bp 0x7f2 sp 0x7f3 T2109)',
      '    #0 oom_abort /src/memory/oom.cc:33:3 (app+0xcb5e3)',
      '    #1 <null> <null> (libdri.so+0x75dc33)',
      '    #2 <null> <null> (0x7eff0a5dad88)',
      '',
      'ThreadSanitizer can not provide additional info.',
      'SUMMARY: ThreadSanitizer: SEGV /src/memory/oom.cc:33:3 in oom_abort',
    ].join('\n'));
    const frames = r!.threads[0]!.frames;
    expect(frames).toHaveLength(3);
    expect(frames[2]).toMatchObject({ address: '0x7eff0a5dad88', function: '??', module: null });
    expect(r!.unreadableFrames).toBeUndefined();
  });
});

function ubsanWithNotes(head: string[]) {
  return run([...head, '    #0 0x4f1a2 in draw(Shape*) /src/draw.cc:30:5', '    #1 0x4f2b0 in main /src/main.cc:8:3', 'SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior src/shape.h:30:5'].join('\n'))[0]!;
}

describe("a crash handler's dump and the sanitizer's report of the same death", () => {
  const log = [
    '[1222/164952:FATAL:cache.cc(198)] Check failed: 1 == map.count(key).',
    '#0 0x55d0c0a1b2cd base::debug::CollectStackTrace()',
    '#1 0x55d0c0a1b3de logging::LogMessage::~LogMessage()',
    '#2 0x55d0c0a1c4ef net::Cache::Lookup()',
    '#3 0x55d0c0a1d5f0 main',
    'AddressSanitizer:DEADLYSIGNAL',
    '=================================================================',
    '==31==ERROR: AddressSanitizer: ABRT on unknown address 0x03e90000001f (pc 0x7f00 bp 0x7f01 sp 0x7f02 T0)',
    '    #0 0x7f0071a2 in raise /build/glibc-2.31/sysdeps/unix/sysv/linux/raise.c:51',
    '    #1 0x7f0072b3 in abort /build/glibc-2.31/stdlib/abort.c:79',
    '    #2 0x55d0c0a1b3de in logging::LogMessage::~LogMessage() /src/base/logging.cc:880:7',
    '    #3 0x55d0c0a1c4ef in net::Cache::Lookup() /src/net/cache.cc:198:3',
    '    #4 0x55d0c0a1d5f0 in main /src/main.cc:5:3',
    'SUMMARY: AddressSanitizer: ABRT /build/glibc-2.31/sysdeps/unix/sysv/linux/raise.c:51 in raise',
    '==31==ABORTING',
  ].join('\n');
  it("puts the sanitizer's first, with the message the program died with", () => {
    const reports = run(log);
    expect(reports.map((r) => r.format)).toEqual(['asan', 'chromium']);
    expect(reports[0]!.crashKind).toBe('SIGABRT');
    expect(reports[0]!.abortMessage).toContain('Check failed: 1 == map.count(key).');
    expect(reports[0]!.signatureFrames[0]).toBe('net::Cache::Lookup');
  });
  it("puts the sanitizer's verdict first after a dump that names no death of its own (a runtime's stack printed on its way down)", () => {
    const dump = [
      'Fatal error: Unexpectedly found nil while unwrapping an Optional value',
      'Current stack trace:',
      '0    fuzz-target    0x0000555f6035db52 <unavailable> + 32258898',
      '1    fuzz-target    0x0000555f5ee31df0 Decoder.decodeGroup<A>(value:) + 2648',
      '2    fuzz-target    0x0000555f5fa613b0 Message.decode<A>(decoder:) + 1797',
      '3    libc.so.6      0x00007f87e963b750 __libc_start_main + 240',
      '=================================================================',
      '==77==ERROR: AddressSanitizer: attempting free on address which was not malloc()-ed: 0x555f65177ff0 in thread T0',
      '    #0 0x555f5ed935cd in free /src/llvm/compiler-rt/lib/asan/asan_malloc_linux.cpp:123:3',
      '    #1 0x555f603b53ac in _swift_stdlib_reportFatalErrorInFile (/out/fuzz-target+0x1f1b3ac)',
      '    #2 0x555f5ee31def in Decoder.decodeGroup /src/Decoder.swift:953:9',
      'SUMMARY: AddressSanitizer: bad-free /src/llvm/compiler-rt/lib/asan/asan_malloc_linux.cpp:123:3 in free',
      '==77==ABORTING',
    ].join('\n');
    const reports = run(dump);
    expect(reports.map((r) => [r.format, r.crashKind])).toEqual([['asan', 'bad-free'], ['backtrace_symbols', 'UNKNOWN']]);
  });
  it('keeps input order when the sanitizer found a bug of its own', () => {
    const other = log.replace('ABRT on unknown address 0x03e90000001f', 'heap-use-after-free on address 0x602000000010').replace('SUMMARY: AddressSanitizer: ABRT', 'SUMMARY: AddressSanitizer: heap-use-after-free');
    expect(run(other).map((r) => r.format)).toEqual(['chromium', 'asan']);
  });
});

describe('abort messages around a sanitizer report', () => {
  const abrt = (before: string[]) =>
    run([
      ...before,
      'AddressSanitizer:DEADLYSIGNAL',
      '==9==ERROR: AddressSanitizer: ABRT on unknown address 0x000000000001 (pc 0x7f00 bp 0x7f01 sp 0x7f02 T0)',
      '    #0 0x7f0071a2 in raise /build/glibc-2.31/sysdeps/unix/sysv/linux/raise.c:51',
      '    #1 0x55d0c0a1c4ef in tree::insert(int) /src/tree.cc:86:3',
      'SUMMARY: AddressSanitizer: ABRT /build/glibc-2.31/sysdeps/unix/sysv/linux/raise.c:51 in raise',
    ].join('\n'))[0]!.abortMessage;
  it.each([
    [['F0812 21:22:15.159294   61315 tree.cc:89] Check failed: depth < 64'], 'F0812 21:22:15.159294   61315 tree.cc:89] Check failed: depth < 64'],
    [['F0812 20:32:32.874783   47273 tree.h:195] Log fatal.'], 'F0812 20:32:32.874783   47273 tree.h:195] Log fatal.'],
    [['[0424/050845.358008:FATAL:base/tree.cc:467] DCHECK failed: !HasKey(k).'], '[0424/050845.358008:FATAL:base/tree.cc:467] DCHECK failed: !HasKey(k).'],
    // (the timestamp is cleaned off as a log prefix)
    [['[2018-05-17 07:01:35.506][1][critical][assert] src/tree.cc:87] assert failure: n >= 0'], '[1][critical][assert] src/tree.cc:87] assert failure: n >= 0'],
    [['ASSERTION FAILED: start <= end'], 'ASSERTION FAILED: start <= end'],
    [['include/c++/v1/optional:2343: assertion this->has_value() failed: optional operator* called on a disengaged valueAddressSanitizer:DEADLYSIGNAL'], 'include/c++/v1/optional:2343: assertion this->has_value() failed: optional operator* called on a disengaged value'],
    [['GLib:ERROR:../src/tree.c:709:tree_insert: assertion failed: (j < i)'], 'GLib:ERROR:../src/tree.c:709:tree_insert: assertion failed: (j < i)'],
    [['#', '# Fatal error in ../../src/flags/flags.cc, line 624', '# unreachable code', '#'], 'unreachable code'],
    [['========= Stack limit exceeded: 982784 > 131072 (byte); aborting'], '========= Stack limit exceeded: 982784 > 131072 (byte); aborting'],
    [['========= Per-input timeout exceeded: 26 > 25 (sec); exiting', 'Sending SIGABRT to the runner main thread.'], '========= Per-input timeout exceeded: 26 > 25 (sec); exiting'],
  ])('%j', (before, message) => {
    expect(abrt(before)).toBe(message);
  });
});

describe("the sanitizer runtime's frames are not the crash's", () => {
  it.each([
    ['a static runtime function in the program', '    #0 0x1e2b3c in __asan_memset (C:\\b\\out\\chrome.exe+0x1e2b3c)'],
    ['a static runtime function by its namespace', '    #0 0x4c1a2 in __sanitizer::CheckFailed(char const*, int, char const*, unsigned long long, unsigned long long) (/out/prog+0x4c1a2)'],
    ["the runtime's unwinder in its shared object (Fuchsia)", '    #0 0x7e9aa0a3fc in Unwind ../compiler-rt/lib/asan/../sanitizer_common/sanitizer_stacktrace.h:130:5 <libclang_rt.asan.so>+0x3c3fc'],
    ["the runtime's allocator by its source file", '    #0 0x4c1a2 in malloc Z:\\compiler-rt\\lib\\asan\\asan_malloc_win.cpp:98'],
  ])('%s', (_what, frame) => {
    const [r] = run([
      '==5==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000011 at pc 0x4c1a2 bp 0x7ffd10 sp 0x7ffd00',
      'WRITE of size 4 at 0x602000000011 thread T0',
      frame,
      '    #1 0x55d1 in fill(char*, int) /src/fill.cc:9:12',
      '    #2 0x55e2 in main /src/main.cc:3:1',
      'SUMMARY: AddressSanitizer: heap-buffer-overflow /src/fill.cc:9:12 in fill(char*, int)',
    ].join('\n'));
    expect(r!.signatureFrames).toEqual(['fill', 'main']);
  });
});

describe("Centipede's runner log", () => {
  it('reads a report behind its "CRASH LOG: " prefix', () => {
    const [r] = run([
      'Centipede: starting runner',
      'CRASH LOG: =================================================================',
      'CRASH LOG: ==3057==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000070 at pc 0x5593fbd29fda bp 0x7ffd079a1e80 sp 0x7ffd079a1e78',
      'CRASH LOG: WRITE of size 4 at 0x602000000070 thread T0',
      'CRASH LOG:     #0 0x5593fbd29fd9 in Table::put(int) /src/table.cc:40:9',
      'CRASH LOG:     #1 0x5593fbd2e495 in LLVMFuzzerTestOneInput /src/fuzz.cc:12:3',
      'CRASH LOG: SUMMARY: AddressSanitizer: heap-use-after-free /src/table.cc:40:9 in Table::put(int)',
      'Centipede: done',
    ].join('\n'));
    expect(r!.crashKind).toBe('heap-use-after-free');
    expect(r!.signatureFrames[0]).toBe('Table::put');
  });
});

describe('frame lines of any length', () => {
  it('are read in linear time (a 60,000-space run does not make the tails backtrack)', async () => {
    const { parseSanitizerFrame } = await import('../../../src/parse/sanitizer-frame.js');
    const started = Date.now();
    parseSanitizerFrame(`    #1 0x55d1 in f${' '.repeat(60_000)}g`);
    parseSanitizerFrame(`    #1 f${' '.repeat(60_000)}(BuildId: 12`);
    parseSanitizerFrame(`    #1 <null>${' '.repeat(60_000)}<nul`);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(parseSanitizerFrame('    #2 0x4005d4 in main\t(/out/prog+0x4005d4) (BuildId: 2bfe01fc)')).toMatchObject({ rawFunction: 'main', module: '/out/prog' });
  });
});

describe('a death message printed above the context window', () => {
  const filler = Array.from({ length: 80 }, (_, i) => `    ${i}: StubFrame [pc: 0x7f2893ca${String(i).padStart(4, '0')}]`);
  const ill = [
    'AddressSanitizer:DEADLYSIGNAL',
    '==31==ERROR: AddressSanitizer: ILL on unknown address 0x7f28948306d8 (pc 0x7f28948306d8 bp 0x7ffd868ade30 sp 0x7ffd868ade30 T0)',
    '    #0 0x7f28948306d8 in v8::internal::Runtime_AbortJS(int, unsigned long*, v8::internal::Isolate*) /src/v8/src/runtime/runtime-test.cc:1150:3',
    '    #1 0x7f2893ca6608 in Builtins_CEntry (/out/d8+0x1ca6608)',
    'SUMMARY: AddressSanitizer: ILL /src/v8/src/runtime/runtime-test.cc:1150:3 in v8::internal::Runtime_AbortJS(int, unsigned long*, v8::internal::Isolate*)',
  ];
  it("is the abort message of a sanitizer's report of the abort", () => {
    const [r] = run(['abort: CSA_ASSERT failed: IsFastElementsKind(kind) [../../src/code-stub-assembler.cc:1567]', '', '==== JS stack trace =========================================', ...filler, ...ill].join('\n'));
    expect(r!.abortMessage).toBe('abort: CSA_ASSERT failed: IsFastElementsKind(kind) [../../src/code-stub-assembler.cc:1567]');
  });
  it('not of a report after another trace, nor of a bug the sanitizer found itself', () => {
    const between = ['abort: CSA_ASSERT failed: x [a.cc:1]', ...filler, '#0  0x00005555 in other () at other.c:3', '#1  0x00005556 in main () at other.c:9', ...filler, ...ill];
    expect(run(between.join('\n')).find((r) => r.format === 'asan')!.abortMessage).toBeNull();
    const uaf = ['abort: CSA_ASSERT failed: x [a.cc:1]', ...filler, '==31==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x1 bp 0x2 sp 0x3', 'READ of size 4 at 0x602000000010 thread T0', '    #0 0x55d1 in f() /src/f.cc:3:1'];
    expect(run(uaf.join('\n'))[0]!.abortMessage).toBeNull();
  });
});

describe('Rust frames in a sanitizer report', () => {
  it('are named without their hash and escapes; std and alloc internals are skipped', () => {
    const [r] = run([
      '==1==ERROR: AddressSanitizer: ABRT on unknown address 0x000000000001 (pc 0x7efeaef2f428 bp 0x7ffef58fe030 sp 0x7ffef58fdd48 T0)',
      '    #0 0x7efeaef2f427 in raise /build/glibc-2.31/sysdeps/unix/sysv/linux/raise.c:51',
      '    #1 0x55fcb94e9c75 in std::process::abort::hc04628a00aa4543a /rustc/3a7dfda4/src/libstd/process.rs:1623:5',
      '    #2 0x55fcb94f03cd in rust_oom /rustc/3a7dfda4/src/libstd/alloc.rs:282:5',
      '    #3 0x55fcb951b876 in alloc::alloc::handle_alloc_error::hf3b29e2cf0b4ae46 /rustc/3a7dfda4/src/liballoc/alloc.rs:307:14',
      '    #4 0x55fcb92ea65b in alloc::raw_vec::RawVec$LT$T$C$A$GT$::reserve::hf99060ff0a84a3be /rustc/3a7dfda4/src/liballoc/raw_vec.rs:269:47',
      '    #5 0x55fcb92ea65b in parser::Table$LT$T$GT$::grow::h1159314b25b06f7c src/table.rs:283:13',
      '    #6 0x55fcb92f69a4 in _ZN6parser4load17h37ff3f8c67f3ab87E src/load.rs:48:9',
      'SUMMARY: AddressSanitizer: ABRT /build/glibc-2.31/sysdeps/unix/sysv/linux/raise.c:51 in raise',
    ].join('\n'));
    expect(r!.signatureFrames).toEqual(['parser::Table<>::grow', 'parser::load']);
    expect(r!.threads[0]!.frames[5]!.rawFunction).toBe('parser::Table$LT$T$GT$::grow::h1159314b25b06f7c');
  });
});

describe('after SUMMARY', () => {
  it("the next report's header starts the next report, even after a report without a stack", () => {
    const reports = run([
      '==7==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000010 (pc 0x1 bp 0x2 sp 0x3 T0)',
      'AddressSanitizer can not provide additional info.',
      'SUMMARY: AddressSanitizer: SEGV (/out/prog+0x1)',
      '==7==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x1 bp 0x2 sp 0x3',
      'READ of size 4 at 0x602000000010 thread T0',
      '    #0 0x55d1 in use(int*) /src/use.cc:3:10',
      'SUMMARY: AddressSanitizer: heap-use-after-free /src/use.cc:3:10 in use(int*)',
    ].join('\n'));
    expect(reports.map((r) => r.crashKind)).toEqual(['SIGSEGV', 'heap-use-after-free']);
  });
});
