// The crash handler of LLVM's Support library (llvm/lib/Support/Unix/Signals.inc), which every
// LLVM-based compiler and tool installs (clang, lld, opt, rustc's and swiftc's backends):
//   clang: llvm/lib/X.cpp:12: void f(): Assertion `x' failed.          (assert builds; context)
//   PLEASE submit a bug report to https://github.com/llvm/llvm-project/issues/ and include ...
//   Stack dump:
//   0.	Program arguments: clang -c x.c
//   1.	x.c:1:2: current parser token 'pragma'
//    #0 0x00007f026f4a5291 llvm::sys::PrintStackTrace(llvm::raw_ostream&, int) (/lib/x86_64-linux-gnu/libLLVM-14.so.1+0xea5291)
//    #3 0x00007f026f3cb83f (/lib/x86_64-linux-gnu/libLLVM-14.so.1+0xdcb83f)      (no symbol: module+offset)
//   #25 0x00007f026e44524a __libc_start_call_main ./csu/../sysdeps/nptl/libc_start_call_main.h:74:3
//   clang: error: clang frontend command failed with exit code 132 (use -v to see invocation)
// Without llvm-symbolizer the list is announced by "Stack dump without symbol names (ensure you have
// llvm-symbolizer ...)" and every frame is "(module+offset)". Older releases and macOS print
// backtrace()'s shape: "0  clang  0x000000010a1b2c3d llvm::sys::PrintStackTrace(llvm::raw_ostream&) + 40".
// "LLVM ERROR: msg" (report_fatal_error, which aborts) before "PLEASE submit" starts the dump too,
// and is its description. (An assertion line before the dump stays context: such lines also sit
// inside other tools' output, and would end their traces if they started one here.)
// The dump does not name the signal: abort() on the stack means SIGABRT; the driver's "exit code N"
// (128 + signal) or "unable to execute command: Segmentation fault" after the dump gives it too.

import { parseSanitizerFrame } from './sanitizer-frame.js';
import { signalNameOf } from './signals.js';
import { CappedStack, ForeignBudget, TraceSpan } from './framework.js';
import { bareFrame } from './stack.js';
import type { BlockParser, FeedResult, ParsedTrace, TraceParser } from './types.js';

const PLEASE = /^PLEASE submit a bug report to /;
const FATAL = /^LLVM ERROR: (.*?)\s*$/;
const STACK_DUMP = /^Stack dump:\s*$/;
const PRETTY = /^(\d+)\.\t(.*)$/;
const FRAME = /^\s*#\d+ 0x[0-9a-fA-F]+(?:\s|$)/;
/** backtrace()'s lines on macOS and in older releases: index, module, address, symbol + offset. */
const DARWIN_FRAME = /^(\d+)\s+(\S+)\s+(0x[0-9a-fA-F]+)(?:\s+(.*?))?\s*$/;
const EXIT_CODE = /^\S+: error: .* failed with exit code (\d+)/;
const UNABLE = /^\S+: error: unable to execute command: (.*?)(?: \(core dumped\))?\s*$/;
const DRIVER_TAIL = /^(?:\S+: (?:error|note): |\S+ version \d|\S.* version \d+\.\d+|Target: |Thread model: |InstalledDir: |\*{5,}\s*$|Preprocessed source\(s\) and associated run script\(s\) are located at:|\S+: note: diagnostic msg: )/;
/** Lines that are no frame but may sit inside the dump. */
const MAX_FOREIGN_LINES = 3;
const ABORT_FRAMES = /^(?:abort|__GI_abort|raise|__GI_raise|gsignal|__pthread_kill_implementation|__pthread_kill|pthread_kill|__assert_fail(?:_base)?|llvm::llvm_unreachable_internal|llvm::report_fatal_error)\b/;
const DESCRIBED: Record<string, number> = {
  'Segmentation fault': 11, Aborted: 6, 'Illegal instruction': 4, 'Bus error': 7, 'Floating point exception': 8,
  'Trace/breakpoint trap': 5, Killed: 9,
};

export const llvmParser: TraceParser = {
  format: 'llvm',
  label: "LLVM crash stack dumps ('PLEASE submit a bug report', 'Stack dump:')",
  markers: ['PLEASE submit', 'Stack dump:', 'LLVM ERROR: '],
  startsTrace: (line: string) => (line.startsWith('PLEASE') && PLEASE.test(line)) || (line.startsWith('Stack dump:') && STACK_DUMP.test(line)) || line.startsWith('LLVM ERROR: '),
  begin: () => new LlvmBlock(),
};

