// Feeds a text straight to one parser through the extractor (no normalization, no rules): what the
// parser itself read, trace by trace. Shared by the per-format tests of this folder.
import { Extractor } from '../../../src/parse/extract.js';
import type { ParsedFrame, ParsedTrace, TraceParser } from '../../../src/parse/types.js';

/** The traces `parser` reads from `text` (lines numbered from 1). */
export function parseWith(parser: TraceParser, text: string): ParsedTrace[] {
  const traces: ParsedTrace[] = [];
  const extractor = new Extractor([parser], (t) => traces.push(t.trace));
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop(); // the newline that ends the last line starts none
  all.forEach((line, i) => extractor.push(line, i + 1));
  extractor.end();
  return traces;
}

/** The one trace `parser` reads from `text`; fails the test when there is not exactly one. */
export function parseOne(parser: TraceParser, text: string): ParsedTrace {
  const traces = parseWith(parser, text);
  if (traces.length !== 1) throw new Error(`expected one trace, read ${traces.length}`);
  return traces[0]!;
}

/** function, file and line of each frame: what a reader of the stack needs. */
export function where(frames: readonly ParsedFrame[]): [string, string | null, number | null][] {
  return frames.map((f) => [f.functionName ?? f.rawFunction, f.file, f.line]);
}

/** Lines with a common indentation removed, joined (test texts written inside the test). */
export function lines(...text: string[]): string {
  return text.join('\n') + '\n';
}

/**
 * Asserts that analyzing `input(n)` costs CPU time linear in n (class: a regex or step quadratic in a
 * line's length): 40,000 at most 4x 10,000 plus 200 ms, and 200,000 under 2 s. Each size is the best
 * of two runs, after a warm-up.
 */
export function expectLinearInLength(analyzeText: (text: string) => unknown, input: (n: number) => string): void {
  const cpu = (n: number) => {
    let ms = Infinity;
    for (let i = 0; i < 2; i++) {
      const start = process.cpuUsage();
      analyzeText(input(n));
      const used = process.cpuUsage(start);
      ms = Math.min(ms, (used.user + used.system) / 1000);
    }
    return ms;
  };
  cpu(2_000); // warm-up
  const small = cpu(10_000);
  const large = cpu(40_000);
  if (!(large < 4 * small + 200)) throw new Error(`not linear: ${small.toFixed(0)} ms for 10,000 vs ${large.toFixed(0)} ms for 40,000`);
  const huge = cpu(200_000);
  if (!(huge < 2_000)) throw new Error(`200,000 took ${huge.toFixed(0)} ms (limit 2,000)`);
}
