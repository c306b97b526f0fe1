// Crash reports of native code run by a foreign runtime, each with its own stack shape (class: the
// runtime, not a debugger, prints the stack): Wine's winedbg backtrace of a Windows program, MATLAB's
// "Stack Trace (from fault)" of a MEX file, a JavaScript engine's stack of a WebAssembly trap, NVIDIA
// compute-sanitizer's report of a CUDA kernel's bad access. Names are made up.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

describe("Wine's backtrace", () => {
  it('reads the page fault, frames with and without symbols, modules with blanks', () => {
    const r = analyze([
      'Unhandled exception: page fault on write access to 0x00000010 in 64-bit code (0x0000000140012a3c).',
      'Register dump:',
      ' rip:0000000140012a3c rsp:000000000011f9a0 rbp:0000000000000000 eflags:00010246 (  R- --  I  Z- -P- )',
      'Stack dump:',
      '0x0000000011f9a0:  0000000000000000 0000000140001000',
      'Backtrace:',
      '=>0 0x0000000140012a3c Level_Load+0x2c(lvl=0000000000000000) [D:\\game\\level.cpp:140] in my game (0x0000000000000000)',
      '  1 0x0000000140003c11 in my game (+0x3c11) (0x000000000011fa40)',
      '  2 0x000000007b62d1e8 in kernel32 (+0x2d1e8) (0x000000000011fa90)',
      '0x0000000140012a3c Level_Load+0x2c [D:\\game\\level.cpp:140] in my game: movl %eax,0x10(%rcx)',
      'Modules:',
    ].join('\n')).reports[0]!;
    expect([r.format, r.signal, r.faultAddress]).toEqual(['wine', 'SIGSEGV', '0x10']);
    expect(r.signatureFrames[0]).toBe('Level_Load');
    expect(r.threads[0]!.frames[1]!.module).toBe('my game');
    expect(r.diagnoses[0]!.category).toBe('null-deref');
  });
});

describe("MATLAB's crash report", () => {
  it('reads the MEX frames under the configuration block', () => {
    const r = analyze([
      '       Bus error detected at 2023-11-02 09:14:55 +0100',
      'Configuration:',
      '  MATLAB Version           : 9.14.0.2206163 (R2023a)',
      'Fault Count: 1',
      'Abnormal termination:',
      'Bus error',
      'Stack Trace (from fault):',
      '[  0] 0x00007f11aa1b2c3d /home/x/mex/readraw.mexa64+00011325 _Z8copy_rowPKhPhm+00000029',
      '[  1] 0x00007f11aa1b1a00 /home/x/mex/readraw.mexa64+00006656 mexFunction+00000512',
      '[  2] 0x00007f12c0836d4f /opt/MATLAB/R2023a/bin/glnxa64/libmex.so+00855375',
    ].join('\n')).reports[0]!;
    expect([r.format, r.signal]).toEqual(['matlab', 'SIGBUS']);
    expect(r.signatureFrames[0]).toBe('copy_row');
    expect(r.threads[0]!.frames[2]!.moduleOffset).toBe('0xd0d4f');
  });
});

describe('a WebAssembly trap', () => {
  it("reads V8's frames with and without names, then the JavaScript callers", () => {
    const r = analyze([
      'Uncaught RuntimeError: null function or function signature mismatch',
      '    at codec.wasm.dispatch_cb (wasm://wasm/codec.wasm-0a1b2c3d:wasm-function[77]:0x5d21)',
      '    at wasm://wasm/codec.wasm-0a1b2c3d:wasm-function[40]:0x3aa0',
      '    at Module._run (https://example.test/codec.js:812:20)',
    ].join('\n')).reports[0]!;
    expect([r.format, r.signal, r.faultAddress]).toEqual(['wasm', 'SIGSEGV', '0x0']);
    expect(r.signatureFrames[0]).toBe('dispatch_cb');
    expect(r.threads[0]!.frames[1]!.moduleOffset).toBe('0x3aa0');
  });
  it("the module's own libc (abort, __assert_fail) is skipped like any libc", () => {
    const r = analyze(['RuntimeError: unreachable', '    at app.wasm.abort (app.wasm:0x4f1a2)', '    at app.wasm.__assert_fail (app.wasm:0x4f0c8)', '    at app.wasm.mesh_weld (app.wasm:0x2a3b4)'].join('\n')).reports[0]!;
    expect([r.signal, r.signatureFrames[0]]).toEqual(['SIGABRT', 'mesh_weld']);
  });
  it("reads Firefox's and DevTools' frames", () => {
    const ff = analyze(['RuntimeError: unreachable executed', 'panic_abort@https://x.test/app.wasm:wasm-function[9]:0x1f2', 'parse_hdr@https://x.test/app.wasm:wasm-function[31]:0x88a'].join('\n')).reports[0]!;
    expect([ff.signal, ff.threads[0]!.frames.map((f) => f.function)]).toEqual(['SIGABRT', ['panic_abort', 'parse_hdr']]);
    const dt = analyze(['Uncaught RuntimeError: divide by zero', '$avg_bucket @ stats.wasm:0x1c0d2', '$collect @ stats.wasm:0x1b9e0'].join('\n')).reports[0]!;
    expect([dt.signal, dt.signatureFrames[0]]).toEqual(['SIGFPE', 'avg_bucket']);
  });
});

describe('compute-sanitizer', () => {
  it("blames the kernel, keeps the host frames, names the access's kind", () => {
    const r = analyze([
      '========= COMPUTE-SANITIZER',
      '========= Invalid __local__ write of size 8 bytes',
      '=========     at reduce_rows(const double *, double *, int)+0x1b0 in /w/kern/reduce.cu:33',
      '=========     by thread (5,0,0) in block (2,0,0)',
      '=========     Address 0xfffcd8 is out of bounds',
      '=========     Saved host backtrace up to driver entry point at kernel launch time',
      '=========         Host Frame: [0x2f41a2] in libcuda.so.1',
      '=========         Host Frame:run_reduce(double const*, double*, int) [0x1b2c] in /w/build/reduce',
      '=========',
      '========= ERROR SUMMARY: 1 error',
    ].join('\n')).reports[0]!;
    expect([r.format, r.crashKind]).toEqual(['compute-sanitizer', 'stack-buffer-overflow']);
    expect(r.signatureFrames[0]).toBe('reduce_rows');
    expect(r.threads[0]!.frames.at(-1)!.module).toBe('/w/build/reduce');
  });
  it("cuda-memcheck's older shape", () => {
    const r = analyze([
      '========= Invalid __global__ read of size 4',
      '=========     at 0x00000150 in /w/k.cu:12:scale(float*, int)',
      '=========     by thread (64,0,0) in block (0,0,0)',
      '=========     Host Frame:/w/build/app (launch + 0x1d) [0x1f3c]',
    ].join('\n')).reports[0]!;
    expect([r.crashKind, r.signatureFrames[0]]).toEqual(['heap-buffer-overflow', 'scale']);
  });
});
