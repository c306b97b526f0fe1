// The signal when the paste omits it, and what it was inferred from; never from nothing.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const first = (text: string) => analyze(text, { rules: null }).reports[0]!;

describe('signal inference', () => {
  it('abort machinery on the crashing stack is SIGABRT', () => {
    const r = first('#0  __pthread_kill_implementation (no_tid=0, signo=6, threadid=<optimized out>) at ./nptl/pthread_kill.c:44\n#1  0x00007ffff7a4526e in __GI_raise (sig=sig@entry=6) at ../sysdeps/posix/raise.c:26\n#2  0x00007ffff7a288ff in __GI_abort () at ./stdlib/abort.c:79\n#3  0x0000555555555169 in check_config (c=0x5555555592a0) at cfg.c:31\n');
    expect(r.signal).toBe('SIGABRT');
    expect(r.signalInferredFrom).toMatch(/on the crashing stack/);
    expect(r.crashKind).toBe('SIGABRT');
    expect(r.signatureFrames[0]).toBe('check_config');
  });
  it("gdb on Windows (MinGW) names abort as the DLL's export, after 'received signal ?, Unknown signal'", () => {
    const r = first('Thread 1 received signal ?, Unknown signal.\n#0  0x00007ffd4b2a9e3c in ucrtbase!abort () from C:\\WINDOWS\\System32\\ucrtbase.dll\n#1  0x00007ffd4b2a8b71 in ucrtbase!terminate () from C:\\WINDOWS\\System32\\ucrtbase.dll\n#2  0x00007ff78a1c16f2 in parse_port (s=0x0) at ../src/cli.cpp:29\n');
    expect([r.signal, r.signalInferredFrom]).toEqual(['SIGABRT', 'ucrtbase!abort() on the crashing stack']);
  });
  it('the shell\'s notice after the trace wins over the stack', () => {
    const r = first('#0  0x000055555555513d in compute (p=0x0) at calc.c:4\n#1  0x0000555555555180 in main () at calc.c:14\nSegmentation fault (core dumped)\n');
    expect(r.signal).toBe('SIGSEGV');
    expect(r.signalInferredFrom).toMatch(/shell's notice/);
  });
  it('the message printed before abort() is SIGABRT', () => {
    const r = first("terminate called after throwing an instance of 'std::out_of_range'\n#0  0x0000555555555a10 in Table::at (this=0x7fffffffe0a0, i=5) at table.cc:20\n#1  0x0000555555555b20 in main () at main.cc:9\n");
    expect(r.signal).toBe('SIGABRT');
    expect(r.signalInferredFrom).toMatch(/message printed before the abort/);
  });
  it('a stated signal is not marked inferred', () => {
    const r = first('Program received signal SIGSEGV, Segmentation fault.\n#0  0x000055555555513d in compute (p=0x0) at calc.c:4\n');
    expect([r.signal, r.signalInferredFrom]).toEqual(['SIGSEGV', null]);
  });
  it('nothing is inferred from nothing', () => {
    const r = first('#0  0x000055555555513d in compute (p=0x0) at calc.c:4\n#1  0x0000555555555180 in main () at calc.c:14\n');
    expect([r.signal, r.signalInferredFrom, r.crashKind]).toEqual([null, null, 'UNKNOWN']);
  });
});

describe('a stack deeper than the per-thread cap', () => {
  const deep = ['Program received signal SIGSEGV, Segmentation fault.', ...Array.from({ length: 2031 }, (_, i) => `#${i}  0x0000555555555169 in ns::fn_${i} (x=1) at a.cc:${i + 1}`)].join('\n');
  it('says it was capped and is not taken for recursion when its kept frames are distinct', () => {
    const r = analyze(deep).reports[0]!;
    expect(r.threads[0]!.droppedFrames).toBe(31);
    expect(r.warnings?.join('\n')).toMatch(/31 frames beyond the 2000 kept were not read/);
    expect(r.diagnoses.map((d) => d.category)).not.toContain('stack-overflow');
  });
  it('a recursion that was capped still counts its dropped frames', () => {
    const rec = ['Program received signal SIGSEGV, Segmentation fault.', ...Array.from({ length: 2100 }, (_, i) => `#${i}  0x0000555555555169 in walk (n=${i}) at tree.c:9`)].join('\n');
    const r = analyze(rec).reports[0]!;
    expect(r.diagnoses[0]!.category).toBe('stack-overflow');
  });
});

// glibc's catchsegv (libSegFault.so) prints its own dump before the backtrace_symbols lines: the
// signal as words, the registers (the FPU's too), and x86's CR2, the page fault's address.
describe("catchsegv's dump above a backtrace", () => {
  const dump = (signalLine: string, cr2: string) => [
    '$ catchsegv ./bin/pxconv sample.px', signalLine, 'Register dump:', '',
    ' RAX: 0000000000000000   RBX: 00007ffd21c0e1a8   RCX: 0000000000000010',
    ' RIP: 00007f1b4c3a12ea   EFLAGS: 00010246', '', ' CS: 0033   FS: 0000   GS: 0000', '',
    ` Trap: 0000000e   Error: 00000004   OldMask: 00000000   CR2: ${cr2}`, '',
    ...Array.from({ length: 24 }, (_, i) => ` XMM${i % 16}: 00000000000000000000000000000000`), '',
    'Backtrace:',
    '/home/dev/pxconv/lib/libpx.so(px_read_header+0x2a)[0x7f1b4c3a12ea]',
    '/home/dev/pxconv/lib/libpx.so(px_open+0x91)[0x7f1b4c3a1481]',
    './bin/pxconv(main+0x6e)[0x5621a2e0c1de]', '',
  ].join('\n');

  it('gives the signal and the fault address (a null pointer read)', () => {
    const r = analyze(dump('*** Segmentation fault', '00000000')).reports[0]!;
    expect([r.signal, r.faultAddress, r.signatureFrames[0], r.diagnoses[0]?.category]).toEqual(['SIGSEGV', '0x0', 'px_read_header', 'null-deref']);
  });

  it('a wild address is no null dereference', () => {
    const r = analyze(dump('*** Segmentation fault', '7f1b4c000000')).reports[0]!;
    expect([r.signal, r.faultAddress]).toEqual(['SIGSEGV', '0x7f1b4c000000']);
    expect(r.diagnoses[0]?.category).not.toBe('null-deref');
  });

  it('the words alone, without the register dump after them, are not its signal line', () => {
    const r = analyze(['*** Segmentation fault', 'retrying with --safe', '/home/dev/pxconv/lib/libpx.so(px_read_header+0x2a)[0x7f1b4c3a12ea]', './bin/pxconv(main+0x6e)[0x5621a2e0c1de]', ''].join('\n')).reports[0]!;
    expect(r.faultAddress).toBeNull();
  });
});

// A program's own crash handler above the trampoline was handed the signal's number.
describe("the signal a crash handler's argument names", () => {
  it('the handler re-raises with kill(): its sig=11 is the signal', () => {
    const r = analyze('#0  0x00007fa98df4a2eb in kill () at ../sysdeps/unix/syscall-template.S:120\n#1  0x000055a8066931a4 in on_fatal (sig=11, info=0x7fff96238b70, uctx=<optimized out>) at ../src/daemon/crash.c:88\n#2  <signal handler called>\n#3  __strlen_avx2 () at ../sysdeps/x86_64/multiarch/strlen-avx2.S:76\n#4  0x000055a80669a3f0 in unit_log_fmt (u=0x55a807a1c2d0, fmt=0x55a8066c1f28 "%s: %s") at ../src/daemon/unit-log.c:51\n').reports[0]!;
    expect([r.signal, r.signatureFrames[0]]).toEqual(['SIGSEGV', 'unit_log_fmt']);
    expect(r.signalInferredFrom).toMatch(/handler's argument/);
  });

  it('the handler that aborts after logging: the signal it was given, not the abort', () => {
    const r = analyze('#0  __pthread_kill_implementation (no_tid=0, signo=6, threadid=<optimized out>) at ./nptl/pthread_kill.c:44\n#1  0x00007ffff784527e in __GI_raise (sig=sig@entry=6) at ../sysdeps/posix/raise.c:26\n#2  0x00007ffff78288ff in __GI_abort () at ./stdlib/abort.c:79\n#3  0x0000555555555a10 in crash_handler (signum=7) at handler.c:20\n#4  <signal handler called>\n#5  0x0000555555555b20 in read_record (r=0x7ffff7ff0000) at map.c:61\n').reports[0]!;
    expect(r.signal).toBe('SIGBUS');
  });

  it('arguments below the trampoline say nothing (sig=6 passed to raise by the fault\'s own abort)', () => {
    const r = analyze('#0  __pthread_kill_implementation (no_tid=0, signo=6, threadid=<optimized out>) at ./nptl/pthread_kill.c:44\n#1  0x00007ffff784527e in __GI_raise (sig=sig@entry=6) at ../sysdeps/posix/raise.c:26\n#2  0x00007ffff78288ff in __GI_abort () at ./stdlib/abort.c:79\n#3  0x0000555555555a10 in check (x=0) at c.c:20\n').reports[0]!;
    expect([r.signal, r.signalInferredFrom]).toEqual(['SIGABRT', expect.stringMatching(/on the crashing stack/)]);
  });
});
