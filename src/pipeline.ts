// The analyze pipeline for one input: lines -> traces -> reports. Streams; holds one trace at a time.

import type { Readable } from 'node:stream';
import { forEachLine, forEachLineOfText, openFile } from './source/lines.js';
import { sniffStream } from './source/stream.js';
import { CoredxInputError } from './errors.js';
import type { AnalyzeResult, Report } from './model.js';
import { SCHEMA_VERSION } from './model.js';
import { buildReport } from './normalize/build-report.js';
import { SIGNATURE_VERSION } from './normalize/signature.js';
import { preferSanitizerReports } from './normalize/order-reports.js';
import { Extractor, type ExtractOptions } from './parse/extract.js';
import { PARSERS } from './parse/registry.js';
import { NOTICE_MARKERS } from './parse/notice.js';
import type { TraceParser } from './parse/types.js';
import { builtinRules } from './rules/load.js';
import type { RuleSet } from './rules/engine.js';
import { analyzeCore, type CoreOptions } from './core/analyze-core.js';
import { ModuleMapCollector, symbolizeReports, type SymbolizeOptions } from './symbolize/index.js';

export interface AnalyzeOptions extends ExtractOptions {
  /** Name reported as `source.path` (default "<stdin>" for streams and texts). */
  path?: string;
  /** Formats to look for (default: all registered parsers). */
  parsers?: readonly TraceParser[];
  /** Rules that diagnose each report (default: the bundled packs; null: none, diagnoses stay empty). */
  rules?: RuleSet | null;
  /** How ELF core files are analyzed (executable, sysroot, debugger, timeout). */
  core?: Omit<CoreOptions, 'rules'>;
  /** Symbolize text traces' unnamed frames with the installed symbolizer (analyzeStream and analyzeFile only; see symbolize/). */
  symbolize?: SymbolizeOptions;
}

function collector(options: AnalyzeOptions) {
  const reports: Report[] = [];
  const path = options.path ?? '<stdin>';
  const rules = options.rules === undefined ? builtinRules() : options.rules;
  const extractor = new Extractor(
    options.parsers ?? PARSERS,
    (t) => {
      const report = buildReport(t, path);
      if (rules) report.diagnoses = rules.diagnose(report);
      reports.push(report);
    },
    options,
  );
  const result = (): AnalyzeResult => {
    // A sanitizer's report of a death a crash handler printed a stack for just before comes first.
    preferSanitizerReports(reports, rules ? (r) => (r.diagnoses = rules.diagnose(r)) : undefined);
    return { schemaVersion: SCHEMA_VERSION, signatureVersion: SIGNATURE_VERSION, reports };
  };
  return { extractor, result };
}

/** Analyzes an in-memory text (a pasted backtrace or a whole log). Never throws on any text. */
export function analyze(input: string | Buffer, options: AnalyzeOptions = {}): AnalyzeResult {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const { extractor, result } = collector(options);
  forEachLineOfText(text, (line, n) => extractor.push(line, n));
  extractor.end();
  return result();
}

/** Analyzes a stream of text (stdin, a pipe, file chunks) without holding it in memory. */
export async function analyzeStream(stream: Readable | AsyncIterable<Buffer>, options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const { extractor, result } = collector(options);
  const parsers = options.parsers ?? PARSERS;
  // Symbolizing reads module maps anywhere in the input: no line is skipped then.
  const maps = options.symbolize ? new ModuleMapCollector() : null;
  const markers = maps ? null : markersOf(parsers);
  const cut: number[] = [];
  await forEachLine(stream, {
    push: maps ? (line, n) => (maps.push(line, n), extractor.push(line, n)) : (line, n) => extractor.push(line, n),
    longLine: (n) => cut.push(n),
    ...(markers ? { skip: { markers, keepTail: extractor.contextLines, canSkip: () => extractor.isIdle() } } : {}),
  });
  extractor.end();
  const analyzed = result();
  if (maps) {
    const rules = options.rules === undefined ? builtinRules() : options.rules;
    await symbolizeReports(analyzed.reports, options.symbolize!, maps.all, rules ? (r) => (r.diagnoses = rules.diagnose(r)) : undefined);
  }
  return withCutWarnings(analyzed, cut);
}

