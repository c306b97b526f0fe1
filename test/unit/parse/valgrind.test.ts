// The Valgrind parser beside its samples (golden reports): shapes of pasted reports.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

describe('a Valgrind stack pasted without its header', () => {
  it('is read as an error of unknown kind, its signal inferred from its frames', () => {
    const text = [
      "terminate called after throwing an instance of 'std::system_error'",
      '  what():  Resource deadlock avoided',
      '==5120==    at 0x568315B: raise (raise.c:51)',
      '==5120==    by 0x5662858: abort (abort.c:79)',
      '==5120==    by 0x537869B: __cxa_throw (in /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.28)',
      '==5120==    by 0x53A505F: std::thread::join() (in /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.28)',
      '==5120==    by 0x12B0DB: stop_worker(worker_t*) (worker.cc:133)',
      '==5120==    by 0x11F2A1: main (main.cc:40)',
    ].join('\n');
    const [r] = analyze(text, { rules: null }).reports;
    expect(r?.format).toBe('valgrind');
    expect(r?.crashKind).toBe('SIGABRT');
    expect(r?.signatureFrames[0]).toBe('stop_worker');
  });

  it('does not start at a "by" line (the middle of a stack) or at prose with an address', () => {
    expect(analyze('==5120==    by 0x12B0DB: stop_worker(worker_t*) (worker.cc:133)\n==5120==    by 0x11F2A1: main (main.cc:40)\n', { rules: null }).reports).toEqual([]);
    expect(analyze('==5120== at 0x12B0DB: see the notes\n', { rules: null }).reports).toEqual([]);
  });
});
