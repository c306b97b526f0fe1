// lldb's parser on its own: sessions as lldb prints them, fed straight to the parser (no debugger
// needed). Frames, the stop reason's signal, threads, and a thread printed twice read once.
import { describe, expect, it } from 'vitest';
import { lldbParser } from '../../../src/parse/lldb.js';
import { analyze } from '../../../src/pipeline.js';
import { lines, parseOne, parseWith, where } from './feed.js';

const CORE = lines(
  '(lldb) target create "./null_deref" --core "null_deref.core"',
  "Core file './null_deref.core' (x86_64) was loaded.",
  '(lldb) bt all',
  "* thread #1, name = 'null_deref', stop reason = signal SIGSEGV: invalid address (fault address: 0x0)",
  '  * frame #0: 0x0000555555555145 null_deref`apply_config(cfg=0x0000000000000000) at null_deref.c:8:13',
  '    frame #1: 0x0000555555555189 null_deref`load_config(path="") at null_deref.c:14:3',
  '    frame #2: 0x000055555555519f null_deref`main at null_deref.c:18:3',
  '    frame #3: 0x00007ffff7dfb24a libc.so.6`__libc_start_call_main(main=(null_deref`main at null_deref.c:17:16), argc=1) at libc_start_call_main.h:58:16',
  "  thread #2, name = 'worker', stop reason = signal 0",
  '    frame #0: 0x00007ffff7e9a1bd libc.so.6`__futex_abstimed_wait_common + 125',
  '    frame #1: 0x00005555555551a0 null_deref`worker(arg=0x0) at null_deref.c:24:5',
);

describe('lldb parser', () => {
  it('reads a core session: program, signal, fault address, threads and frames', () => {
    const t = parseOne(lldbParser, CORE);
    expect(t.format).toBe('lldb');
    expect(t.program).toBe('./null_deref');
    expect(t.signal).toBe('SIGSEGV');
    expect(t.signalDescription).toBe('invalid address');
    expect(t.faultAddress).toBe('0x0');
    expect(t.threads.map((th) => [th.id, th.name])).toEqual([['1', 'null_deref'], ['2', 'worker']]);
    expect(where(t.threads[0]!.frames)).toEqual([
      ['apply_config', 'null_deref.c', 8],
      ['load_config', 'null_deref.c', 14],
      ['main', 'null_deref.c', 18],
      ['__libc_start_call_main', 'libc_start_call_main.h', 58],
    ]);
    expect(t.threads[0]!.frames[3]!.module).toBe('libc.so.6');
    expect(where(t.threads[1]!.frames)[0]).toEqual(['__futex_abstimed_wait_common', null, null]);
    expect(t.hints).toEqual([
      { threadId: '1', reason: 'stop-reason' },
      { threadId: '1', reason: 'selected-thread' },
    ]);
  });

  it('reads the stop banner and `bt all` printing the selected thread again as one thread', () => {
    const text = lines(
      'Process 4242 stopped',
      "* thread #1, name = 'app', stop reason = EXC_BAD_ACCESS (code=1, address=0x10)",
      '    frame #0: 0x0000000100003f64 app`crash(p=0x0000000000000000) at main.c:4:6',
      '(lldb) bt all',
      "* thread #1, name = 'app', stop reason = EXC_BAD_ACCESS (code=1, address=0x10)",
      '  * frame #0: 0x0000000100003f64 app`crash(p=0x0000000000000000) at main.c:4:6',
      '    frame #1: 0x0000000100003f90 app`main at main.c:9:3',
      "  thread #2, name = 'io'",
      '    frame #0: 0x00000001a0b2c3d4 libsystem_kernel.dylib`__psynch_cvwait + 8',
    );
    const t = parseOne(lldbParser, text);
    expect(t.signal).toBe('SIGSEGV');
    expect(t.faultAddress).toBe('0x10');
    expect(t.threads.map((th) => th.id)).toEqual(['1', '2']);
    // The later copy replaced the banner's one-frame stack.
    expect(where(t.threads[0]!.frames).map((w) => w[0])).toEqual(['crash', 'main']);
  });

  it('drops a headerless `bt` copy of the selected thread that `bt all` prints again', () => {
    const text = lines(
      '(lldb) bt',
      '  * frame #0: 0x0000555555555145 prog`crash at a.c:3:5',
      '    frame #1: 0x0000555555555189 prog`main at a.c:9:3',
      '(lldb) bt all',
      '* thread #1, name = \'prog\', stop reason = signal SIGABRT',
      '  * frame #0: 0x0000555555555145 prog`crash at a.c:3:5',
      '    frame #1: 0x0000555555555189 prog`main at a.c:9:3',
    );
    const t = parseOne(lldbParser, text);
    expect(t.threads.map((th) => th.id)).toEqual(['1']);
    expect(t.signal).toBe('SIGABRT');
  });

  it('splits frames restarting under the same thread line into another trace', () => {
    const text = lines(
      "* thread #1, name = 'a', stop reason = signal SIGSEGV",
      '  * frame #0: 0x0000000000401000 a`first at a.c:1:1',
      '    frame #1: 0x0000000000401100 a`main at a.c:9:1',
      '    frame #0: 0x0000000000402000 b`second at b.c:2:1',
      '    frame #1: 0x0000000000402100 b`main at b.c:9:1',
    );
    expect(parseWith(lldbParser, text).map((t) => t.threads[0]!.frames[0]!.functionName)).toEqual(['first', 'second']);
  });

  it('maps a Mach exception to its signal', () => {
    const text = lines(
      "* thread #1, queue = 'com.apple.main-thread', stop reason = EXC_BAD_INSTRUCTION (code=EXC_I386_INVOP, subcode=0x0)",
      '  * frame #0: 0x0000000100003f64 app`trap at main.c:4:6',
    );
    expect(parseOne(lldbParser, text).signal).toBe('SIGILL');
  });

  it('tolerates 25 foreign lines inside a session, not 26', () => {
    const head = ["* thread #1, name = 'a', stop reason = signal SIGSEGV", '  * frame #0: 0x0000000000401000 a`f at a.c:1:1'];
    const tail = ['    frame #1: 0x0000000000401100 a`main at a.c:9:1'];
    const junk = (n: number) => Array.from({ length: n }, (_, i) => `program output ${i}`);
    expect(parseOne(lldbParser, lines(...head, ...junk(25), ...tail)).threads[0]!.frames).toHaveLength(2);
    expect(parseWith(lldbParser, lines(...head, ...junk(26), ...tail))[0]!.threads[0]!.frames).toHaveLength(1);
  });

  it('signs a report through the pipeline with the selected thread as the crashing one', () => {
    const r = analyze(CORE, { rules: null }).reports[0]!;
    expect(r.crashKind).toBe('SIGSEGV');
    expect(r.crashedThread).toBe(0);
    expect(r.signatureFrames[0]).toBe('apply_config');
  });
});
