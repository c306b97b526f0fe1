// The parsers' markers are their promise to the reader: a stretch of a log holding none of them
// (nor a fatal notice's) is skipped undecoded (source/lines.ts, source/marker-search.ts) but for
// the extractor's context lines before the next marker (40 by default), and what follows a marker
// is read. So every line a parser starts a trace on must hold a marker, or have one within a few
// lines (a coloured gdb frame, '#0 ' above). Held here over every line of every committed text, each also
// with its log prefixes taken off as the extractor does, and over frame shapes a marker once missed.
// The extractor holds the parsers to more (parse/line-prefilter.ts): a parser is asked about a line
// only when the line holds one of its own markers, so each start line, in the form the parser was
// given (cleaned, without the log prefix it starts without), must hold one of that parser's markers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanLine } from '../../../src/source/clean.js';
import { logPrefixSplits } from '../../../src/parse/log-prefix.js';
import { PARSERS } from '../../../src/parse/registry.js';
import { NOTICE_MARKERS } from '../../../src/parse/notice.js';

/** How far from a trace's first line a marker may be (well inside the 40 context lines). */
const WITHIN = 10;
const MARKERS = [...PARSERS.flatMap((p) => p.markers ?? []), ...NOTICE_MARKERS];

const ROOT = join(__dirname, '..', '..', '..');
function texts(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...texts(path));
    else if (/\.(txt|log)$/.test(name)) out.push(path);
  }
  return out;
}
const FILES = [join(ROOT, 'samples'), join(ROOT, 'test', 'pastes', 'cases'), join(ROOT, 'rules')].flatMap(texts);

/** Lines a marker was once missing from (each parser must either not start on it or hold a marker). */
const SHAPES = [
  'base::debug::StackTrace::StackTrace() [0x13d6753]',
  './prog(_Z3foov+0x1d) [0x55d0c0a011d9]',
  // libbacktrace's header with fewer dashes than the marker "----- Backtrace -----".
  '--- Backtrace ---',
];

function violations(lines: readonly string[], where = ''): string[] {
  const out: string[] = [];
  lines.forEach((raw, i) => {
    const clean = cleanLine(raw);
    const forms = [clean, ...logPrefixSplits(clean).map((s) => s.rest)];
    const starts = PARSERS.filter((p) => forms.some((text) => p.startsTrace(text)));
    if (starts.length === 0) return;
    const marked = lines.slice(Math.max(0, i - WITHIN), i + WITHIN + 1).some((l) => MARKERS.some((m) => l.includes(m)));
    if (!marked) out.push(`${where}:${i + 1} ${starts.map((p) => p.format).join(',')}: ${JSON.stringify(raw)}`);
  });
  return out;
}

/** Start lines without a marker of the parser that starts on them, in the form it was given. */
function ownMarkerMissing(lines: readonly string[], where = ''): string[] {
  const out: string[] = [];
  lines.forEach((raw, i) => {
    const clean = cleanLine(raw);
    const forms = [clean, clean.trimStart(), ...logPrefixSplits(clean).map((s) => s.rest)];
    for (const p of PARSERS) {
      const form = forms.find((text) => p.startsTrace(text));
      if (form !== undefined && !(p.lineMarkers ?? p.markers ?? []).some((m) => form.includes(m))) out.push(`${where}:${i + 1} ${p.format}: ${JSON.stringify(raw)}`);
    }
  });
  return out;
}

describe("parsers' markers", () => {
  it("are in every committed start line, the starting parser's own, in the form it was given", () => {
    const found = FILES.flatMap((f) => ownMarkerMissing(readFileSync(f, 'utf8').split(/\r?\n/), f.slice(ROOT.length + 1)));
    expect(found).toEqual([]);
  });
  it("are in start lines whose only marker was once a later line's (Go's headers, macOS' 'Triggered by Thread:', backward-cpp's frame after '|')", () => {
    const shapes = ['fatal error: all goroutines are asleep - deadlock!', 'panic: runtime error: index out of range [5] with length 3', 'SIGSEGV: segmentation violation', 'Triggered by Thread:  3', '#3  | Source "src/a.cpp", line 97, in f()'];
    for (const s of shapes) expect(PARSERS.some((p) => p.startsTrace(s)), s).toBe(true);
    expect(ownMarkerMissing(shapes)).toEqual([]);
  });
  it('reads committed texts', () => expect(FILES.length).toBeGreaterThan(200));
  it('are in every committed line a parser starts a trace on', () => {
    const found = FILES.flatMap((f) => violations(readFileSync(f, 'utf8').split(/\r?\n/), f.slice(ROOT.length + 1)));
    expect(found).toEqual([]);
  });
  it('are in the frame shapes a marker once missed', () => {
    expect(PARSERS.some((p) => SHAPES.some((s) => p.startsTrace(s)))).toBe(true);
    for (const shape of SHAPES) expect(violations([shape])).toEqual([]);
  });
});
