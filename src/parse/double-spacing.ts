// A paste double-spaced on its way here (a page's or a mail client's copy that puts an empty line
// after each line): its single empty lines are dropped, so a trace's frames are together again (most
// formats end a stack at an empty line); of a run of them, every other one goes (n empty lines of the
// paste's own became 2n + 1).
// An input is double-spaced from its start when its first 6 lines alternate (a line, an empty line,
// ...; empty lines before its first line aside), or from the point where 2 lines in a row each came
// after exactly one empty line; two lines together end it, and so does a gap in the line numbers
// (lines the reader skipped). The extractor asks before it reads a line (parse/extract.ts).

/** One input's spacing: the opening lines held until they tell, then which empty lines to drop. */
export class DoubleSpacing {
  /** The input's first lines, held until they say whether it is double-spaced from its start (null once they did). */
  opening: { text: string; line: number }[] | null = [];
  private on = false;
  private last = 0;
  /** Lines in a row that each came after exactly one empty line. */
  private spaced = 0;
  private blanks = 0;

  /**
   * Holds one of the input's first lines; true while they may still be double-spaced from the start.
   * The first line that breaks the alternation (two lines together, two empty lines after the first
   * line) ends the wait at once, so an ordinary input's lines are held for two lines at most (the
   * reader does not skip lines while they are held: isIdle).
   */
  hold(text: string, line: number): boolean {
    const lines = this.opening!;
    lines.push({ text, line });
    const blank = isBlank(text);
    if (this.first < 0) {
      if (!blank) this.first = lines.length - 1;
      // Empty lines before the paste's first line do not count (at most 20 are held).
      return lines.length < 20;
    }
    const k = lines.length - 1 - this.first;
    if (blank !== (k % 2 === 1)) return false;
    if (k + 1 < OPENING_LINES) return true;
    this.on = true;
    return false;
  }

  /** Whether lines are held now (the reader must not skip the lines after them). */
  holding(): boolean {
    return this.opening !== null && this.opening.length > 0;
  }

  /** Index of the first non-empty line held, or -1. */
  private first = -1;

  /** The held lines, handed back once: after this, lines are not held. */
  release(): { text: string; line: number }[] {
    const lines = this.opening ?? [];
    this.opening = null;
    return lines;
  }

  drops(text: string, line: number): boolean {
    if (line !== this.last + 1 && this.last > 0) (this.on = false), (this.spaced = 0), (this.blanks = 0);
    this.last = line;
    if (!isBlank(text)) {
      if (this.blanks === 0 && this.last > 1) this.on = false;
      this.spaced = this.blanks === 1 ? this.spaced + 1 : 0;
      if (this.spaced >= MIN_SPACED_LINES) this.on = true;
      this.blanks = 0;
      return false;
    }
    // Double-spaced, n empty lines of the paste's own are 2n + 1 in a row: every other one goes.
    this.blanks++;
    return this.on && this.blanks % 2 === 1;
  }
}
export const OPENING_LINES = 6;
const MIN_SPACED_LINES = 2;
const isBlank = (text: string) => text.length === 0 || text.trim() === '';

