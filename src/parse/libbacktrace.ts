// Stacks printed with libbacktrace's simple format, two lines a frame: the pc and the function
// ("???" when unknown), then the source location indented by a tab. GCC prints them for an
// internal compiler error, gdb for its own fatal signal, and so do other programs that link
// libbacktrace into their crash handler:
//
//   /src/blend.cc:88:6: internal compiler error: Segmentation fault
//   0x7f8b1e1a6ef9 crash_signal
//   	../../src/gcc/toplev.cc:314
//   0x1a7c2b3 vect_analyze_data_ref_accesses(vec_info*, vec<int, va_heap, vl_ptr>*)
//   	../../src/gcc/tree-vect-data-refs.cc:3315
//
//   Fatal signal: Segmentation fault
//   ----- Backtrace -----
//   0x55b0c1e2a6e7 _Z14dump_backtracev          (names may be mangled)
//   	/src/bt-utils.c:168
//   ---------------------
//
// A trace starts at one of those headers only: "0x... name" alone is too common a line.

import { markMangled } from './backtrace-symbols.js';
import { CappedStack, ForeignBudget, TraceSpan } from './framework.js';
import { signalFromWords, signalName } from './signals.js';
import { type BlockParser, type FeedResult, type ParsedTrace, type TraceParser } from './types.js';

const ICE = /internal compiler error: (.+)$/;
const FATAL_SIGNAL = /^Fatal signal: (.+)$/;
// gdb's bt-utils.c prints exactly this header; the marker the reader searches for is the same text.
const HEADER = /^----- Backtrace -----\s*$/;
const FOOTER = /^-{10,}\s*$/;
const FRAME = /^(0x[0-9a-fA-F]+) (\S.*?)\s*$/;
// Printed after a tab; read also without it (an indented paste's common indentation, taken off by
// the extractor, can take the tab with it).
const LOCATION = /^\s*(?!0x)(\S.*?):(\d+)\s*$/;
/** Lines GCC prints between its error line and the frames (the source line and its caret). */
const SNIPPET_LINES = 6;

/** GCC's driver when the OOM killer (or ulimit) killed the compiler proper; the other words are strsignal()'s. */
const CC1_KILLED = 'Killed signal terminated program cc1';

export const libbacktraceParser: TraceParser = {
  format: 'libbacktrace',
  label: "libbacktrace stacks (GCC's 'internal compiler error:', gdb's 'Fatal signal:'; '0x... f' then '\\tfile:line')",
  markers: ['internal compiler error: ', 'Fatal signal: ', '----- Backtrace -----'],
  startsTrace: (line: string) => (line.startsWith('Fatal signal: ') && FATAL_SIGNAL.test(line)) || (line.startsWith('---') && HEADER.test(line)) || (line.includes('internal compiler error: ') && ICE.test(line)),
  begin: () => new LibbacktraceBlock(),
};

class LibbacktraceBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private readonly stack = new CappedStack();
  private readonly preamble = new ForeignBudget(SNIPPET_LINES);
  private readonly headerLines: { line: number; text: string }[] = [];
  private signal: string | null = null;
  private description: string | null = null;
  private started = false;

  feed(line: string, lineNo: number): FeedResult {
    let m: RegExpExecArray | null;
    if (!this.started) {
      this.started = true;
      this.span.open(lineNo);
      this.header(line, lineNo);
      return this.span.took(lineNo);
    }
    if (this.stack.count === 0) {
      if (HEADER.test(line) || FATAL_SIGNAL.test(line)) {
        this.header(line, lineNo);
        return this.span.took(lineNo);
      }
      if (!FRAME.test(line)) return line.trim() === '' ? 'take' : this.preamble.spend();
    }
    if ((m = LOCATION.exec(line)) && this.stack.count > 0) {
      const f = this.stack.frames[this.stack.frames.length - 1];
      // One location a frame (inlined callers get a frame line of their own).
      if (f && f.file === null) {
        f.file = m[1]!;
        f.line = Number(m[2]);
      }
      return this.span.took(lineNo);
    }
    if ((m = FRAME.exec(line))) {
      const address = m[1]!.toLowerCase();
      const name = m[2]! === '???' ? '??' : m[2]!;
      this.stack.push((index) => markMangled({ index, address, rawFunction: name, module: null, file: null, line: null, column: null, inlined: false, raw: line.trim() }));
      return this.span.took(lineNo);
    }
    if (FOOTER.test(line)) return this.span.took(lineNo);
    return 'end';
  }

  private header(line: string, lineNo: number): void {
    let m: RegExpExecArray | null;
    if ((m = FATAL_SIGNAL.exec(line)) || (m = ICE.exec(line))) {
      const words = m[1]!.trim();
      this.signal = signalFromWords(words) ?? (words === CC1_KILLED ? 'SIGKILL' : /^SIG[A-Z]+$/.test(words) ? signalName(words) : null);
      this.description = line.trim();
      this.headerLines.push({ line: lineNo, text: line });
    }
  }

  finish(): ParsedTrace | null {
    if (this.stack.count < 2) return null;
    return {
      format: 'libbacktrace',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      faultAddress: null,
      program: null,
      threads: [this.stack.thread()],
      hints: [],
      inside: this.headerLines,
    };
  }
}
