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
