// Finds traces in a stream of cleaned lines: the one place that knows the lines around a trace
// (context for rules) and hands the trace's own lines to the parser that claimed them.
// Memory: a small ring of recent lines, the trace being read, and nothing else.

import { signalFromContext } from './context-signal.js';
import { fatalNotice, NOTICE_MARKERS, type FatalNotice } from './notice.js';
import { LinePrefilter, linePrefilter } from './line-prefilter.js';
import { DoubleSpacing } from './double-spacing.js';
import { logPrefixSplits, mayHavePrefix, shapeOf, shapeSplits, stripLogPrefix, stripShape, type PrefixKind } from './log-prefix.js';
import type { BlockParser, InputState, ParsedTrace, TraceParser } from './types.js';

/**
 * Whether a line may be a fatal notice: it holds a notice's marker (notice.ts), as every notice but
 * glog's "F0812 ..." line does (its first character is tested instead). One pass over the line for
 * all markers, as for the parsers' (test/unit/parse/notice.test.ts holds notices to it).
 */
const NOTICE_LINES = new LinePrefilter([{ markers: NOTICE_MARKERS }]);
const mayBeNotice = (text: string) => text.charCodeAt(0) === 70 /* F */ || NOTICE_LINES.candidates(text).length > 0;

/** Fatal notices remembered per input while it has shown no trace (see notice.ts). */
const MAX_NOTICES = 8;

export interface ExtractOptions {
  /** Lines kept before a trace as context. */
  contextBefore?: number;
  /** Lines kept after a trace as context. */
  contextAfter?: number;
}

export interface ExtractedTrace {
  trace: ParsedTrace;
  before: { line: number; text: string }[];
  after: { line: number; text: string }[];
  /**
   * Lines that left the context window since the previous trace and may say why the program died
   * (V8 prints its JS stack and heap key between its "abort: CSA_ASSERT failed" and the sanitizer's
   * report of the abort), nearest last; at most MAX_EARLIER.
   */
  earlier?: { line: number; text: string }[];
}

/** Words of a message a program dies with: a cheap filter for the lines kept in `earlier`. */
/**
 * A paste's own prefix on every line, learned at a trace's start line (see startsWithoutPastePrefix):
 * a code block's indentation, a tag ("==PID== " of a crash handler, Centipede's "CRASH LOG: "), both
 * (an indented block of tagged lines), or a logger's prefix shape (log-prefix.ts), also under an
 * indentation.
 */
/**
 * A paste's prefix; a logger's (`log`) may have indentation before it (`indent`), and after it
 * indentation (`after`) and a crash handler's tag (`tag`, "==PID== ").
 */
type PastePrefix = { indent: number; tag?: string } | { tag: string } | LogPrefix;
/** A logger's prefix: its kinds in order (log-prefix.ts), or a shape learned from the start line (`shape`, `log` empty). */
type LogPrefix = { log: PrefixKind[]; shape?: RegExp; indent?: number; after?: number; tag?: string };

