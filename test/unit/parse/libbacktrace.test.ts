// libbacktrace's two-line frames, as GCC (internal compiler errors) and gdb (its own fatal signal) print them.
import { describe, expect, it } from 'vitest';
import { libbacktraceParser } from '../../../src/parse/libbacktrace.js';
import { analyze } from '../../../src/pipeline.js';
import { lines, parseOne, where } from './feed.js';

const ICE = lines(
  '/home/dev/k/blend.cc: In function \'void kern::blend_rows(float*, const float*, int)\':',
  '/home/dev/k/blend.cc:88:6: internal compiler error: Segmentation fault',
  '   88 | void blend_rows(float *dst, const float *src, int n)',
  '      |      ^~~~~~~~~~',
  '0x7f8b1e1a6ef9 crash_signal',
  '\t../../src/gcc/toplev.cc:314',
  '0x1a7c2b3 vect_analyze_data_ref_accesses(vec_info*, vec<int, va_heap, vl_ptr>*)',
  '\t../../src/gcc/tree-vect-data-refs.cc:3315',
  '0x1ab0f14 vect_analyze_loop_2',
  '\t../../src/gcc/tree-vect-loop.cc:2745',
  'Please submit a full bug report, with preprocessed source (by using -freport-bug).',
);

describe('libbacktrace parser', () => {
  it("reads GCC's internal compiler error: the signal, frames with their locations, past the source snippet", () => {
    const t = parseOne(libbacktraceParser, ICE);
    expect([t.format, t.signal]).toEqual(['libbacktrace', 'SIGSEGV']);
    expect(where(t.threads[0]!.frames)).toEqual([
      ['crash_signal', '../../src/gcc/toplev.cc', 314],
      ['vect_analyze_data_ref_accesses(vec_info*, vec<int, va_heap, vl_ptr>*)', '../../src/gcc/tree-vect-data-refs.cc', 3315],
      ['vect_analyze_loop_2', '../../src/gcc/tree-vect-loop.cc', 2745],
    ]);
  });

  it("blames the compiler's frame below its signal handler", () => {
    expect(analyze(ICE).reports[0]!.signatureFrames[0]).toBe('vect_analyze_data_ref_accesses');
  });

  it("reads gdb's own fatal-signal dump: mangled names marked, '???' unnamed, the handler's frames skipped", () => {
    const text = lines(
      'free(): invalid pointer',
      '',
      'Fatal signal: Aborted',
      '----- Backtrace -----',
      '0x55b0c1e2a6e7 gdb_internal_backtrace_1',
      '\t/home/dev/gdb/bt-utils.c:122',
      '0x55b0c1e2a6e7 _Z22gdb_internal_backtracev',
      '\t/home/dev/gdb/bt-utils.c:168',
      '0x55b0c1f2406f handle_fatal_signal',
      '\t/home/dev/gdb/event-top.c:904',
      '0x7f5e8fa4251f ???',
      '0x7f5e8fa969fc __pthread_kill_implementation',
      '\t./nptl/pthread_kill.c:44',
      '0x7f5e8fa287f2 __GI_abort',
      '\t./stdlib/abort.c:79',
      '0x55b0c1f6c603 _Z17heap_command_implPc',
      '\t/home/dev/gdb/heap.c:278',
      '---------------------',
      'A fatal error internal to GDB has been detected, further',
    );
    const t = parseOne(libbacktraceParser, text);
    expect(t.signal).toBe('SIGABRT');
    expect(t.threads[0]!.frames.map((f) => [f.rawFunction, f.mangled ?? false])).toEqual([
      ['gdb_internal_backtrace_1', false], ['_Z22gdb_internal_backtracev', true], ['handle_fatal_signal', false], ['??', false],
      ['__pthread_kill_implementation', false], ['__GI_abort', false], ['_Z17heap_command_implPc', true],
    ]);
    const r = analyze(text).reports[0]!;
    expect(r.signatureFrames[0]).toBe('heap_command_impl');
    expect(r.diagnoses[0]?.category).toBe('heap-corruption');
  });

  it('"0x... name" lines without a header are no trace of this format', () => {
    expect(analyze('0x1a7c2b3 foo\n0x1ab0f14 bar\n').reports.filter((r) => r.format === 'libbacktrace')).toEqual([]);
  });
});
