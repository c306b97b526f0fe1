// The parsers' markers are their promise to the reader: a stretch of a log holding none of them
// (nor a fatal notice's) is skipped undecoded (source/lines.ts, source/marker-search.ts) but for
// the extractor's context lines before the next marker (40 by default), and what follows a marker
// is read. So every line a parser starts a trace on must hold a marker, or have one within a few
// lines (a Go panic's header, its frames' '+0x' below; a coloured gdb frame, '#0 ' above). Held here over every line of every committed text, each also
// with its log prefixes taken off as the extractor does, and over frame shapes a marker once missed.
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

describe("parsers' markers", () => {
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
