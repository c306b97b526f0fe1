// glibc backtrace_symbols()/backtrace_symbols_fd() lines, as programs' own crash handlers print them:
//   ./prog(_ZN6ingest3runEi+0x3d) [0x557bcc9081f6]      (backtrace_symbols: a space before "[")
//   /lib/x86_64-linux-gnu/libc.so.6(+0x3c050)[0x7fc2...]  (backtrace_symbols_fd: none)
//   ./client(brpc::Socket::ProcessEvent(void*)+0x20) [0x55d0c0b01e3a]
//   /usr/lib/libruby.so.3.2(rb_vm_bugreport+0x5cf) [0x7f1e2e7b4b2f] vm_dump.c:770   (Ruby's [BUG] report)
//                                      (butil/Chromium StackTrace: demangled in place, so the symbol
//                                       itself holds parentheses and spaces)
// A trace is two or more such lines in a row. Itanium C++ names (_Z...) stay as printed, marked
// `mangled`: the demangling service (normalize/demangle.ts, c++filt) names them.

import { CappedStack, TraceSpan } from './framework.js';
import { bareFrame } from './stack.js';
import type { BlockParser, FeedResult, ParsedFrame, ParsedTrace, TraceParser } from './types.js';

// The module has no parentheses; the symbol runs to the last ") [0x": greedy, one backtrack point.
// Crash handlers often number the lines ("0 prog(f+0x1) [0x...]", "#3 ./prog(...)"): an index is allowed.
// Ruby's crash report ("-- C level backtrace information --") appends the source location it
// resolved: "libruby.so.3.2(rb_vm_bugreport+0x5cf) [0x7f1e2e7b4b2f] vm_dump.c:770".
const LINE = /^\s*(?:#?\d{1,4}:?\s+)?(\S[^()\s]*)\((.*)\)\s?\[(0x[0-9a-fA-F]+)\](?:\s+([^\s:]+):(\d+))?\s*$/;
/** What glibc writes between the parentheses: nothing, "+0x1f", or "symbol+0x1f" (or "-0x"); Ruby
 *  writes the bare address when it has no symbol ("libc.so.6(0x7f1e2e242520)"). */
const SYMBOL = /(?:^|\S)[+-]0x[0-9a-fA-F]+$|^0x[0-9a-fA-F]+$/;

/** A backtrace_symbols line: [whole, module, symbol with offset, address], or null. */
export function parseLine(line: string): RegExpExecArray | null {
  const m = LINE.exec(line);
  return m && (m[2] === '' || SYMBOL.test(m[2]!)) ? m : null;
}

export const backtraceSymbolsParser: TraceParser = {
  format: 'backtrace_symbols',
  label: "backtrace_symbols lines ('prog(f+0x12) [0x...]')",
  // What startsTrace requires ("[0x", the return address): a frame without an offset
  // ('fn() [0x...]', Chromium's) has no "+0x", and a trace of such frames alone has no other marker.
  markers: ['[0x'],
  startsTrace: (line: string) => line.includes('[0x') && parseLine(line) !== null,
  begin: () => new BacktraceSymbolsBlock(),
};

/** An Itanium-mangled name as tools print it: "_Z...", the form c++filt reads. */
export function isMangled(name: string): boolean {
  return name.startsWith('_Z');
}

/** A frame of a handler's dump whose name is printed mangled: marked for the demangling service. */
export function markMangled(frame: ParsedFrame): ParsedFrame {
  if (isMangled(frame.rawFunction)) frame.mangled = true;
  return frame;
}


/** A glibc backtrace_symbols line as a frame (its index set by the block), or null. */
function glibcFrame(line: string): ParsedFrame | null {
  const m = parseLine(line);
  if (!m) return null;
  const symbol = m[2]!.replace(/[+-]0x[0-9a-fA-F]+$|^0x[0-9a-fA-F]+$/, '');
  const frame = markMangled(bareFrame(0, m[3]!, symbol || '??', m[1]!, line.trim()));
  if (m[4]) {
    frame.file = m[4];
    frame.line = Number(m[5]);
  }
  return frame;
}

/** One stack of backtrace_symbols lines, read by `read` (given the number of frames so far); ends at the first other line. */
export class BacktraceSymbolsBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private readonly stack = new CappedStack();

  constructor(private readonly read: (line: string, count: number) => ParsedFrame | null = glibcFrame) {}

  feed(line: string, lineNo: number): FeedResult {
    const frame = this.read(line, this.stack.count);
    if (!frame) return 'end';
    this.stack.push((index) => Object.assign(frame, { index }));
    return this.span.took(lineNo);
  }

  finish(): ParsedTrace | null {
    if (this.stack.frames.length < 2) return null;
    return {
      format: 'backtrace_symbols',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: null,
      signalDescription: null,
      faultAddress: null,
      program: null,
      threads: [this.stack.thread()],
      hints: [],
      inside: [],
    };
  }
}
