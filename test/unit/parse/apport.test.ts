// apport's report fields (parse/apport.ts): StacktraceTop's frames, the signal of "Signal:", the
// address SegvAnalysis found unmapped.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

describe('apport parser', () => {
  it('reads StacktraceTop with the Signal and SegvAnalysis fields above it', () => {
    const [r] = analyze(`ProblemType: Crash
SegvAnalysis:
 Segfault happened at: 0x7f3a91c2e8d4 <gth_list_next+20>:\tmov    0x8(%rdi),%rax
 PC (0x7f3a91c2e8d4) ok
 source "0x8(%rdi)" (0x00000008) not located in a known VMA region (needed readable region)!
SegvReason: reading NULL VMA
Signal: 11
SourcePackage: gthumbnail
StacktraceTop:
 gth_list_next (list=0x0) at ../src/gth-list.c:88
 gth_browser_select_next () from /usr/lib/x86_64-linux-gnu/gthumbnail/libgth.so
 ?? ()
Title: gthumbnail crashed with SIGSEGV in gth_list_next()
`).reports;
    expect([r!.format, r!.signal, r!.faultAddress]).toEqual(['apport', 'SIGSEGV', '0x8']);
    expect(r!.threads[0]!.frames.map((f) => [f.function, f.file, f.module])).toEqual([
      ['gth_list_next', '../src/gth-list.c', null], ['gth_browser_select_next', null, '/usr/lib/x86_64-linux-gnu/gthumbnail/libgth.so'], ['??', null, null],
    ]);
    expect(r!.diagnoses[0]?.category).toBe('null-deref');
  });

  it('a Signal field alone is no trace', () => {
    expect(analyze('Signal: 11\nSourcePackage: x\n').reports.filter((r) => r.format === 'apport')).toEqual([]);
  });
});
