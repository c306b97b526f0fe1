// Xcode's Debug navigator, copied as text (select the threads, Edit > Copy): what macOS and iOS
// developers paste when the app stopped in Xcode, often under the banner Xcode showed in the editor.
//
//   Thread 1: EXC_BAD_ACCESS (code=1, address=0x0)            (the banner: context-signal.ts reads it)
//   Thread 1 Queue : com.apple.main-thread (serial)
//   #0	0x0000000100003f2c in Parser::next() at /Users/dev/calc/Parser.cpp:42
//   #1	0x0000000100003e10 in main at /Users/dev/calc/main.cpp:10
//   #2	0x000000019a0e7e50 in start ()
//   Thread 3#0	0x00000001a7b33ab4 in __workq_kernreturn ()
//   gputools.smt_poll.0x10d802080 (4)#0	0x00000001a7b33278 in __semwait_signal ()
//
// A tab follows the frame number; a thread without a queue has no line break between its header and
// its first frame (the copy joins them), a named thread is "name (N)".

import { markMangled } from './backtrace-symbols.js';
import { pushCapped, TraceSpan } from './framework.js';
import type { BlockParser, FeedResult, ParsedFrame, ParsedThread, ParsedTrace, TraceParser } from './types.js';

/** "#0<tab>0x... in f() at file:12", "#8<tab>0x... in start ()"; the tab may have become spaces once a
 *  thread's header started the copy (a trace starts only at a tab, the one sign it is Xcode's). */
const FRAME = /^#(\d+)(?:\t| {1,8})(0x[0-9a-fA-F]+) in (.+?)\s*$/;
/** "Thread 1 Queue : com.apple.main-thread (serial)". */
const QUEUE_HEADER = /^Thread (\d+) Queue : (.+?)\s*$/;
/** A header joined to its first frame: "Thread 3#0<tab>...", "worker.pool (5)#0<tab>...". */
const JOINED = /^(?:Thread (\d+)|(\S.*?) \((\d+)\))(#0\t.*)$/;
/** A header alone on its line (the copy of a thread whose frames follow). */
const BARE_HEADER = /^(?:Thread (\d+)|(\S.*?) \((\d+)\))\s*$/;
const LOCATION = /^(.*?) at (.+?):(\d+)(?::(\d+))?$/;

export const xcodeParser: TraceParser = {
  format: 'xcode',
  label: "Xcode's Debug navigator copied as text ('Thread 1 Queue : com.apple.main-thread (serial)', '#0<tab>0x... in f() at file:12')",
  markers: ['Queue : ', '#0\t0x'],
  startsTrace: (line: string) => (line.includes(' Queue : ') && QUEUE_HEADER.test(line)) || (line.includes('#0\t0x') && (line.startsWith('#0\t') || JOINED.test(line))),
  begin: () => new XcodeBlock(),
};

class XcodeBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private readonly threads: ParsedThread[] = [];
  private current: ParsedThread | null = null;

  feed(line: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    return this.span.account(this.classify(line.trimEnd()), lineNo);
  }

  private classify(line: string): FeedResult {
    let m: RegExpExecArray | null;
    if ((m = QUEUE_HEADER.exec(line))) {
      this.thread(m[1]!, m[2]!);
      return 'take';
    }
    if ((m = JOINED.exec(line))) {
      this.thread(m[1] ?? m[3]!, m[2] ?? null);
      return this.frame(FRAME.exec(m[4]!), m[4]!);
    }
    if ((m = FRAME.exec(line))) {
      // A copy of one thread's frames only: the thread is unnamed.
      if (!this.current || (m[1] === '0' && this.current.frames.length > 0)) this.thread(String(this.threads.length + 1), null);
      return this.frame(m, line);
    }
    if (this.threads.length > 0 && (m = BARE_HEADER.exec(line)) && (m[1] !== undefined || line.length < 120)) {
      this.thread(m[1] ?? m[3]!, m[2] ?? null);
      return 'take';
    }
    return line === '' ? 'maybe' : 'end';
  }

  private thread(id: string, name: string | null): void {
    this.current = { id, name, lwp: null, frames: [] };
    this.threads.push(this.current);
  }

  private frame(m: RegExpExecArray | null, raw: string): FeedResult {
    if (!m || !this.current) return 'end';
    let text = m[3]!;
    let file: string | null = null;
    let line: number | null = null;
    let column: number | null = null;
    const at = LOCATION.exec(text);
    if (at) {
      [text, file, line, column] = [at[1]!, at[2]!, Number(at[3]), at[4] ? Number(at[4]) : null];
    }
    // "mach_msg_trap ()": the empty argument list Xcode adds to a function without debug information.
    const rawFunction = text.replace(/ \(\)$/, '') || '??';
    const frame: ParsedFrame = { index: Number(m[1]), address: m[2]!, rawFunction, module: null, file, line, column, inlined: false, raw };
    pushCapped(this.current, markMangled(frame));
    return 'take';
  }

  finish(): ParsedTrace | null {
    const threads = this.threads.filter((t) => t.frames.length > 0);
    if (threads.length === 0) return null;
    return {
      format: 'xcode',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: null,
      signalDescription: null,
      faultAddress: null,
      program: null,
      threads,
      hints: [],
      inside: [],
    };
  }
}
