// The block every application crash handler's dump shares (Envoy, ClickHouse, Godot, Unreal...): a
// header naming the signal (and perhaps the fault address), a few lines about the build, then one
// stack of numbered frames in the program's own line shape, often behind its logger's prefix. A
// dialect says how its lines look; this block reads the dump with them: it starts at the header,
// takes the dialect's own lines, and ends at the first foreign line after the frames (before them,
// a few foreign lines are tolerated: other threads' log lines interleave with the handler's).

import { CappedStack, ForeignBudget, TraceSpan } from './framework.js';
import { markMangled } from './backtrace-symbols.js';
import { signalNameOf } from './signals.js';
import type { BlockParser, FeedResult, ParsedFrame, ParsedTrace } from './types.js';

/** What a dialect reads off a header line. */
export interface DumpHeader {
  signal: string | null;
  description: string | null;
  faultAddress: string | null;
  /** A verdict the dump states beyond its signal (a memory checker's kind), as ParsedTrace's crashKind. */
  crashKind?: string | null;
}

/** A frame as a dialect reads it (the index is the block's). */
export type DumpFrame = Omit<ParsedFrame, 'index'>;

export interface HandlerDumpDialect {
  format: string;
  program: string | null;
  /** The line without the dialect's log prefix, or null when the line is not the dump's at all. */
  strip(line: string): string | null;
  /** The header, read off the stripped line; null for any other line. */
  header(text: string): DumpHeader | null;
  /** A frame, read off the stripped line; null for any other line. */
  frame(text: string): DumpFrame | null;
  /** A line of the dump that is neither header nor frame (build info, module lines): taken before the
   *  frames, tolerated after them (a line another format starts with ends the dump). */
  other(text: string): boolean;
  /** Several processes' dumps interleave line by line: `other` lines are taken after the frames too. */
  interleaved?: boolean;
  /** The line that closes the dump ("-- END OF BACKTRACE --"); taken. */
  end?: RegExp;
  /** A line after the frames that completes the header (Xorg states the signal and the fault address
   *  after its backtrace); taken. */
  trailer?(text: string): Partial<DumpHeader> | null;
  /** The dump prints the outermost call first (Nim's "Traceback (most recent call last)"): its frames
   *  are reversed, so frame 0 is the innermost as in every other format. */
  innermostLast?: boolean;
}

/** Foreign lines tolerated between the header and the first frame. */
const MAX_FOREIGN_BEFORE_FRAMES = 8;

/** The signal's name and gdb's words for it, from its number. */
export function signalFromNumber(signo: number): Pick<DumpHeader, 'signal' | 'description'> {
  const s = signalNameOf(signo);
  return { signal: s.name, description: s.description };
}

/** A frame with only what a handler prints: an address, a name (maybe mangled), a module. */
export function dumpFrame(address: string | null, rawFunction: string, module: string | null, raw: string, file: string | null = null, line: number | null = null): DumpFrame {
  return { address, rawFunction, module, file, line, column: null, inlined: false, raw };
}

export class HandlerDumpBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(MAX_FOREIGN_BEFORE_FRAMES));
  private readonly stack = new CappedStack();
  private head: DumpHeader = { signal: null, description: null, faultAddress: null };
  private closed = false;

  constructor(private readonly dialect: HandlerDumpDialect) {}

  feed(line: string, lineNo: number): FeedResult {
    if (this.closed) return 'end';
    const text = this.dialect.strip(line);
    if (text === null) return this.foreign();
    const trailer = this.stack.count > 0 ? this.dialect.trailer?.(text) : null;
    if (trailer) {
      this.head = { ...this.head, ...trailer };
      return this.span.took(lineNo);
    }
    const header = this.dialect.header(text);
    if (header) {
      if (this.stack.count > 0) return 'split';
      this.head = header;
      return this.span.took(lineNo);
    }
    const frame = this.dialect.frame(text);
    if (frame) {
      // The dialect's own object becomes the frame: a later line of the dump may complete it (a
      // location or module printed on the next line).
      this.stack.push((index) => markMangled(Object.assign(frame, { index })));
      return this.span.took(lineNo);
    }
    if (this.dialect.end?.test(text)) {
      this.closed = true;
      return this.span.took(lineNo);
    }
    // A blank line after the frames may still be followed by the dump's own closing lines.
    if (text.trim() === '') return this.stack.count > 0 ? 'maybe' : this.span.took(lineNo);
    // The dump's other lines: its own before the frames; after them, tolerated (another format's
    // start line after the dump ends it: "Fault Count: 1" and "panic: ..." look alike to a dialect),
    // unless the dialect's dumps interleave (Open MPI's ranks: another's header inside a stack).
    if (this.dialect.other(text)) return this.stack.count > 0 && !this.dialect.interleaved ? 'maybe' : this.span.took(lineNo);
    return this.foreign();
  }

  /** A line that is not the dump's: tolerated before the frames, the end after them. */
  private foreign(): FeedResult {
    return this.stack.count > 0 ? 'end' : this.span.foreign();
  }

  finish(): ParsedTrace | null {
    if (this.stack.count === 0) return null;
    if (this.dialect.innermostLast) this.stack.frames.reverse().forEach((f, i) => { f.index = i; });
    return {
      format: this.dialect.format,
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.head.signal,
      signalDescription: this.head.description,
      faultAddress: this.head.faultAddress,
      program: this.dialect.program,
      threads: [this.stack.thread()],
      hints: [{ threadId: '1', reason: 'received-signal' }],
      inside: [],
      ...(this.head.crashKind ? { crashKind: this.head.crashKind } : {}),
    };
  }
}