class LlvmBlock implements BlockParser {
  /** The trace starts at its first taken line. */
  private readonly span = new TraceSpan(new ForeignBudget(MAX_FOREIGN_LINES));
  private dumped = false;
  private program: string | null = null;
  private signo: number | null = null;
  private readonly stack = new CappedStack();
  private tail = false;
  private fatal: string | null = null;
  private please = false;

  feed(line: string, lineNo: number): FeedResult {
    return this.span.account(this.classify(line), lineNo);
  }

  private classify(line: string): FeedResult {
    let m: RegExpExecArray | null;
    if (this.span.start === 0) {
      this.dumped = STACK_DUMP.test(line);
      this.please = PLEASE.test(line);
      if ((m = FATAL.exec(line))) this.fatal = m[1]!;
      return 'take';
    }
    if (!this.dumped) {
      // After "LLVM ERROR:" comes "PLEASE submit ..." (or "Stack dump:"), which may wrap over lines.
      if (STACK_DUMP.test(line)) this.dumped = true;
      else if (PLEASE.test(line)) this.please = true;
      else if (!this.please || line.trim() === '') return 'end';
      return 'take';
    }
    if ((m = EXIT_CODE.exec(line))) {
      const code = Number(m[1]);
      if (code > 128 && code < 160 && this.signo === null) this.signo = code - 128;
      this.tail = true;
      return 'take';
    }
    if ((m = UNABLE.exec(line))) {
      this.signo ??= DESCRIBED[m[1]!] ?? null;
      this.tail = true;
      return 'take';
    }
    if (this.tail) return DRIVER_TAIL.test(line) || line.trim() === '' ? 'take' : 'end';
    if (!this.stack.count && (m = PRETTY.exec(line))) {
      // The pretty stack: what the tool was doing ("Program arguments:", the pass, the token).
      const args = /^Program arguments: (\S+)/.exec(m[2]!);
      if (args) this.program = args[1]!;
      return 'take';
    }
    if (/^Stack dump without symbol names/.test(line) || line.trim() === '') return 'take';
    if (FRAME.test(line)) {
      // "#4 0x000055d0c0a1b2cd" alone: an address and nothing known about it.
      const bare = /^\s*#\d+ (0x[0-9a-fA-F]+)\s*$/.exec(line);
      const f = bare ? bareFrame(0, bare[1]!, '??', null, line.trim()) : parseSanitizerFrame(line);
      // A frame line the frame reader cannot split is kept whole rather than dropped.
      const frame = f ?? bareFrame(0, /0x[0-9a-fA-F]+/.exec(line)![0], line.trim(), null, line.trim());
      this.stack.push((index) => ({ ...frame, index }));
      return 'take';
    }
    if ((m = DARWIN_FRAME.exec(line)) && Number(m[1]) === this.stack.count) {
      const symbol = (m[4] ?? '').replace(/\s+\+\s+\d+$/, '').trim();
      this.stack.push((index) => bareFrame(index, m![3]!, symbol === '' || /^0x[0-9a-f]+$/i.test(symbol) ? '??' : symbol, m![2]!, line.trim()));
      return 'take';
    }
    if (DRIVER_TAIL.test(line)) {
      this.tail = true;
      return 'take';
    }
    return this.stack.count ? 'maybe' : 'end';
  }

  finish(): ParsedTrace | null {
    if (this.stack.count === 0) return null;
    const frames = this.stack.frames;
    // Below the handler's frames (up to the signal trampoline, a libc frame without a name).
    const aborted = frames.slice(0, 16).some((f) => ABORT_FRAMES.test(f.rawFunction));
    const signo = aborted ? 6 : this.signo;
    const named = signo === null ? null : signalNameOf(signo);
    return {
      format: 'llvm',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: named?.name ?? null,
      signalDescription: this.fatal !== null ? `LLVM ERROR: ${this.fatal}` : (named?.description ?? null),
      faultAddress: null,
      program: this.program,
      threads: [this.stack.thread()],
      hints: [{ threadId: '1', reason: 'stop-reason' }],
      inside: [],
    };
  }
}
