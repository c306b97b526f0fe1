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

import { demangle, parseLine } from './backtrace-symbols.js';
import { signalNameOf } from './signals.js';
import { bareFrame, CappedStack } from './stack.js';
import type { BlockParser, FeedResult, ParsedTrace, TraceParser } from './types.js';

const RECEIVED = /^\s*Received signal (\d{1,2})(?: ([A-Z_]+|<unknown>))?(?: ([0-9a-fA-F]{1,16}))?\s*$/;
const FRAME = /^\s*#(\d{1,4}) 0x([0-9a-fA-F]{1,16}) (?!in )(\S.*?)\s*$/;
const RAW = /^\s*\[(0x[0-9a-fA-F]{1,16})\]\s*$/;
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
  private start = 0;
  private end = 0;
  private signo: number | null = null;
  private code: string | null = null;
  private address: string | null = null;
  private readonly stack = new CappedStack();

  feed(line: string, lineNo: number): FeedResult {
    let m: RegExpExecArray | null;
    if (this.start === 0 && (m = RECEIVED.exec(line))) {
      this.start = this.end = lineNo;
      this.signo = Number(m[1]);
      this.code = m[2] ?? null;
      if (m[3] && ADDRESS_SIGNALS.has(this.signo)) this.address = `0x${BigInt(`0x${m[3]}`).toString(16)}`;
      return 'take';
    }
    if (this.signo !== null && (m = RAW.exec(line) ?? parseLine(line))) {
      this.end = lineNo;
      const raw = m.length === 2; // " [0x...]": only the address
      const [address, symbol, module] = raw ? [m[1]!, '??', null] : [m[3]!, m[2]!.replace(/[+-]0x[0-9a-fA-F]+$/, '') || '??', m[1]!];
      this.stack.push((index) => bareFrame(index, address, symbol, module, line.trim()));
      return 'take';
    }
    m = FRAME.exec(line);
    // Frame numbers run 0, 1, 2...: anything else is another text that happens to start with '#'.
    if (!m || Number(m[1]) !== this.stack.count) return 'end';
    if (this.start === 0) this.start = lineNo;
    this.end = lineNo;
    const name = m[3] === '<unknown>' ? '??' : m[3]!;
    this.stack.push((index) => bareFrame(index, `0x${m![2]!}`, name, null, line.trim()));
    return 'take';
  }

  finish(): ParsedTrace | null {
    // Without the handler's header, two numbered lines could be anything: ask for three.
    if (this.stack.frames.length < (this.signo === null ? 3 : 1)) return null;
    const mangled = this.stack.frames.filter((f) => f.rawFunction.startsWith('_Z'));
    demangle(mangled.map((f) => f.rawFunction)).forEach((name, i) => (mangled[i]!.rawFunction = name));
    const named = this.signo === null ? null : signalNameOf(this.signo);
    const code = this.code && this.code !== '<unknown>' ? this.code : null;
    return {
      format: 'butil',
      startLine: this.start,
      endLine: this.end,
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
