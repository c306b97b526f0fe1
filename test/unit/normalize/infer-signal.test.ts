// The signal when the paste omits it, and what it was inferred from; never from nothing.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analyze.js';

const first = (text: string) => analyze(text, { rules: null }).reports[0]!;

describe('signal inference', () => {
  it('abort machinery on the crashing stack is SIGABRT', () => {
    const r = first('#0  __pthread_kill_implementation (no_tid=0, signo=6, threadid=<optimized out>) at ./nptl/pthread_kill.c:44\n#1  0x00007ffff7a4526e in __GI_raise (sig=sig@entry=6) at ../sysdeps/posix/raise.c:26\n#2  0x00007ffff7a288ff in __GI_abort () at ./stdlib/abort.c:79\n#3  0x0000555555555169 in check_config (c=0x5555555592a0) at cfg.c:31\n');
    expect(r.signal).toBe('SIGABRT');
    expect(r.signalInferredFrom).toMatch(/on the crashing stack/);
    expect(r.crashKind).toBe('SIGABRT');
    expect(r.signatureFrames[0]).toBe('check_config');
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
