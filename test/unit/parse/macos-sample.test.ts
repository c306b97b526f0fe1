// macOS' sample call graph (parse/macos-sample.ts): each thread's heaviest path, innermost first; the
// header fields it shares with a crash report start no crash report.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const sample = `Analysis of sampling pump (pid 901) every 1 millisecond
Process:         pump [901]
OS Version:      macOS 14.6 (23G80)
----

Call graph:
    900 Thread_71   DispatchQueue_1: com.apple.main-thread  (serial)
    + 900 start  (in dyld) + 2840  [0x18a0f3154]
    +   900 main  (in pump) + 312  [0x100a4c7f8]  main.cpp:58
    +     880 pm::Queue::pop()  (in pump) + 96  [0x100a5a1e0]  queue.cpp:20
    +     ! 880 __psynch_cvwait  (in libsystem_kernel.dylib) + 8  [0x18a3f5b8c]
    +     20 pm::Queue::idle()  (in pump) + 8  [0x100a5a2e0]
    900 Thread_72
    + 900 thread_start  (in libsystem_pthread.dylib) + 8  [0x18a42ee28]
    +   900 ???  (in pump)  load address 0x100a48000 + 0x1b14  [0x100a49b14]
    +     900 0x100a49c20
`;

describe('macos-sample parser', () => {
  it("reads each thread's heaviest path, innermost first, not a lighter sibling", () => {
    const [r, ...more] = analyze(sample, { rules: null }).reports;
    expect(more).toEqual([]);
    expect([r!.format, r!.signal]).toEqual(['macos-sample', null]);
    expect(r!.threads.map((t) => [t.id, t.name])).toEqual([['Thread_71', 'DispatchQueue_1: com.apple.main-thread  (serial)'], ['Thread_72', null]]);
    expect(r!.threads[0]!.frames.map((f) => [f.function, f.module, f.file, f.line])).toEqual([
      ['__psynch_cvwait', 'libsystem_kernel.dylib', null, null], ['pm::Queue::pop', 'pump', 'queue.cpp', 20],
      ['main', 'pump', 'main.cpp', 58], ['start', 'dyld', null, null],
    ]);
    expect(r!.threads[1]!.frames.map((f) => [f.function, f.address])).toEqual([['??', '0x100a49c20'], ['??', '0x100a49b14'], ['thread_start', '0x18a42ee28']]);
  });
});
