// glibc backtrace_symbols()/backtrace_symbols_fd() lines, as programs' own crash handlers print them:
//   ./prog(_ZN6ingest3runEi+0x3d) [0x557bcc9081f6]      (backtrace_symbols: a space before "[")
//   /lib/x86_64-linux-gnu/libc.so.6(+0x3c050)[0x7fc2...]  (backtrace_symbols_fd: none)
//   ./client(brpc::Socket::ProcessEvent(void*)+0x20) [0x55d0c0b01e3a]
//                                      (butil/Chromium StackTrace: demangled in place, so the symbol
//                                       itself holds parentheses and spaces)
// A trace is two or more such lines in a row. Itanium C++ names (_Z...) are demangled with
// binutils' c++filt when it is installed (one process per trace); otherwise they stay mangled.

import { spawnSync } from 'node:child_process';
import { bareFrame, CappedStack } from './stack.js';
import type { BlockParser, FeedResult, ParsedTrace, TraceParser } from './types.js';

// The module has no parentheses; the symbol runs to the last ") [0x": greedy, one backtrack point.
// Crash handlers often number the lines ("0 prog(f+0x1) [0x...]", "#3 ./prog(...)"): an index is allowed.
const LINE = /^\s*(?:#?\d{1,4}:?\s+)?(\S[^()\s]*)\((.*)\)\s?\[(0x[0-9a-fA-F]+)\]\s*$/;
/** What glibc writes between the parentheses: nothing, "+0x1f", or "symbol+0x1f" (or "-0x"). */
const SYMBOL = /(?:^|\S)[+-]0x[0-9a-fA-F]+$/;

/** A backtrace_symbols line: [whole, module, symbol with offset, address], or null. */
export function parseLine(line: string): RegExpExecArray | null {
  const m = LINE.exec(line);
  return m && (m[2] === '' || SYMBOL.test(m[2]!)) ? m : null;
}

export const backtraceSymbolsParser: TraceParser = {
  format: 'backtrace_symbols',
  label: "backtrace_symbols lines ('prog(f+0x12) [0x...]')",
  // Lines hold "+0x" (the offset into the symbol or module): cheaper to search raw bytes for than
  // "[0x", since "[" starts many log lines ("[INFO]").
  markers: ['+0x'],
  startsTrace: (line: string) => line.includes('[0x') && parseLine(line) !== null,
  begin: () => new BacktraceSymbolsBlock(),
};

let cxxfilt: boolean | null = null;

/** Names demangled so far: a scan meets the same crash many times, and each c++filt costs a process. */
const demangled = new Map<string, string>();
const CACHE_LIMIT = 50_000;

/** Demangles Itanium names with c++filt; returns the input unchanged when it is not available. */
export function demangle(names: string[]): string[] {
  const unknown = [...new Set(names.filter((n) => !demangled.has(n)))];
  if (unknown.length > 0 && cxxfilt !== false) {
    const r = spawnSync('c++filt', [], { input: unknown.join('\n') + '\n', encoding: 'utf8', timeout: 5000 });
    if (r.error || r.status !== 0) cxxfilt = false;
    else {
      cxxfilt = true;
      if (demangled.size + unknown.length > CACHE_LIMIT) demangled.clear();
      const out = r.stdout.split('\n');
      unknown.forEach((n, i) => demangled.set(n, out[i] || n));
    }
  }
  return names.map((n) => demangled.get(n) ?? n);
}

class BacktraceSymbolsBlock implements BlockParser {
  private start = 0;
  private end = 0;
  private readonly stack = new CappedStack();

  feed(line: string, lineNo: number): FeedResult {
    const m = parseLine(line);
    if (!m) return 'end';
    if (this.start === 0) this.start = lineNo;
    this.end = lineNo;
    const symbol = m[2]!.replace(/[+-]0x[0-9a-fA-F]+$/, '');
    this.stack.push((index) => bareFrame(index, m[3]!, symbol || '??', m[1]!, line.trim()));
    return 'take';
  }

  finish(): ParsedTrace | null {
    if (this.stack.frames.length < 2) return null;
    const mangled = this.stack.frames.filter((f) => f.rawFunction.startsWith('_Z'));
    demangle(mangled.map((f) => f.rawFunction)).forEach((name, i) => (mangled[i]!.rawFunction = name));
    return {
      format: 'backtrace_symbols',
      startLine: this.start,
      endLine: this.end,
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
