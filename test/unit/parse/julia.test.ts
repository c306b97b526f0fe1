// Julia's fatal signal report (class: a runtime embedding native code prints its own mixed stack):
// "name at file:line" frames, libraries without line info as modules, inlined calls marked, the
// dispatch machinery below them skipped. Written in Julia's shape; names are made up.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

describe("Julia's signal report", () => {
  it('blames the ccall-ed library and reads the Julia frames under it', () => {
    const r = analyze([
      '[4410] signal (11.1): Segmentation fault',
      'in expression starting at /home/u/solve.jl:9',
      'lp_solve_step at /opt/lib/liblpcore.so (unknown line)',
      'step! at /home/u/.julia/packages/LPCore/a1/src/api.jl:31 [inlined]',
      'solve at /home/u/.julia/packages/LPCore/a1/src/solve.jl:12',
      'unknown function (ip: 0x7f1a2c0b31f2)',
      'ijl_apply_generic at /cache/build/src/gf.c:3076',
      'Allocations: 1532145 (Pool: 1531012; Big: 1133); GC: 2',
    ].join('\n')).reports[0]!;
    expect([r.format, r.signal]).toEqual(['julia', 'SIGSEGV']);
    expect(r.signatureFrames).toEqual(['lp_solve_step', 'step!', 'solve']);
    expect(r.threads[0]!.frames[0]!.module).toBe('/opt/lib/liblpcore.so');
    expect(r.threads[0]!.frames[1]!.inlined).toBe(true);
  });
  it('an older header, an abort', () => {
    const r = analyze(['signal (6): Aborted', 'in expression starting at none:0', 'abort at /lib/x86_64-linux-gnu/libc.so.6 (unknown line)', 'kv_put at /opt/lib/libkv.so (unknown line)'].join('\n')).reports[0]!;
    expect([r.signal, r.signatureFrames[0]]).toEqual(['SIGABRT', 'kv_put']);
  });
  it('prose about a signal is no report', () => {
    expect(analyze('We handle the signal (11): see the docs at /docs/signals.md:4 for more').reports).toEqual([]);
  });
});
