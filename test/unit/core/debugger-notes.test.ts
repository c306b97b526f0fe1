// The debugger's output is kept as the buffers it was read in (never joined into one string): its
// notes and first line are read across buffer boundaries, a line cut between two reads included.
import { describe, expect, it } from 'vitest';
import { debuggerNotes, firstOutputLine, outputLines, type DebuggerRun } from '../../../src/core/debugger.js';

/** The text cut into reads of `size` bytes (a pipe hands over whatever is there). */
const reads = (text: string, size: number): Buffer[] => {
  const all = Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.subarray(i, i + size));
  return out;
};
const run = (output: Buffer[]): DebuggerRun => ({ debugger: 'gdb', command: 'gdb', output, exitCode: 0, signal: null, timedOut: false, error: null });

const OUTPUT = [
  '',
  '   ',
  'warning: core file may not match specified executable file.',
  'warning: Could not load shared library symbols for 2 libraries, e.g. /lib/libfoo.so.1.',
  '(No debugging symbols found in ./prog)',
  '#0  0x0000555555555169 in main () at a.c:3',
  '../../gdb/dwarf2/read.c:1234: internal-error: unexpected DIE ü',
  '',
].join('\n');

describe("the debugger's output as read", () => {
  it('gives the same notes however it was cut into reads (a line, a UTF-8 character split between two)', () => {
    const whole = debuggerNotes(run([Buffer.from(OUTPUT)]));
    expect(whole).toHaveLength(4);
    expect(whole.join('\n')).toMatch(/core may not match the executable/);
    expect(whole.join('\n')).toMatch(/could not load 2 shared libraries \(e\.g\. \/lib\/libfoo\.so\.1\)/);
    expect(whole.join('\n')).toMatch(/\.\/prog has no debug symbols/);
    expect(whole.join('\n')).toMatch(/internal error: \.\.\/\.\.\/gdb\/dwarf2\/read\.c:1234: internal-error: unexpected DIE ü$/);
    for (const size of [1, 2, 3, 7, 64]) expect(debuggerNotes(run(reads(OUTPUT, size))), `reads of ${size}`).toEqual(whole);
  });

  it('is handed out as runs of whole lines, nothing lost or doubled', () => {
    for (const size of [1, 5, 13, 1000]) {
      const runs = [...outputLines(reads(OUTPUT, size))];
      expect(runs.join('\n'), `reads of ${size}`).toBe(OUTPUT.slice(0, -1));
    }
  });

  it("names its first line that holds something, or none", () => {
    expect(firstOutputLine(reads(OUTPUT, 4))).toBe('warning: core file may not match specified executable file.');
    expect(firstOutputLine(reads('\n  \n\t\n', 2))).toBeNull();
    expect(firstOutputLine([])).toBeNull();
  });
});
