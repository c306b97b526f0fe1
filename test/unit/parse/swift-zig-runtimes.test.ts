// Two runtimes' own crash reports of programs that mix their language with C (class: the runtime's
// handler prints the stack in its own frame shape): Swift 5.9+'s backtracer on Linux ("*** Program
// crashed: ... ***", per-thread stacks, "[ra]" marks) and Zig's panic and segfault handlers
// ("file.zig:12:5: 0x... in f (app)", source and caret lines between frames). Names are made up.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

describe("Swift's backtracer", () => {
  it('blames the crashed thread, reads marks, modules and locations', () => {
    const r = analyze([
      '*** Program crashed: Bad pointer dereference at 0x0000000000000000 ***',
      'Thread 0:',
      '0  0x00007f86059fccce <unknown> in libc.so.6',
      'Thread 2 "worker" crashed:',
      '0      0x000055d1cfc75746 Cache.evict(key:) + 37 in srv at /src/Sources/Cache.swift:12:5',
      '1 [ra] [inlined] 0x000055d1cfc75700 Cache.put(_:) in srv at /src/Sources/Cache.swift:30:9',
      'Registers:',
      'rax 0x0000000000000000  0',
    ].join('\n')).reports[0]!;
    expect([r.format, r.signal, r.faultAddress]).toEqual(['swift-backtrace', 'SIGSEGV', '0x0']);
    expect(r.signatureFrames[0]).toBe('Cache.evict');
    expect(r.threads.find((t) => t.id === '2')!.frames[1]!.inlined).toBe(true);
    expect(r.diagnoses[0]!.category).toBe('null-deref');
  });
});

describe("Zig's handlers", () => {
  it("a segfault in C linked by Zig: the C frames, source and caret lines skipped", () => {
    const r = analyze([
      'Segmentation fault at address 0x18',
      '/src/vendor/z.c:88:9: 0x10a4c2e in inflate_block (app)',
      '    s->window[s->pos] = b;',
      '        ^',
      '/src/main.zig:17:21: 0x1050a9c in main (app)',
    ].join('\n')).reports[0]!;
    expect([r.format, r.signal, r.faultAddress, r.signatureFrames[0]]).toEqual(['zig', 'SIGSEGV', '0x18', 'inflate_block']);
    expect(r.threads[0]!.frames[0]!.line).toBe(88);
  });
  it("a panic: std's assert (named with or without its namespace) is not blamed", () => {
    for (const name of ['assert', 'std.debug.assert']) {
      const r = analyze([
        'thread 77 panic: reached unreachable code',
        `/usr/lib/zig/std/debug.zig:412:14: 0x103b2a9 in ${name} (t)`,
        '    if (!ok) unreachable; // assertion failure',
        '             ^',
        '/src/q.zig:9:15: 0x104a1c0 in enqueue (t)',
      ].join('\n')).reports[0]!;
      expect([r.signal, r.signatureFrames[0]]).toEqual(['SIGABRT', 'enqueue']);
    }
  });
});
