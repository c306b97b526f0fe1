// The one small interface every input format implements. A parser recognizes the line that
// starts one of its traces, then consumes lines one at a time, so extraction streams with memory
// bounded by the trace being read, never by the file.

import type { Frame } from '../model.js';

/**
 * A frame as the parser read it: the fields of the model's `Frame` (src/model.ts owns them and their
 * meaning) that a parser fills in, without the names normalize/ derives from `rawFunction` and the
 * symbolizer's mark. A parser leaves a mangled name as printed (see normalize/demangle.ts).
 */
export interface ParsedFrame
  extends Pick<Frame, 'index' | 'address' | 'rawFunction' | 'module' | 'file' | 'line' | 'column' | 'inlined' | 'raw' | 'locals' | 'moduleOffset' | 'source'> {
  /** The bare function name when the format mixes argument values into it (lldb); normalization
   *  then starts from this instead of `rawFunction`. */
  functionName?: string;
  /** `rawFunction` is an Itanium-mangled name ("_ZN6ingest3runEi") as the tool printed it: the
   *  demangling service (normalize/demangle.ts) replaces it and clears the mark. */
  mangled?: boolean;
}

export interface ParsedThread {
  id: string;
  name: string | null;
  lwp: number | null;
  frames: ParsedFrame[];
  /** What this stack is when a report holds several for one thread (sanitizers): "access",
   *  "freed-by", "allocated-by", "previous-access", "mutex-created", "thread-created", ... */
  role?: string;
  /** Frames dropped beyond the per-thread cap (very deep recursion). */
  droppedFrames?: number;
}

/** How the parser learned which thread crashed, strongest first. */
export interface CrashedThreadHint {
  threadId: string;
  reason: 'core-signal' | 'current-thread' | 'received-signal' | 'selected-thread' | 'stop-reason';
}

export interface ParsedTrace {
  format: string;
  startLine: number;
  endLine: number;
  signal: string | null;
  signalDescription: string | null;
  faultAddress: string | null;
  program: string | null;
  threads: ParsedThread[];
  hints: CrashedThreadHint[];
  /** Lines inside the trace that were not frames or headers (program output, debugger chatter). */
  inside: { line: number; text: string }[];
  /** A crash kind the format itself states (a sanitizer verdict); null to derive it from the signal. */
  crashKind?: string | null;
  /** Threads read past MAX_THREADS_PER_TRACE and not kept (a debugger flooding thread headers). */
  droppedThreads?: number;
}

/**
 * What a block parser says about a line:
 * - take:  the line is part of the trace;
 * - maybe: not part of the trace, but the trace may go on after it (kept aside by the driver);
 * - end:   the trace is over; this line (and the pending maybes) belong to the surrounding text;
 * - split: this line starts a new trace of the same format (a second crash); close and restart.
 */
export type FeedResult = 'take' | 'maybe' | 'end' | 'split';

export interface BlockParser {
  feed(line: string, lineNo: number): FeedResult;
  /** The trace read so far, or null if it turned out not to be one (e.g. no frames). */
  finish(): ParsedTrace | null;
}

/** Per-input state of the parsers, keyed by names each parser prefixes with its own format. */
export type InputState = Map<string, unknown>;

export interface TraceParser {
  readonly format: string;
  /** What the parser looks for, in words a user recognizes ("no backtrace found; looked for ..."). */
  readonly label?: string;
  /**
   * Byte strings of which every starting line contains at least one, or has one within a few lines
   * (a Go panic's header, its frames' '+0x' below). Lets the reader skip whole chunks of a large
   * log without decoding them (keeping the context lines before the next marker); a parser without
   * markers disables that.
   */
  readonly markers?: readonly string[];
  /**
   * Strings of which every starting line itself contains at least one, in the form `startsTrace` is
   * given it (default: `markers`). The extractor asks a parser about a line only when the line holds
   * one of these (parse/line-prefilter.ts); a parser with neither is asked about every line.
   */
  readonly lineMarkers?: readonly string[];
  /** Cheap, exact test for a line that begins a trace of this format. */
  startsTrace(line: string): boolean;
  /**
   * A fresh block parser; the driver then feeds it the starting line. `input` is state the parser
   * may keep across the traces of one input (one file, one stream), never shared between inputs.
   */
  begin(input: InputState): BlockParser;
}

/** Frames kept per thread; deeper stacks (runaway recursion) keep the innermost ones and a count. */
export const MAX_FRAMES_PER_THREAD = 2000;

/**
 * Threads kept per trace (gdb's and lldb's thread lists): past it a thread is read but not kept,
 * unless the debugger named it the current or crashing one, and the report says how many went. A
 * debugger flooding distinct thread headers (400,000 in 64 MB) no longer holds ~1 KB per thread.
 */
export const MAX_THREADS_PER_TRACE = 10_000;