/** `text` without up to `indent` leading blanks (a paste's indentation: a line may have less of it). */
function dedent(text: string, indent: number): string {
  let i = 0;
  while (i < indent && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i ? text.slice(i) : text;
}

/** A line without a learned logger's prefix (and the indentation before it), or the line itself when it lacks the prefix. */
function withoutLogPrefix(text: string, p: LogPrefix): string {
  const body = dedent(text, p.indent ?? 0);
  let rest = p.shape ? stripShape(body, p.shape) : stripLogPrefix(body, p.log);
  if (rest === body) return text;
  if (p.after) rest = dedent(rest, p.after);
  return p.tag !== undefined && rest.startsWith(p.tag) ? withoutTag(rest, p.tag) : rest;
}

/** A line without a paste's tag and the blank after it. */
const withoutTag = (text: string, tag: string) => text.slice(text.charCodeAt(tag.length) === 32 ? tag.length + 1 : tag.length);
/** A tag a paste's lines carry, read at the start of a line or after its indentation. */
const PASTE_TAG = /^(?:==\d+==|CRASH LOG:)/;

/**
 * The parser that starts a trace with what is left of a line once a logger's prefix is gone: with it
 * as it is, or without a crash handler's "==PID== " after the prefix (each line of its dump has one).
 */
function starterBehindTag(rest: string, starters: readonly TraceParser[]): { parser: TraceParser; rest: string; tag: string | null } | null {
  const parser = starters.find((p) => p.startsTrace(rest));
  if (parser) return { parser, rest, tag: null };
  const tag = PASTE_TAG.exec(rest)?.[0];
  if (!tag) return null;
  const bare = withoutTag(rest, tag);
  const behind = starters.find((p) => p.startsTrace(bare));
  return behind ? { parser: behind, rest: bare, tag } : null;
}

const DEATH_WORDS = /fail|fatal|assert|abort|panic|exceeded|unreachable|\[BUG\]/i;
const MAX_EARLIER = 4;

interface Active {
  parser: TraceParser;
  block: BlockParser;
  before: { line: number; text: string }[];
  /** The line that started the trace: context again if the trace turns out not to be one. */
  first: { line: number; text: string };
  inside: { line: number; text: string }[];
  /** Lines tolerated, not owned, with the line as the input had it (`raw`: before a learned prefix went). */
  pending: { line: number; text: string; raw: string }[];
  earlier: { line: number; text: string }[];
}

/** Push-style extractor: feed cleaned lines in order, collect traces through `onTrace`. */
export class Extractor {
  private readonly ring: { line: number; text: string }[] = [];
  /** Lines that left the ring since the last trace and look like a death message (see ExtractedTrace). */
  private earlier: { line: number; text: string }[] = [];
  /** What parsers remember between the traces of this input (e.g. Valgrind's current thread). */
  private readonly inputState: InputState = new Map();
  private active: Active | null = null;
  private open: ExtractedTrace | null = null;
  private readonly contextBefore: number;
  private readonly contextAfter: number;
  /** Which parsers a line's markers allow to start a trace on it (the others are not asked). */
  private readonly prefilter: LinePrefilter;

  constructor(
    parsers: readonly TraceParser[],
    private readonly onTrace: (t: ExtractedTrace) => void,
    options: ExtractOptions = {},
  ) {
    this.contextBefore = options.contextBefore ?? 40;
    this.contextAfter = options.contextAfter ?? 10;
    this.prefilter = linePrefilter(parsers);
  }

  /**
   * The prefix a paste put before every line (a code block's indentation, a crash handler's
   * "==PID== "), learned when a trace started only without it; removed from every later line of
   * this input that carries it.
   */
  private pastePrefix: PastePrefix | null = null;

  /** Whether the input is double-spaced (an empty line after each of its lines), and its empty lines to drop. */
  private readonly spacing = new DoubleSpacing();

  /** The line being fed as the input had it (push's argument), for the pending lines (see Active). */
  private raw = '';

  push(text: string, line: number): void {
    if (this.spacing.opening !== null) {
      if (this.spacing.hold(text, line)) return;
      return this.releaseOpening();
    }
    if (this.spacing.drops(text, line)) return;
    this.raw = text;
    if (this.pastePrefix === null) return this.feedLine(text, line);
    const c = text.charCodeAt(0);
    // A paste's indentation lasts as long as its block: a line at the margin (not blank, not
    // indented) met between traces ends it, or the next trace (the report printed after an indented
    // coredumpctl or Markdown block) would lose indentation of its own that its parser reads.
    if ('indent' in this.pastePrefix && this.active === null && text.length > 0 && c !== 32 && c !== 9) this.pastePrefix = null;
    if (this.pastePrefix === null) return this.feedLine(text, line);
    const rest = this.removePastePrefix(text);
    // So does a logger's prefix: a line without it met between traces ends it, or the next trace
    // (Godot's dump after Open MPI's "[host:pid] " lines) would lose its own "[1] " frame numbers.
    if ('log' in this.pastePrefix && rest === text && this.active === null && text.trim() !== '') this.pastePrefix = null;
    this.feedLine(rest, line);
  }

  /** Lines after the start line that carried a learned log prefix (see close()). */
  private logPrefixCarried = 0;

  private removePastePrefix(text: string): string {
    const p = this.pastePrefix!;
    if ('log' in p) {
      const rest = withoutLogPrefix(text, p);
      if (rest !== text) this.logPrefixCarried++;
      return rest;
    }
    let rest = 'indent' in p ? dedent(text, p.indent) : text;
    if (p.tag !== undefined && rest.startsWith(p.tag)) rest = withoutTag(rest, p.tag);
    return rest;
  }

  /** Traces reported so far from this input. */
  private emitted = 0;
  private readonly notices: { notice: FatalNotice; line: number; text: string }[] = [];

  /** A notice behind a logger's or a build tool's prefix ("#14 32.15 qemu: uncaught target signal 11 ..."):
   *  the prefix is only tried on a line that holds a notice's word at all. */
  private prefixedNotice(text: string): FatalNotice | null {
    if (!mayHavePrefix(text)) return null;
    for (const split of logPrefixSplits(text)) {
      // The program's line may be indented after the prefix (a code block's lines in a compose log).
      const notice = fatalNotice(split.rest) ?? (/^[ \t]/.test(split.rest) ? fatalNotice(split.rest.trimStart()) : null);
      if (notice) return notice;
    }
    return null;
  }

  private feedLine(text: string, line: number): void {
    if (this.emitted === 0 && this.notices.length < MAX_NOTICES) {
      // Also indented, as a code block or a quoted paste leaves a program's last words (a Rust
      // "memory allocation of N bytes failed" and the shell's "[1] 4118 abort (core dumped)").
      const c = text.charCodeAt(0);
      const bare = c === 32 || c === 9 ? text.trimStart() : text;
      const notice = (mayBeNotice(text) ? fatalNotice(text) ?? this.prefixedNotice(text) : null) ?? (bare !== text && mayBeNotice(bare) ? fatalNotice(bare) ?? this.prefixedNotice(bare) : null);
      if (notice) this.notices.push({ notice, line, text });
    }
    const a = this.active;
    if (!a) return this.idle(text, line);
    const verdict = a.block.feed(text, line);
    switch (verdict) {
      case 'take':
        if (a.pending.length) {
          for (const p of a.pending) a.inside.push({ line: p.line, text: p.text });
          a.pending = [];
        }
        return;
      case 'maybe':
        // A line the trace does not own but a format starts with: this trace is over (an ASan report
        // printed right after an lldb session; a second Rust panic right after the first; Open MPI's
        // "[host:pid] *** Process received signal ***" after a gdb session), whatever the parser
        // would tolerate.
        if (this.startsAnyTrace(text)) {
          this.closeAndReplay();
          return this.feedLine(text, line);
        }
        if (text.trim() !== '') a.pending.push({ line, text, raw: this.raw });
        return;
      case 'end': {
        this.closeAndReplay();
        return this.feedLine(text, line);
      }
      case 'split': {
        this.closeAndReplay();
        // A line the replay started a trace with owns what follows; else the split line starts one.
        return this.active ? this.feedLine(text, line) : this.start(a.parser, text, line);
      }
    }
  }

  /** Whether some parser starts a trace with the line, as it is or without a logger's prefix (no effects). */
  private startsAnyTrace(text: string): boolean {
    const starters = this.prefilter.candidates(text);
    if (starters.length === 0) return false;
    if (starters.some((p) => p.startsTrace(text))) return true;
    return this.pastePrefix === null && logPrefixSplits(text).some((split) => starters.some((p) => p.startsTrace(split.rest)));
  }

  /** True when no trace is being read and no report waits for its after-context lines (the reader may skip lines). */
  isIdle(): boolean {
    // Nor while a fatal notice may become this input's report: its context is the lines around it.
    // Nor while the input's opening lines are held (DoubleSpacing): they are not read yet.
    return this.active === null && this.open === null && !this.spacing.holding() && !(this.emitted === 0 && this.notices.length > 0);
  }

  /** How many recent lines the extractor keeps as context before a trace. */
  get contextLines(): number {
    return this.contextBefore;
  }

  /** The input's opening lines, once they said whether it is double-spaced, fed in order. */
  private releaseOpening(): void {
    for (const l of this.spacing.release()) this.push(l.text, l.line);
  }

  /** Ends the input: closes the trace being read and flushes the last one. */
  end(): void {
    if (this.spacing.opening !== null) this.releaseOpening();
    // Each round replays fewer lines (the line that starts a trace is taken, not pending).
    while (this.active) this.closeAndReplay();
    this.flushOpen();
    if (this.emitted === 0 && this.notices.length > 0) this.reportNotices();
  }

  /**
   * An input with no trace but a fatal notice ("Segmentation fault (core dumped)", Rust's "has
   * overflowed its stack", glog's F-line) still shows a crash: reported without frames, the signal
   * and kind from the notices (a shell's word for the signal wins: it is what the process died of).
   */
  private reportNotices(): void {
    const notices = this.notices;
    const first = notices[0]!.line;
    const last = notices[notices.length - 1]!.line;
    // The kernel's own line about the process says what it died of as surely as a shell's.
    const shell = notices.find((n) => (n.notice.source === 'shell' || n.notice.source === 'kernel' || n.notice.source === 'supervisor') && n.notice.signal);
    const trace: ParsedTrace = {
      format: 'notice',
      startLine: first,
      endLine: last,
      signal: (shell ?? notices.find((n) => n.notice.signal))?.notice.signal ?? null,
      signalDescription: null,
      faultAddress: notices.find((n) => n.notice.faultAddress)?.notice.faultAddress ?? null,
      program: notices.find((n) => n.notice.program)?.notice.program ?? null,
      threads: [],
      hints: [],
      inside: notices.map((n) => ({ line: n.line, text: n.text })),
      crashKind: notices.find((n) => n.notice.crashKind)?.notice.crashKind ?? null,
    };
    const noticeLines = new Set(notices.map((n) => n.line));
    const rest = this.ring.filter((l) => !noticeLines.has(l.line));
    this.onTrace({ trace, before: rest.filter((l) => l.line < first), after: rest.filter((l) => l.line > last) });
  }

  /**
   * Closes the trace being read and feeds the lines it left pending through push() again: they may
   * start the next trace (an lldb session right after a gdb one), whose parser must then see all of
   * them, not only the first.
   */
  private closeAndReplay(): void {
    const replay = this.active?.pending ?? [];
    const prefix = this.pastePrefix;
    this.close();
    // A prefix learned from a start line only is gone with its trace (close): the lines it was taken
    // from are read again as the input had them (a logger's "Caught signal 11 (...)" behind a compose
    // prefix, no report after all: its frames are the next trace's, prefix and all).
    const relearn = prefix !== null && this.pastePrefix === null;
    const current = this.raw;
    for (const p of replay) {
      if (relearn) this.push(p.raw, p.line);
      else {
        this.raw = p.raw;
        this.feedLine(p.text, p.line);
      }
    }
    this.raw = current; // the line that ended the trace is fed next
  }

  private idle(text: string, line: number): void {
    // Only the parsers whose markers the line holds may start a trace on it, in any of the forms
    // tried below (each is a part of the line): most lines ask no parser at all.
    const starters = this.prefilter.candidates(text);
    const c = text.charCodeAt(0);
    if (starters.length > 0) {
      // A logger's prefix first (also over an indented "  12 | " line number), then the parsers on
      // the line as it is: several find their start anywhere in a line, and would read a prefixed
      // trace as one line of it.
      if (this.pastePrefix === null && this.startsWithoutLogPrefix(text, line, starters)) return;
      // An indented start line: when it starts a trace without its indentation too, the indentation
      // is the paste's (a code block) and goes from every later line; some parsers accept the
      // indented start line itself but not the indented lines after it.
      // A logger's prefix under a code block's indentation (a ctest or Open MPI log pasted as an
      // indented block) first, for the same reason: both are learned and removed.
      if (this.pastePrefix === null && (c === 32 || c === 9) && this.startsWithoutLogPrefix(text, line, starters, true)) return;
      if (this.pastePrefix === null && (c === 32 || c === 9) && this.startsWithoutPastePrefix(text, line, starters)) return;
      // A logger's prefix of a form no kind knows, learned as a shape from this line: one that ends
      // as loggers' do first (see ShapeSplit.marked), any other last.
      // (Not after a space: a logger's prefix starts its line, and space-indented lines are most of a trace's.)
      if (this.pastePrefix === null && c !== 32 && this.startsWithoutShapedPrefix(text, line, starters, true)) return;
      for (const parser of starters) {
        if (parser.startsTrace(text)) return this.start(parser, text, line);
      }
      if (this.pastePrefix === null && c !== 32 && this.startsWithoutShapedPrefix(text, line, starters, false)) return;
    }
    if (text.trim() === '') return;
    if (starters.length > 0 && this.pastePrefix === null && (c === 61 /* = */ || (c === 67 /* C */ && text.startsWith('CRASH LOG:'))) && this.startsWithoutPastePrefix(text, line, starters)) return;
    const entry = { line, text };
    if (this.open) {
      this.open.after.push(entry);
      if (this.open.after.length >= this.contextAfter) this.flushOpen();
    }
    this.ring.push(entry);
    if (this.ring.length > this.contextBefore) this.dropOldest();
  }

  /** The oldest context line leaves the ring; one that may say why the program died is kept aside. */
  private dropOldest(): void {
    const old = this.ring.shift()!;
    if (old.text.length <= 2000 && DEATH_WORDS.test(old.text)) {
      this.earlier.push(old);
      if (this.earlier.length > MAX_EARLIER) this.earlier.shift();
    }
  }

  /**
   * A line no parser starts a trace with may still start one once the paste's own prefix is gone:
   * four spaces of a Markdown code block, a tab, a crash handler's "==PID== " (Valgrind's is read by
   * its parser), Centipede's "CRASH LOG: ". The prefix is then removed from the rest of the input.
   */
  private startsWithoutPastePrefix(text: string, line: number, starters: readonly TraceParser[]): boolean {
    const c = text.charCodeAt(0);
    // The ways to read the prefix off this line, in order: the indentation alone, then the
    // indentation and a tag after it (a crash handler's "==PID== " lines pasted into a code block).
    const tries: { prefix: PastePrefix; rest: string }[] = [];
    if (c === 32 || c === 9) {
      const indent = text.length - text.trimStart().length;
      if (indent > 16) return false;
      const rest = text.slice(indent);
      tries.push({ prefix: { indent }, rest });
      const tag = PASTE_TAG.exec(rest);
      if (tag) tries.push({ prefix: { indent, tag: tag[0] }, rest: rest.slice(tag[0].length).replace(/^ /, '') });
    } else {
      // Centipede prints its runner's log as "CRASH LOG: <line>".
      const tag = PASTE_TAG.exec(text);
      if (!tag) return false;
      tries.push({ prefix: { tag: tag[0] }, rest: text.slice(tag[0].length).replace(/^ /, '') });
    }
    for (const { prefix, rest } of tries) {
      const parser = starters.find((p) => p.startsTrace(rest));
      if (!parser) continue;
      this.pastePrefix = prefix;
      this.start(parser, rest, line);
      if (this.active !== null) return true;
      this.pastePrefix = null;
    }
    return false;
  }

  /**
   * A line that starts a trace once a logger's or supervisor's prefix is gone (log-prefix.ts): the
   * prefix's shape is learned and removed from the lines of this input that carry it.
   */
  private startsWithoutLogPrefix(text: string, line: number, starters: readonly TraceParser[], indented = false): boolean {
    const indent = indented ? text.length - text.trimStart().length : 0;
    if (indent > 16) return false;
    for (const split of logPrefixSplits(indent ? text.slice(indent) : text)) {
      const rest = split.rest;
      // The program's output indented under the prefix (an indented paste, a code block, printed
      // again by a container: "worker-1  |     #0  0x... in f ()"): that indentation goes too,
      // tried first, as for an indented paste (some parsers take an indented start line but not
      // the indented lines after it).
      let after = rest.charCodeAt(0) === 32 || rest.charCodeAt(0) === 9 ? rest.length - rest.trimStart().length : 0;
      if (after > 16) after = 0;
      let found = after ? starterBehindTag(rest.slice(after), starters) : null;
      if (!found) {
        after = 0;
        found = starterBehindTag(rest, starters);
      }
      if (!found) continue;
      const { parser, tag } = found;
      if (this.startBehindLogPrefix({ log: split.kinds, ...(indent ? { indent } : {}), ...(after ? { after } : {}), ...(tag ? { tag } : {}) }, parser, found.rest, line)) return true;
    }
    return false;
  }

  /**
   * A line that starts a trace once words before it are gone that look like a logger's prefix of a
   * form log-prefix.ts does not know (shapeSplits): their shape is learned and removed from the lines
   * of this input that carry it, as a known prefix's kinds are.
   */
  private startsWithoutShapedPrefix(text: string, line: number, starters: readonly TraceParser[], marked: boolean): boolean {
    for (const split of shapeSplits(text, marked)) {
      const found = starterBehindTag(split.rest, starters);
      if (!found) continue;
      return this.startBehindLogPrefix({ log: [], shape: shapeOf(split.prefix), ...(found.tag ? { tag: found.tag } : {}) }, found.parser, found.rest, line);
    }
    return false;
  }

  /** Starts a trace behind a learned logger's prefix; the context lines before it lose the prefix too. */
  private startBehindLogPrefix(prefix: LogPrefix, parser: TraceParser, rest: string, line: number): boolean {
    this.pastePrefix = prefix;
    this.logPrefixCarried = 0;
    this.start(parser, rest, line);
    if (this.active !== null) {
      // The lines before it carried the prefix too: read without it, as the trace's context (a
      // handler's "*** Segmentation fault" above a catchsegv dump says which signal it was).
      const before = this.active.before;
      for (let i = 0; i < before.length; i++) before[i] = { line: before[i]!.line, text: withoutLogPrefix(before[i]!.text, prefix) };
      return true;
    }
    this.pastePrefix = null;
    return false;
  }

  private start(parser: TraceParser, text: string, line: number): void {
    this.flushOpen();
    const block = parser.begin(this.inputState);
    this.active = { parser, block, before: this.ring.splice(0), first: { line, text }, inside: [], pending: [], earlier: this.earlier };
    this.earlier = [];
    const first = block.feed(text, line);
    if (first !== 'take') {
      // A parser that claims a line must take it; treat a refusal as "not a trace".
      this.earlier = this.active.earlier;
      this.active = null;
      this.ring.push({ line, text });
    }
  }

  private close(): void {
    const a = this.active;
    this.active = null;
    if (!a) return;
    // A log prefix only the start line carried (Julia's "[pid] " before its signal line) is not the
    // log's: kept, it would strip a later trace's own "[1] " frame numbers.
    if (this.pastePrefix && 'log' in this.pastePrefix && this.logPrefixCarried === 0) this.pastePrefix = null;
    const trace = a.block.finish();
    if (!trace) {
      // Not a trace after all: its lines become ordinary context again (a handler's header such as
      // "Received signal 11" then still tells the next parser which signal it was).
      this.earlier = a.earlier;
      this.ring.push(...a.before.slice(-this.contextBefore), a.first, ...a.inside);
      while (this.ring.length > this.contextBefore) this.dropOldest();
      return;
    }
    trace.inside.push(...a.inside);
    if (trace.signal === null) {
      const stated = signalFromContext(a.before, a.earlier);
      if (stated) {
        trace.signal = stated.signal;
        trace.faultAddress ??= stated.faultAddress;
        // A banner naming the stopped thread says which one crashed when the trace does not.
        if (stated.threadId && trace.hints.length === 0 && trace.threads.some((t) => t.id === stated.threadId)) trace.hints.push({ threadId: stated.threadId, reason: 'stop-reason' });
      }
    }
    this.open = { trace, before: a.before, after: [], ...(a.earlier.length > 0 ? { earlier: a.earlier } : {}) };
  }

  private flushOpen(): void {
    if (!this.open) return;
    const done = this.open;
    this.open = null;
    this.emitted++;
    this.onTrace(done);
  }
}
