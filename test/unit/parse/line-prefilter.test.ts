// The extractor asks a parser about a line only when the line holds one of its markers. Checked
// here: which parsers a line selects, and that reading every committed text with the prefilter
// gives the same traces as asking every parser about every line (parsers stripped of markers).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LinePrefilter } from '../../../src/parse/line-prefilter.js';
import { Extractor } from '../../../src/parse/extract.js';
import { PARSERS } from '../../../src/parse/registry.js';
import type { TraceParser } from '../../../src/parse/types.js';
import { forEachLineOfText } from '../../../src/source/lines.js';

const fake = (format: string, markers?: string[]): TraceParser => ({ format, markers, startsTrace: () => false, begin: () => ({ feed: () => 'end', finish: () => null }) });
const formats = (list: readonly TraceParser[]) => list.map((p) => p.format);

describe('LinePrefilter', () => {
  const a = fake('a', ['Thread ', '#0 ']);
  const b = fake('b', ['==ERROR: ']);
  const c = fake('c', ['Thread ']);
  const any = fake('any');
  const pf = new LinePrefilter([a, b, c]);

  it('selects no parser for a line without markers', () => {
    expect(pf.candidates('2025-01-02T03:04:05Z [INFO] worker handled request id=7')).toEqual([]);
    expect(pf.candidates('')).toEqual([]);
    expect(pf.candidates('T')).toEqual([]);
  });
  it('selects every parser that declared a marker the line holds, in list order, once', () => {
    expect(formats(pf.candidates('Thread 2 (LWP 7):'))).toEqual(['a', 'c']);
    expect(formats(pf.candidates('==12==ERROR: AddressSanitizer: SEGV  Thread 1'))).toEqual(['a', 'b', 'c']);
    expect(formats(pf.candidates('#0 0x1 in f () Thread Thread '))).toEqual(['a', 'c']);
  });
  it('finds a marker at the start and at the end of a line, and not a part of one', () => {
    expect(formats(pf.candidates('#0 '))).toEqual(['a']);
    expect(formats(pf.candidates('x #0 '))).toEqual(['a']);
    expect(pf.candidates('#0')).toEqual([]);
    expect(pf.candidates('Thread')).toEqual([]);
  });
  it('compares away characters that share a marker pair’s low bytes', () => {
    // U+2330 and U+2330's neighbours have the low bytes of '0' and ' ': looked up, then compared.
    expect(pf.candidates('#\u2330\u2320 not a frame')).toEqual([]);
  });
  it('asks a parser without markers (a library user’s own) about every line', () => {
    const withAny = new LinePrefilter([any, b]);
    expect(formats(withAny.candidates('plain text'))).toEqual(['any']);
    expect(formats(withAny.candidates('==1==ERROR: x'))).toEqual(['any', 'b']);
  });
  it('gives each call its own list (a trace started meanwhile does not change it)', () => {
    const first = pf.candidates('Thread 1');
    pf.candidates('==ERROR: ');
    expect(formats(first)).toEqual(['a', 'c']);
  });
});

const ROOT = join(__dirname, '..', '..', '..');
function texts(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? texts(path) : /\.(txt|log)$/.test(name) ? [path] : [];
  });
}

function traces(parsers: readonly TraceParser[], text: string) {
  const out: unknown[] = [];
  const x = new Extractor(parsers, (t) => out.push({ format: t.trace.format, start: t.trace.startLine, end: t.trace.endLine, threads: t.trace.threads.map((th) => th.frames.length), before: t.before.length, after: t.after.length }));
  forEachLineOfText(text, (line, n) => x.push(line, n));
  x.end();
  return out;
}

describe('the extractor with the prefilter', () => {
  // Without markers every parser is asked about every line: what the prefilter must not change.
  const unfiltered = PARSERS.map((p) => ({ ...p, markers: undefined, lineMarkers: undefined, startsTrace: p.startsTrace.bind(p), begin: p.begin.bind(p) }));
  const files = [join(ROOT, 'samples'), join(ROOT, 'test', 'pastes', 'cases')].flatMap(texts);
  it('reads the committed texts', () => expect(files.length).toBeGreaterThan(300));
  it('finds the same traces in every committed text as asking every parser', () => {
    const differ = files.filter((f) => {
      const text = readFileSync(f, 'utf8');
      return JSON.stringify(traces(PARSERS, text)) !== JSON.stringify(traces(unfiltered, text));
    });
    expect(differ.map((f) => f.slice(ROOT.length + 1))).toEqual([]);
  });
});
