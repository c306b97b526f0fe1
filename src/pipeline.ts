// The analyze pipeline, one for every input: source -> parse -> normalize -> diagnose. What an input
// is, is source/open.ts's to say (text, a core, or a rejection); text is streamed (one trace held at
// a time); a core comes from core/read-core.ts as the debugger's text (parsed here like any text)
// plus the core's own facts, which complete the parsed report. Reports are diagnosed (and explained
// when asked) once, at the end, whatever they came from.

import type { Readable } from 'node:stream';
import { forEachLine, forEachLineOfText } from './source/lines.js';
import { openInput, type InputSource, type OpenedInput, type OpenOptions } from './source/open.js';
import type { AnalyzeResult, Report } from './model.js';
import { SCHEMA_VERSION } from './model.js';
import { buildReport } from './normalize/build-report.js';
import { SIGNATURE_VERSION } from './normalize/signature.js';
import { preferDebuggerReports, preferSanitizerReports } from './normalize/order-reports.js';
import { Extractor, type ExtractedTrace, type ExtractOptions } from './parse/extract.js';
import { demangleTraces, demangleTracesSync } from './normalize/demangle.js';
import { gdbParser } from './parse/gdb.js';
import { lldbParser } from './parse/lldb.js';
import { PARSERS } from './parse/registry.js';
import { NOTICE_MARKERS } from './parse/notice.js';
import type { TraceParser } from './parse/types.js';
import { builtinRules } from './rules/load.js';
import type { RuleSet } from './rules/engine.js';
import { readCore, type CoreOptions } from './core/read-core.js';
import { ModuleMapCollector, symbolizeReports, type SymbolizeOptions } from './symbolize/index.js';

export type { CoreOptions } from './core/read-core.js';

export interface AnalyzeOptions extends ExtractOptions {
  /** Name reported as `source.path` (default "<stdin>" for streams and texts). */
  path?: string;
  /** Formats to look for (default: all registered parsers). */
  parsers?: readonly TraceParser[];
  /** Rules that diagnose each report (default: the bundled packs; null: none, diagnoses stay empty). */
  rules?: RuleSet | null;
  /**
   * Adds `explain` to each report: the rules that fired or came closest, and which of their
   * conditions held. `true`: up to 5 rules (more when more fired); a number: up to that many.
   * Nothing without rules.
   */
  explain?: boolean | number;
  /** How ELF core files are analyzed (executable, sysroot, debugger, timeout). */
  core?: CoreOptions;
  /** Symbolize text traces' unnamed frames with the installed symbolizer (analyzeStream and analyzeFile only; see symbolize/). */
  symbolize?: SymbolizeOptions;
  /**
   * Streams the reports of a text input: each is handed over, final (diagnosed, in order), as soon as
   * the lines after it are read, and not kept: the result's `reports` stays empty, so memory holds
   * one report at a time whatever the log holds. Not with `symbolize` (which needs the whole input
   * first) nor for cores (one report, returned as usual).
   */
  onReport?: (report: Report) => void;
}

const rulesOf = (options: AnalyzeOptions) => (options.rules === undefined ? builtinRules() : options.rules);

/** The last stage, once per report whatever it came from: diagnoses, and the explanation when asked. */
function diagnosed(reports: Report[], options: AnalyzeOptions): AnalyzeResult {
  const diagnose = diagnoser(options);
  for (const r of reports) diagnose(r);
  // Asked for one at a time (onReport): handed over here too (a core, a symbolized stream).
  if (options.onReport) {
    for (const r of reports) options.onReport(r);
    return { schemaVersion: SCHEMA_VERSION, signatureVersion: SIGNATURE_VERSION, reports: [] };
  }
  return { schemaVersion: SCHEMA_VERSION, signatureVersion: SIGNATURE_VERSION, reports };
}

function diagnoser(options: AnalyzeOptions): (report: Report) => void {
  const rules = rulesOf(options);
  const limit = options.explain === true ? 5 : typeof options.explain === 'number' ? options.explain : 0;
  return (r) => {
    if (!rules) return;
    r.diagnoses = rules.diagnose(r);
    if (limit > 0) r.explain = rules.explain(r, limit);
  };
}

