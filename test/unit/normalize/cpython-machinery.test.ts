// CPython's evaluation loop, call machinery and object deallocation are skipped like libc: the
// extension's function that called into them, or that called them, is the frame to blame.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

describe("CPython's machinery in a native stack", () => {
  it('blames the extension under a deallocation (debug info: CPython sources)', () => {
    const text = [
      'Program received signal SIGSEGV, Segmentation fault.',
      '#0  0x00005555556a1c3e in subtype_dealloc (self=0x7ffff6b2a0f0) at ../Objects/typeobject.c:1377',
      '#1  0x000055555568e2b0 in _Py_Dealloc (op=<optimized out>) at ../Objects/object.c:2390',
      '#2  list_dealloc (op=0x7ffff6b31a80) at ../Objects/listobject.c:357',
      '#3  0x00007ffff7a1c5d2 in enc_flush (self=0x7ffff6b8e2d0, args=<optimized out>) at src/enc.c:412',
      '#4  0x000055555567c9a8 in method_vectorcall_NOARGS (func=0x7ffff6b903b0) at ../Objects/descrobject.c:454',
      '#5  0x000055555564d2e4 in _PyEval_EvalFrameDefault (tstate=<optimized out>) at ../Python/bytecodes.c:2706',
    ].join('\n');
    const [r] = analyze(text).reports;
    expect(r!.signatureFrames).toEqual(['enc_flush']);
    expect(r!.diagnoses[0]!.ruleId).toBe('generic/python-object-freed');
  });

  it("keeps an extension's own *_dealloc (not CPython's sources)", () => {
    const text = [
      'Program received signal SIGSEGV, Segmentation fault.',
      '#0  0x00007ffff7a1c5d2 in Grid_dealloc (self=0x7ffff6b8e2d0) at src/grid.c:88',
      '#1  0x000055555568e2b0 in _Py_Dealloc (op=<optimized out>) at ../Objects/object.c:2390',
      '#2  0x000055555564d2e4 in _PyEval_EvalFrameDefault (tstate=<optimized out>) at ../Python/bytecodes.c:2706',
    ].join('\n');
    const [r] = analyze(text).reports;
    expect(r!.signatureFrames).toEqual(['Grid_dealloc']);
    expect(r!.diagnoses[0]!.ruleId).not.toBe('generic/python-object-freed');
  });
});
