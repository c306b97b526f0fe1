// Which empty lines of an input are a double-spacing's (dropped) and which are its own (kept).
import { describe, expect, it } from 'vitest';
import { DoubleSpacing } from '../../../src/parse/double-spacing.js';

/** The lines a fresh DoubleSpacing lets through, fed as the extractor feeds it. */
function kept(lines: string[]): string[] {
  const spacing = new DoubleSpacing();
  const out: string[] = [];
  const feed = (text: string, line: number) => void (spacing.drops(text, line) || out.push(text));
  lines.forEach((text, i) => {
    if (spacing.opening === null) return feed(text, i + 1);
    if (spacing.hold(text, i + 1)) return;
    for (const l of spacing.release()) feed(l.text, l.line);
  });
  for (const l of spacing.release()) feed(l.text, l.line);
  return out;
}

describe('DoubleSpacing', () => {
  it('drops the empty line after each line of an input that alternates from its start', () => {
    expect(kept(['a', '', 'b', '', 'c', '', 'd', '', 'e'])).toEqual(['a', 'b', 'c', 'd', 'e']);
    // Empty lines before its first line aside; three in a row are one of its own.
    expect(kept(['', '', 'a', '', 'b', '', 'c', '', '', '', 'd', '', 'e'])).toEqual(['', 'a', 'b', 'c', '', 'd', 'e']);
  });
  it('keeps every line of an ordinary input, and lets its opening go at its second line', () => {
    const spacing = new DoubleSpacing();
    expect(spacing.hold('a', 1)).toBe(true);
    expect(spacing.holding()).toBe(true);
    expect(spacing.hold('b', 2)).toBe(false);
    expect(kept(['a', 'b', '', 'c', 'd', '', '', 'e'])).toEqual(['a', 'b', '', 'c', 'd', '', '', 'e']);
  });
  it('starts dropping where 2 lines in a row came after one empty line each, and stops where two lines meet', () => {
    expect(kept(['x', 'y', '', 'a', '', 'b', '', 'c', 'd', '', 'e'])).toEqual(['x', 'y', '', 'a', '', 'b', 'c', 'd', '', 'e']);
  });
  it('forgets the spacing across lines the reader skipped (a gap in the line numbers)', () => {
    const spacing = new DoubleSpacing();
    spacing.release();
    for (const [text, line] of [['a', 1], ['', 2], ['b', 3], ['', 4], ['c', 5]] as const) spacing.drops(text, line);
    expect(spacing.drops('', 6)).toBe(true);
    expect(spacing.drops('d', 40)).toBe(false);
    expect(spacing.drops('', 41)).toBe(false);
  });
});