/**
 * Hands reports over as they become final: each waits for the next, since a sanitizer's report
 * right after a handler's dump of the same death goes first (preferSanitizerReports' rule, applied
 * pair by pair as it is to a whole list).
 */
function reportStream(finish: (report: Report) => void, emit: (report: Report) => void) {
  let held: Report | null = null;
  return {
    push(report: Report): void {
      if (held === null) {
        held = report;
        return;
      }
      const pair = [held, report];
      preferSanitizerReports(pair);
      if (pair[0] === held) preferDebuggerReports(pair);
      held = null;
      if (pair[0] !== report) {
        finish(pair[0]!);
        emit(pair[0]!);
        held = report;
        return;
      }
      for (const r of pair) {
        finish(r);
        emit(r);
      }
    },
    end(): void {
      if (held === null) return;
      finish(held);
      emit(held);
      held = null;
    },
  };
}

/**
 * Parse and normalize: lines in, reports (undiagnosed) out. Names a parser left mangled (marked
 * frames) are demangled before a report is built from them: at once ('sync', for the synchronous
 * entry points) or in one batch per input when the lines are done ('batch': one c++filt for all).
 */
function collector(parsers: readonly TraceParser[], path: string, options: ExtractOptions, demangle: 'sync' | 'batch' = 'sync') {
  const reports: Report[] = [];
  const pending: ExtractedTrace[] = [];
  const onTrace = demangle === 'sync' ? (t: ExtractedTrace) => (demangleTracesSync([t.trace]), reports.push(buildReport(t, path))) : (t: ExtractedTrace) => pending.push(t);
  const extractor = new Extractor(parsers, onTrace, options);
  const flush = async (): Promise<void> => {
    await demangleTraces(pending.map((t) => t.trace));
    for (const t of pending.splice(0)) reports.push(buildReport(t, path));
  };
  const result = (): Report[] => {
    // A sanitizer's report of a death a crash handler printed a stack for just before comes first.
    preferSanitizerReports(reports);
    // A debugger's stack of a death a runtime stated just before without frames comes first.
    preferDebuggerReports(reports);
    return reports;
  };
  return { extractor, flush, result };
}

/** Analyzes an in-memory text (a pasted backtrace or a whole log). Never throws on any text. */
export function analyze(input: string | Buffer, options: AnalyzeOptions = {}): AnalyzeResult {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  return diagnosed(parseText(text, options.parsers ?? PARSERS, options.path ?? '<stdin>', options), options);
}

function parseText(text: string, parsers: readonly TraceParser[], path: string, options: ExtractOptions): Report[] {
  const { extractor, result } = collector(parsers, path, options);
  forEachLineOfText(text, (line, n) => extractor.push(line, n));
  extractor.end();
  return result();
}

/** Analyzes a stream of text (stdin, a pipe, file chunks) without holding it in memory. */
export async function analyzeStream(stream: Readable | AsyncIterable<Buffer>, options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const parsers = options.parsers ?? PARSERS;
  if (options.onReport && !options.symbolize) return streamReports(stream, parsers, options, options.onReport);
  const { extractor, flush, result } = collector(parsers, options.path ?? '<stdin>', options, 'batch');
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
  await flush();
  const reports = result();
  if (maps) await symbolizeReports(reports, options.symbolize!, maps.all);
  return diagnosed(withCutWarnings(reports, cut), options);
}

