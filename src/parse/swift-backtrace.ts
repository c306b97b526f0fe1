// Swift's runtime backtracer (Swift 5.9+ on Linux, SWIFT_BACKTRACE; a server or a tool mixing Swift
// with C and C++ libraries), on stderr:
//   *** Signal 11: Backtracing from 0x7f8606d48784... done ***
//   *** Program crashed: Bad pointer dereference at 0x0000000000000008 ***
//   Thread 0 "main":
//   0  0x00007f86059fccce <unknown> in libc.so.6
//   Thread 9 crashed:                                     (or Thread 2 "NIO-ELT-0-#1" crashed:)
//   0      0x00007f8606d48784 swift::RefCounts<...>::incrementSlow(...) + 84 in libswiftCore.so
//   1 [ra] 0x000055d1cfc75746 Collection<>.anyMatch(filename:) + 37 in Frontend at /src/Sources/A.swift:41:17
//   2 [ra] [inlined] 0x... f() in app at /src/x.swift:3:5        ([async], [system], [thunk] marks too)
//   Registers: ...    Images (N omitted): ...    Backtrace took 0.12s
// A frame: its number, marks in brackets, the address, the symbol (with " + offset"), " in module",
// and " at file:line:column" when there is debug info.

import { CappedStack, ForeignBudget, TraceSpan } from './framework.js';
import type { BlockParser, FeedResult, ParsedThread, ParsedTrace, TraceParser, ParsedFrame } from './types.js';

const CRASHED = /^\*\*\* Program crashed: (.*?)(?: at (0x[0-9a-fA-F]+))? \*\*\*\s*$/;
const BACKTRACING = /^\*\*\* Signal \d+: Backtracing from 0x[0-9a-fA-F]+\.\.\. (?:done|failed) \*\*\*\s*$/;
const THREAD = /^Thread (\d+)(?: "(.*)")?( crashed)?:\s*$/;
const FRAME = /^(\d{1,4})((?: \[[a-z]+\])*) +(0x[0-9a-fA-F]+) (.*?)(?: in (\S+?))?(?: at (\S+?):(\d+)(?::\d+)?)?\s*$/;
const END = /^(?:Registers:|Images \(|Images:|Backtrace took )/;
const OTHER = /^(?:\.\.\.|\*\*\* .* \*\*\*|Crash Log|Platform:|Fatal error: )/;
const REASONS: Record<string, string> = {
  'Bad pointer dereference': 'SIGSEGV', 'Illegal instruction': 'SIGILL', Aborted: 'SIGABRT', 'System trap': 'SIGTRAP',
  'Floating point exception': 'SIGFPE', 'Arithmetic error': 'SIGFPE', 'Bus error': 'SIGBUS', 'Bad system call': 'SIGSYS', 'Trace/breakpoint trap': 'SIGTRAP',
};

export const swiftBacktraceParser: TraceParser = {
  format: 'swift-backtrace',
  label: "Swift's runtime backtraces ('*** Program crashed: Bad pointer dereference at 0x... ***', 'Thread 9 crashed:')",
  markers: ['*** Program crashed: ', ': Backtracing from '],
  startsTrace: (line) => { const t = line.trim(); return CRASHED.test(t) || BACKTRACING.test(t); },
  begin: () => new SwiftBlock(),
};

class SwiftBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(3));
  private readonly threads: ParsedThread[] = [];
  private stack: CappedStack | null = null;
  private thread: { id: string; name: string | null } = { id: '0', name: null };
  private crashedId: string | null = null;
  private signal: string | null = null;
  private description: string | null = null;
  private faultAddress: string | null = null;
  private readonly inside: { line: number; text: string }[] = [];

  feed(raw: string, lineNo: number): FeedResult {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if (line === '') return this.span.took(lineNo);
    if (BACKTRACING.test(line)) return this.threads.length || this.stack ? 'split' : this.span.took(lineNo);
    if ((m = CRASHED.exec(line))) {
      if (this.threads.length || this.stack) return 'split';
      [this.signal, this.description] = [REASONS[m[1]!] ?? null, m[1]!];
      if (m[2] && this.signal !== 'SIGABRT' && this.signal !== 'SIGTRAP') this.faultAddress = `0x${m[2].slice(2).toLowerCase().replace(/^0+(?=.)/, '')}`;
      return this.span.took(lineNo);
    }
    if ((m = THREAD.exec(line))) {
      this.close();
      this.thread = { id: m[1]!, name: m[2] ?? null };
      if (m[3]) this.crashedId = m[1]!;
      this.stack = new CappedStack();
      return this.span.took(lineNo);
    }
    if (END.test(line)) return 'end';
    if (this.stack && (m = FRAME.exec(line))) {
      const [, , marks, address, symbol, module, file, at] = m;
      const name = symbol!.replace(/ \+ \d+$/, '').trim();
      this.stack.push((index): ParsedFrame => ({
        index, address: address!.toLowerCase(), rawFunction: name === '<unknown>' || name === '' ? '??' : name, module: module ?? null,
        file: file ?? null, line: at ? Number(at) : null, column: null, inlined: /\[inlined\]/.test(marks!), raw: line,
      }));
      return this.span.took(lineNo);
    }
    if (OTHER.test(line)) {
      if (line.startsWith('Fatal error: ')) this.inside.push({ line: lineNo, text: line });
      return this.span.took(lineNo);
    }
    return this.span.foreign();
  }

  private close(): void {
    if (this.stack && this.stack.count > 0) this.threads.push({ ...this.stack.thread(), id: this.thread.id, name: this.thread.name });
    this.stack = null;
  }

  finish(): ParsedTrace | null {
    this.close();
    if (this.threads.length === 0) return null;
    const crashed = this.threads.find((t) => t.id === this.crashedId) ?? this.threads[0]!;
    return {
      format: 'swift-backtrace',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      faultAddress: this.faultAddress,
      program: null,
      threads: this.threads,
      hints: [{ threadId: crashed.id, reason: 'received-signal' }],
      inside: this.inside,
    };
  }
}
