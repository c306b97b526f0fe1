// Frame text that once lost frames (issue 16): a U+2028 inside an argument, '#' inside a function
// name, and an unbalanced quote in a string argument must not drop or swallow frames.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const frames = (lines: string[]) => analyze(['Program received signal SIGSEGV, Segmentation fault.', ...lines].join('\n'), { rules: null }).reports[0]!.threads[0]!.frames.map((f) => f.function);

describe('frame text', () => {
  it('a U+2028 or U+2029 inside an argument keeps the frame', () => {
    expect(frames(['#0  0x0000555555555169 in parse (s=0x5555 "abc\u2028def\u2029") at a.c:3', '#1  0x0000555555555170 in run () at a.c:9'])).toEqual(['parse', 'run']);
  });
  it('a U+2028 or U+2029 inside the function name or the source path keeps the frame and its location', () => {
    const r = analyze(['Program received signal SIGSEGV, Segmentation fault.', '#0  0x0000555555555169 in parse\u2028header (s=1) at src/pa\u2029rse.c:3', '#1  0x0000555555555170 in run () at a.c:9'].join('\n'), { rules: null }).reports[0]!;
    expect(r.threads[0]!.frames.map((f) => [f.function, f.file, f.line])).toEqual([['parse\u2028header', 'src/pa\u2029rse.c', 3], ['run', 'a.c', 9]]);
    expect(r.unreadableFrames ?? []).toEqual([]);
  });
  it('a U+2028 inside an lldb frame keeps the frame', () => {
    const text = ["* thread #1, name = 'prog', stop reason = signal SIGSEGV: invalid address (fault address: 0x0)", '  * frame #0: 0x0000555555555139 prog`par\u2028se(p=0x0) at main.c:3:10', '    frame #1: 0x0000555555555150 prog`main at main.c:9:3'].join('\n');
    const r = analyze(text, { rules: null }).reports[0]!;
    expect(r.threads[0]!.frames.map((f) => f.function)).toEqual(['par\u2028se', 'main']);
    expect(r.unreadableFrames ?? []).toEqual([]);
  });
  it("a '#' inside a function name keeps the frame", () => {
    expect(frames(['#0  0x0000555555555169 in handler#1234 (x=1) at a.c:3', '#1  0x0000555555555170 in run () at a.c:9'])).toEqual(['handler#1234', 'run']);
  });
  it('an unbalanced quote in a string argument does not swallow the next frames', () => {
    expect(frames(['#0  0x0000555555555169 in parse (s=0x5555 "abc\\"de) at a.c:3', '#1  0x0000555555555170 in run () at a.c:9', '#2  0x0000555555555180 in main () at a.c:14'])).toEqual(['parse', 'run', 'main']);
  });
  it('an unbalanced quote in a string argument keeps the frame\'s location', () => {
    const r = analyze(['Program received signal SIGSEGV, Segmentation fault.', '#0  0x0000555555555169 in parse (s=0x5555 "abc\\"de, n=3) at a.c:3', '#1  0x0000555555555170 in load (q=0x1 "x) at l.c:7', "#2  0x0000555555555175 in step (c=39 '\\'', d=0x1 \"ok\") at s.c:4", '#3  0x0000555555555180 in main () at a.c:14'].join('\n'), { rules: null }).reports[0]!;
    expect(r.threads[0]!.frames.map((f) => [f.function, f.file, f.line])).toEqual([['parse', 'a.c', 3], ['load', 'l.c', 7], ['step', 's.c', 4], ['main', 'a.c', 14]]);
  });
});
