// withVisibleControls copies only what holds a control character: a report of 100,000s of threads
// (a debugger flooding thread headers) is not doubled in memory to be shown as text (issue 16).
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { withVisibleControls } from '../../../src/render/escape.js';

const trace = (name: string) =>
  `Program terminated with signal SIGSEGV, Segmentation fault.\n\nThread 2 (Thread 0x7f02 (LWP 12)):\n#0  0x00007f0000001000 in wait_${name} () at w.c:3\n\nThread 1 (Thread 0x7f01 (LWP 11)):\n#0  0x00007f0000002000 in crash (p=0x0) at c.c:5\n`;

describe('withVisibleControls', () => {
  it('hands back the very objects when no string holds a control character', () => {
    const report = analyze(trace('plain'), { rules: null }).reports[0]!;
    expect(withVisibleControls(report)).toBe(report);
  });
  it('copies only the path to a string it changes, the rest shared', () => {
    const report = analyze(trace('b\x01ad'), { rules: null }).reports[0]!;
    const shown = withVisibleControls(report);
    expect(shown).not.toBe(report);
    expect(shown.threads[0]!.frames[0]!.function).toBe('wait_b\\x01ad');
    expect(report.threads[0]!.frames[0]!.function).toBe('wait_b\x01ad');
    expect(shown.threads[1]).toBe(report.threads[1]);
    expect(shown.diagnoses).toBe(report.diagnoses);
    expect(shown.signature).toBe(report.signature);
  });
  it('keeps line feeds in diagnosis prose only, as before', () => {
    expect(withVisibleControls({ summary: 'a\nb', text: 'a\nb', list: ['x\ty', 'x\u0007'] })).toEqual({ summary: 'a\nb', text: 'a\\x0ab', list: ['x\ty', 'x\\x07'] });
  });
});
