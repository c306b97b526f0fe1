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

  it.each([
    ['Aborted', 'SIGABRT'], ['Bus error', 'SIGBUS'], ['Floating point exception', 'SIGFPE'], ['Illegal instruction', 'SIGILL'],
  ])('maps "Fatal Python error: %s" to %s, and reads a bare "Stack" dump', (words, signal) => {
    const [r] = reportsOf(`Fatal Python error: ${words}\n\nStack (most recent call first):\n  File "/src/a.py", line 3 in f\n  File "/src/a.py", line 9 in <module>\n`);
    expect([r!.signal, r!.threads[0]!.frames[0]!.function]).toEqual([signal, 'f']);
  });

  it('finds nothing in a Python traceback, which is not a crash dump', () => {
    expect(reportsOf('Traceback (most recent call last):\n  File "/src/a.py", line 3, in f\n    x = 1/0\nZeroDivisionError: division by zero\n')).toEqual([]);
  });
});
