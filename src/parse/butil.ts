// brpc's butil (and Chromium's base) StackTrace when built with USE_SYMBOLIZE, as its fatal-signal
// handler (butil::debug::EnableInProcessStackDumping) prints it:
//   Received signal 11 SEGV_MAPERR 000000000010
//   #0 0x55d0c0a1b2cd butil::debug::StackTrace::StackTrace()
//   #1 0x7f1e2c43bfd0 <unknown>
//   #2 0x55d0c0b01e3a brpc::policy::ProcessHttpResponse()
//     r8: 0000000000000000  r9: ...                      (registers: the end of the trace)
// One space after "#N" and no " in " tell it from gdb ("#1  0x... in f () at ..."). Without
// USE_SYMBOLIZE butil prints backtrace_symbols lines after the same header, names demangled in
// place, and inside the signal handler (where backtrace_symbols is not safe) bare " [0x55fe...]"
// lines: after a header, this block reads those too, so the header's signal, code and fault
// address stay with the frames. (Without a header, backtrace-symbols.ts reads such lines.)
// Chromium's base (which butil copied) prints the same header and frames, and besides: frames
// without a symbol as their module and offset ("#3 0x7f1e2c43bfd0 (/lib/x86_64-linux-gnu/libc.so.6+0x3bd60)",
// a frame of libc, never a function), register dumps ("  r8: 0000000000000000  r9: ..."), the
// closing "[end of stack trace]" and a "Task trace:" (where the task was posted) after the stack;
// a dump with base::debug frames or the closing line is reported as format "chromium".

import { markMangled, parseLine } from './backtrace-symbols.js';
import { CappedStack, TraceSpan } from './framework.js';
import { signalNameOf } from './signals.js';
import { bareFrame } from './stack.js';
import type { BlockParser, FeedResult, ParsedTrace, TraceParser } from './types.js';

const RECEIVED = /^\s*Received signal (\d{1,2})(?: ([A-Z_]+|<unknown>))?(?: ([0-9a-fA-F]{1,16}))?\s*$/;
const FRAME = /^\s*#(\d{1,4}) 0x([0-9a-fA-F]{1,16}) (?!in )(\S.*?)\s*$/;
const RAW = /^\s*\[(0x[0-9a-fA-F]{1,16})\]\s*$/;
/** A frame's text that is only "(module+offset)", or a name followed by it. */
const MODULE_OFFSET = /^(?:(.*?)\s+)?\(([^()\s]+)\+(0x[0-9a-fA-F]+)\)$/;
/** Chromium's source location after a symbolized name: "base::debug::CollectStackTrace() [../../base/debug/stack_trace_posix.cc:1036:7]". */
const SOURCE = /^(.*?)\s+\[([^\]\s:]+(?::[^\]\s:]+)*?):(\d+)(?::(\d+))?\]$/;
/** Chromium's register dump after the stack: "  r8: 0000000000000000  r9: ...", " trp: ... cr2: ...". */
const REGISTERS = /^\s*[a-z][a-z0-9]{1,2}: [0-9a-f]{8,16}(?:\s+[a-z][a-z0-9]{1,2}: [0-9a-f]{8,16})*\s*$/;
/** Stacks Chromium prints after the crash's: where the running task was posted, the IPC handler. */
const AFTER_STACK = /^\s*(?:Task trace:|IPC message handler context:|Crash keys:|Stack trace of the task)/;
/** Signals for which the handler prints si_addr after the code. */
const ADDRESS_SIGNALS = new Set([4, 7, 8, 11]);

export const butilParser: TraceParser = {
  format: 'butil',
  label: "brpc/butil stack dumps ('Received signal N')",
  markers: ['Received signal ', '#0 0x'],
  startsTrace: (line: string) => RECEIVED.test(line) || (line.includes('#0 0x') && FRAME.exec(line)?.[1] === '0'),
  begin: () => new ButilBlock(),
};

class ButilBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private signo: number | null = null;
  private code: string | null = null;
  private address: string | null = null;
  private readonly stack = new CappedStack();
  private chromium = false;
  /** Inside a "Task trace:" after the stack: its lines are taken, its frames are not the crash's. */
  private afterStack = false;
  private afterIndex = 0;

  feed(line: string, lineNo: number): FeedResult {
    let m: RegExpExecArray | null;
    if (this.span.start === 0 && (m = RECEIVED.exec(line))) {
      this.span.reach(lineNo);
      this.signo = Number(m[1]);
      this.code = m[2] ?? null;
      if (m[3] && ADDRESS_SIGNALS.has(this.signo)) this.address = `0x${BigInt(`0x${m[3]}`).toString(16)}`;
      return 'take';
    }
    if (this.signo !== null && (m = RAW.exec(line) ?? parseLine(line))) {
      const raw = m.length === 2; // " [0x...]": only the address
      const [address, symbol, module] = raw ? [m[1]!, '??', null] : [m[3]!, m[2]!.replace(/[+-]0x[0-9a-fA-F]+$/, '') || '??', m[1]!];
      this.stack.push((index) => markMangled(bareFrame(index, address, symbol, module, line.trim())));
      return this.span.took(lineNo);
    }
    m = FRAME.exec(line);
    if (this.stack.count > 0 && !m) {
      if (REGISTERS.test(line)) return this.span.took(lineNo);
      if (/^\s*\[end of stack trace\]\s*$/.test(line)) {
        this.chromium = true;
        return this.span.took(lineNo);
      }
      if (AFTER_STACK.test(line)) {
        this.afterStack = true;
        this.afterIndex = 0;
        return this.span.took(lineNo);
      }
    }
    if (this.afterStack) {
      if (!m || Number(m[1]) !== this.afterIndex) return 'end';
      this.afterIndex++;
      return this.span.took(lineNo);
    }
    // Frame numbers run 0, 1, 2...: anything else is another text that happens to start with '#'.
    if (!m || Number(m[1]) !== this.stack.count) return 'end';
    this.span.reach(lineNo);
    let text = m[3]!;
    // Chromium builds with symbols put the source after the name: "f() [../../base/x.cc:1036:7]".
    const src = SOURCE.exec(text);
    if (src) text = src[1]!;
    const mo = MODULE_OFFSET.exec(text);
    // "(/lib/x86_64-linux-gnu/libc.so.6+0x3bd60)": no symbol, only where the pc is.
    const name = mo ? (mo[1] && mo[1] !== '<unknown>' ? mo[1] : '??') : text === '<unknown>' ? '??' : text;
    if (name.startsWith('base::debug::') || name === 'ChromeMain' || src) this.chromium = true;
    this.stack.push((index) => {
      const f = markMangled(bareFrame(index, `0x${m![2]!}`, name, mo ? mo[2]! : null, line.trim()));
      if (mo) f.moduleOffset = mo[3]!;
      if (src) Object.assign(f, { file: src[2]!, line: Number(src[3]), column: src[4] ? Number(src[4]) : null });
      return f;
    });
    return 'take';
  }

  finish(): ParsedTrace | null {
    // Without the handler's header, two numbered lines could be anything: ask for three.
    if (this.stack.frames.length < (this.signo === null ? 3 : 1)) return null;
    const named = this.signo === null ? null : signalNameOf(this.signo);
    const code = this.code && this.code !== '<unknown>' ? this.code : null;
    return {
      format: this.chromium ? 'chromium' : 'butil',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: named?.name ?? null,
      signalDescription: [named?.description, code].filter(Boolean).join(', ') || null,
      faultAddress: this.address,
      program: null,
      threads: [this.stack.thread()],
      hints: [],
      inside: [],
    };
  }
}
