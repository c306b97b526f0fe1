// PyTorch's c10::Error backtrace (class: "frame #N: f + 0x.. (0x.. in lib.so)" after "Exception
// raised from ..."): read as a stack, c10's own error-raising frames skipped as machinery.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const LIB = '/venv/lib/python3.10/site-packages/torch/lib';
const trace = [
  "terminate called after throwing an instance of 'c10::Error'",
  '  what():  CUDA error: an illegal memory access was encountered',
  'Exception raised from c10_cuda_check_implementation at ../c10/cuda/CUDAException.cpp:44 (most recent call first):',
  `frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x57 (0x7f8c4a2e1617 in ${LIB}/libc10.so)`,
  `frame #1: c10::cuda::c10_cuda_check_implementation(int, char const*, char const*, int, bool) + 0x118 (0x7f8c4a3a29f8 in ${LIB}/libc10_cuda.so)`,
  'frame #2: ops::scatter(at::Tensor const&) + 0x2a1 (0x7f8b91c0a2a1 in /venv/ops/_C.so)',
  'frame #3: <unknown function> + 0x4a1b2 (0x7f8b91c2a1b2 in /venv/ops/_C.so)',
  'frame #4: /venv/bin/python() [0x4fc697]',
  '',
  'Aborted (core dumped)',
].join('\n');

describe("PyTorch's c10::Error backtrace", () => {
  it('reads the frames and blames the code whose check failed', () => {
    const r = analyze(trace).reports[0]!;
    expect(r.format).toBe('pytorch');
    expect(r.threads[0]!.frames).toHaveLength(5);
    expect(r.threads[0]!.frames[2]!.module).toBe('/venv/ops/_C.so');
    expect(r.signatureFrames[0]).toBe('ops::scatter');
    expect(r.diagnoses[0]?.category).toBe('uncaught-exception');
  });

  it("lldb's frames and prose are not it", () => {
    const lldb = analyze(['* thread #1, stop reason = signal SIGSEGV', '  * frame #0: 0x0000000100003a1c app`f(p=0x0) at a.c:3', '    frame #1: 0x0000000100003b40 app`main at a.c:9'].join('\n')).reports;
    expect(lldb[0]?.format).toBe('lldb');
    expect(analyze('Exception raised from the loader, see the log (most recent call first): nothing else').reports).toEqual([]);
  });
});