/** analyzeStream handing each report over as soon as it is final (AnalyzeOptions.onReport). */
async function streamReports(stream: Readable | AsyncIterable<Buffer>, parsers: readonly TraceParser[], options: AnalyzeOptions, onReport: (report: Report) => void): Promise<AnalyzeResult> {
  const path = options.path ?? '<stdin>';
  const cut: number[] = [];
  const diagnose = diagnoser(options);
  const out = reportStream((r) => (withCutWarnings([r], cut), diagnose(r)), onReport);
  // Names a parser left mangled are demangled trace by trace (one c++filt per trace that has any).
  const extractor = new Extractor(parsers, (t) => (demangleTracesSync([t.trace]), out.push(buildReport(t, path))), options);
  const markers = markersOf(parsers);
  await forEachLine(stream, {
    push: (line, n) => extractor.push(line, n),
    longLine: (n) => cut.push(n),
    ...(markers ? { skip: { markers, keepTail: extractor.contextLines, canSkip: () => extractor.isIdle() } } : {}),
  });
  extractor.end();
  out.end();
  return { schemaVersion: SCHEMA_VERSION, signatureVersion: SIGNATURE_VERSION, reports: [] };
}

/** Each report holding a line longer than MAX_LINE_LENGTH says so (the line was cut, and marked). */
function withCutWarnings(reports: Report[], cut: number[]): Report[] {
  if (cut.length === 0) return reports;
  for (const r of reports) {
    const inside = cut.filter((n) => n >= r.source.line && n <= r.source.endLine);
    if (inside.length) (r.warnings ??= []).push(`line${inside.length > 1 ? 's' : ''} ${inside.slice(0, 3).join(', ')}${inside.length > 3 ? ', ...' : ''} longer than 64 KB: cut to its first 60 KB and last 4 KB (the cut is marked "\u2026{N bytes cut}\u2026")`);
  }
  return reports;
}

/**
 * Analyzes a file: text, gzip-compressed text, or an ELF core (read natively, then with gdb/lldb
 * when available; see core/). Rejects with CoredxInputError for what is neither (binary data, an
 * executable, a compressed core: source/open.ts says which) or a corrupt core; with the system
 * error when unreadable.
 */
export async function analyzeFile(path: string, options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  return analyzeInput(await openInput(path), options);
}

/**
 * Analyzes any input (a path, stdin or another stream, bytes) as analyzeFile does a file: judged by
 * its first bytes first (see source/open.ts), `open.name` naming it in a rejection.
 */
export async function analyzeSource(source: InputSource, options: AnalyzeOptions = {}, open: OpenOptions = {}): Promise<AnalyzeResult> {
  return analyzeInput(await openInput(source, open), options);
}

/** Analyzes an opened input: text through the stream pipeline, a core through analyzeCore. */
export async function analyzeInput(input: OpenedInput, options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  if (input.kind === 'core') return analyzeCore(input.path, { ...options.core, ...options });
  return analyzeStream(input.chunks, { ...options, path: options.path ?? input.path ?? '<stdin>' });
}

/**
 * Analyzes an ELF core file: core/'s reading (the native facts, the debugger's output), the
 * debugger's output parsed and normalized like any text, completed with the core's facts,
 * diagnosed. Resolves to one report; rejects with CoredxInputError when the file is not a core
 * coredx can read, with the system error when it cannot be opened.
 */
export async function analyzeCore(path: string, options: CoreOptions & AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const reading = await readCore(path, options);
  const text = reading.text;
  const parsed = text ? (await parseChunks(text.output, [text.debugger === 'gdb' ? gdbParser : lldbParser], path))[0] : undefined;
  return diagnosed([reading.complete(parsed)], options);
}

/**
 * Parses text held as the buffers it was read in (a debugger's output), line by line as a stream;
 * each buffer is let go once read (a flooding debugger's 64 MB are not held to the end).
 */
async function parseChunks(chunks: Buffer[], parsers: readonly TraceParser[], path: string): Promise<Report[]> {
  const { extractor, result } = collector(parsers, path, {});
  await forEachLine(asStream(chunks), { push: (line, n) => extractor.push(line, n) });
  extractor.end();
  return result();
}

async function* asStream(chunks: Buffer[]): AsyncGenerator<Buffer> {
  while (chunks.length > 0) yield chunks.shift()!;
}

const markerCache = new WeakMap<readonly TraceParser[], Buffer[] | null>();

/** The raw-byte markers the reader skips by (null when some parser has none), once per parser list. */
export function markersOf(parsers: readonly TraceParser[]): Buffer[] | null {
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