/** Each report holding a line longer than MAX_LINE_LENGTH says so (the line was cut, and marked). */
function withCutWarnings(result: AnalyzeResult, cut: number[]): AnalyzeResult {
  if (cut.length === 0) return result;
  for (const r of result.reports) {
    const inside = cut.filter((n) => n >= r.source.line && n <= r.source.endLine);
    if (inside.length) (r.warnings ??= []).push(`line${inside.length > 1 ? 's' : ''} ${inside.slice(0, 3).join(', ')}${inside.length > 3 ? ', ...' : ''} longer than 64 KB: cut to its first 60 KB and last 4 KB (the cut is marked "\u2026{N bytes cut}\u2026")`);
  }
  return result;
}

/**
 * Analyzes a file: text, gzip-compressed text, or an ELF core (read natively, then with gdb/lldb
 * when available; see core/). Rejects with CoredxInputError for other binary data or a corrupt
 * core; with the system error when unreadable.
 */
export async function analyzeFile(path: string, options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const file = openFile(path);
  const named = { ...options, path: options.path ?? path };
  if (file.kind === 'text') return analyzeStream(file.chunks(), named);
  if (file.kind === 'gzip') {
    // What the archive holds decides, as for a plain file; a broken archive names the file.
    try {
      const inner = await sniffStream(file.chunks());
      const kind = inner.kind;
      if (kind !== 'text') await inner.cancel();
      if (kind === 'elf-core') throw new CoredxInputError('core-file', `${path}: a gzip-compressed core file; decompress it (gunzip) and analyze the core, which is read in place`);
      if (kind !== 'text') throw new CoredxInputError('binary', `${path}: binary data (gzip), not a text log or backtrace`);
      return await analyzeStream(inner.chunks, named);
    } catch (err) {
      if (err instanceof CoredxInputError || !(err instanceof Error) || !('code' in err) || !String(err.code).startsWith('Z_')) throw err;
      throw new CoredxInputError('unreadable', `${path}: corrupt gzip data: ${err.message}`);
    }
  }
  file.close();
  // Cores are read in place (headers and notes at their offsets, then by the debugger): a pipe has no places.
  if (file.kind === 'elf-core' && !file.regular) throw new CoredxInputError('core-file', `${path}: a core file through a pipe; pass the core file itself by its path`);
  if (file.kind === 'elf-core') return analyzeCore(path, { ...options.core, ...(options.rules !== undefined ? { rules: options.rules } : {}) });
  if (file.kind === 'elf') throw new CoredxInputError('binary', `${path}: an ELF executable or library, not a core file or a log (analyze its core: coredx analyze core.N --exe ${path})`);
  throw new CoredxInputError('binary', `${path}: binary data, not a text log or backtrace`);
}

const markerCache = new WeakMap<readonly TraceParser[], Buffer[] | null>();

/** The raw-byte markers the reader skips by (null when some parser has none), once per parser list. */
function markersOf(parsers: readonly TraceParser[]): Buffer[] | null {
  let markers = markerCache.get(parsers);
  if (markers === undefined) {
    markers = parsers.every((p) => p.markers) ? minimalMarkers([...parsers.flatMap((p) => p.markers!), ...NOTICE_MARKERS]).map((m) => Buffer.from(m)) : null;
    markerCache.set(parsers, markers);
  }
  return markers;
}

/** Each raw-byte search costs a pass over the data: drop duplicates and markers containing another. */
export function minimalMarkers(markers: readonly string[]): string[] {
  const unique = [...new Set(markers)];
  return unique.filter((m) => !unique.some((o) => o !== m && m.includes(o)));
}
