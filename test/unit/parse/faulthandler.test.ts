// Python faulthandler dumps (parse/faulthandler.ts): the fatal line (also after pytest's dots), the
// current thread as the crashed one, every thread's Python frames, the extension modules.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { samplePath } from '../../support/samples.js';

const reportsOf = (t: string) => analyze(t, { rules: null }).reports;

describe('faulthandler parser', () => {
  it('reads a dump printed under pytest: signal, current thread, frames, the extension modules', () => {
    const [r, ...more] = reportsOf(readFileSync(samplePath('python-faulthandler-segv.txt'), 'utf8'));
    expect(more).toEqual([]);
    expect([r!.format, r!.signal, r!.signalDescription]).toEqual(['python-faulthandler', 'SIGSEGV', 'Segmentation fault']);
    expect(r!.threads.map((t) => [t.id, t.frames.length])).toEqual([['0x00007f2a9cbfe640', 2], ['0x00007f2aa3f4b740', 4]]);
    const t = r!.threads[r!.crashedThread!]!;
    expect(t.id).toBe('0x00007f2aa3f4b740');
    expect(t.frames[0]).toMatchObject({ function: 'resample', file: '/home/dev/audiokit/audiokit/resample.py', line: 41 });
    // pytest's and pluggy's frames are harness: the signature names the code under test.
    expect(r!.signatureText).toBe('SIGSEGV | resample | test_downsample_empty');
    expect(r!.context.some((c) => c.text.startsWith('Extension modules: numpy'))).toBe(true);
  });

  // Windows: the interpreter's exception handler names the exception (faulthandler.c), no signal.
  it.each([
    ['access violation', 'SIGSEGV', 'EXCEPTION_ACCESS_VIOLATION', 'SIGSEGV'],
    ['stack overflow', 'SIGSEGV', 'EXCEPTION_STACK_OVERFLOW', 'stack-overflow'],
    ['int divide by zero', 'SIGFPE', 'EXCEPTION_INT_DIVIDE_BY_ZERO', 'SIGFPE'],
    ['code 0xc0000374', 'SIGABRT', 'STATUS_HEAP_CORRUPTION', 'heap-corruption'],
  ])('reads "Windows fatal exception: %s" as %s (%s)', (words, signal, name, kind) => {
    const [r] = reportsOf(`opening device 2...\nWindows fatal exception: ${words}\n\nCurrent thread 0x00002b9c (most recent call first):\n  File "C:\\app\\drv.py", line 14 in read_block\n  File "C:\\app\\run.py", line 3 in <module>\n`);
    expect([r!.format, r!.signal, r!.signalDescription, r!.crashKind]).toEqual(['python-faulthandler', signal, name, kind]);
    expect(r!.signatureFrames).toEqual(['read_block']);
  });

  it.each([
    ['Aborted', 'SIGABRT'], ['Bus error', 'SIGBUS'], ['Floating point exception', 'SIGFPE'], ['Illegal instruction', 'SIGILL'],
  ])('maps "Fatal Python error: %s" to %s, and reads a bare "Stack" dump', (words, signal) => {
    const [r] = reportsOf(`Fatal Python error: ${words}\n\nStack (most recent call first):\n  File "/src/a.py", line 3 in f\n  File "/src/a.py", line 9 in <module>\n`);
    expect([r!.signal, r!.threads[0]!.frames[0]!.function]).toEqual([signal, 'f']);
  });

  it('finds nothing in a Python traceback, which is not a crash dump', () => {
    expect(reportsOf('Traceback (most recent call last):\n  File "/src/a.py", line 3, in f\n    x = 1/0\nZeroDivisionError: division by zero\n')).toEqual([]);
  });

  // Python 3.14's C stack of the current thread: its frames go above the Python ones, down to where
  // the interpreter called the extension; the handler's frames and the trampoline are skipped.
  const cStack = (extension: string) => `Fatal Python error: Segmentation fault

Current thread 0x00007f21b35fe740 [python3] (most recent call first):
  File "/srv/app/geo/mesh.py", line 212 in simplify
  File "/srv/app/main.py", line 17 in <module>

Current thread's C stack trace (most recent call first):
  Binary file "/usr/local/bin/python3.14", at _Py_DumpStack+0x4c [0x55f0c1a3b47c]
  Binary file "/usr/local/bin/python3.14", at +0x2f1cbd [0x55f0c1a47cbd]
  Binary file "/lib/x86_64-linux-gnu/libc.so.6", at +0x45330 [0x7f21b3245330]
${extension}  Binary file "/usr/local/bin/python3.14", at _PyEval_EvalFrameDefault+0x8d1 [0x55f0c18a1c31]
  Binary file "/usr/local/bin/python3.14", at PyEval_EvalCode+0xb2 [0x55f0c1954a12]
  <truncated rest of calls>
`;
  it("reads Python 3.14's C stack above the Python frames, without the interpreter's", () => {
    const [r] = reportsOf(cStack('  Binary file "/srv/app/geo/_mesh.cpython-314-x86_64-linux-gnu.so", at gk_edge_collapse+0x5a [0x7f21b0c1e2fa]\n'));
    expect(r!.threads[r!.crashedThread!]!.frames.map((f) => f.function)).toEqual(['_Py_DumpStack', '??', '??', 'gk_edge_collapse', 'simplify', '<module>']);
    expect(r!.signatureText).toBe('SIGSEGV | gk_edge_collapse | simplify');
  });

  it('keeps blaming the Python frame when the C stack names no extension function', () => {
    const [r] = reportsOf(cStack('  Binary file "/srv/app/geo/_mesh.cpython-314-x86_64-linux-gnu.so", at +0xcdf6 [0x77b7315dddf6]\n'));
    expect(r!.signatureFrames[0]).toBe('simplify');
  });

  it('reads a thread without Python frames, and demangles a C++ extension symbol of the C stack', () => {
    const [r, ...more] = reportsOf(`Fatal Python error: Segmentation fault

Thread 0x0000ffff7d5ff1a0 [worker] (most recent call first):
  <no Python frame>

Current thread 0x0000ffff8d3c6020 [python] (most recent call first):
  File "/srv/ops.py", line 77 in scatter_add

Current thread's C stack trace (most recent call first):
  Binary file "/usr/lib/libpython3.14.so.1.0", at _Py_DumpStack+0x40 [0xffff8d12a4b0]
  Binary file "linux-vdso.so.1", at __kernel_rt_sigreturn+0x0 [0xffff8d3e0850]
  Binary file "/srv/_C.cpython-314-aarch64-linux-gnu.so", at _ZN2sk6kernel3addEPKfPf+0x64 [0xffff7f2a1c24]
  Binary file "/usr/lib/libpython3.14.so.1.0", at _PyObject_MakeTpCall+0x90 [0xffff8cf1a9d0]
`);
    expect(more).toEqual([]);
    expect(r!.signal).toBe('SIGSEGV');
    expect(r!.signatureFrames[0]).toBe('sk::kernel::add');
  });
});
