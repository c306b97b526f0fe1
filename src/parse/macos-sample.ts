// macOS' `sample` (and Activity Monitor's "Sample Process", spindump's per-process call graph): what
// people paste when a program hangs on a Mac. A tree per thread, outermost frame first, each node
// with the samples it was seen in; a node's children are listed heaviest first, so the thread's
// stack in most samples is the run of lines right under its header, each indented deeper than the
// one before:
//
//   Call graph:
//       2571 Thread_6203917   DispatchQueue_1: com.apple.main-thread  (serial)
//       + 2571 start  (in dyld) + 2360  [0x18d3720e0]
//       +   2571 main  (in tilegen) + 120  [0x100003a2c]  main.cpp:22
//       +     2571 __psynch_mutexwait  (in libsystem_kernel.dylib) + 8  [0x18d6ae2a4]
//       +     ! 12 other_branch ...                     (a lighter sibling: not on that path)
//       2571 Thread_6203940
//
// Older releases indent without the '+'; unsymbolized nodes are "???  (in bash)  load address
// 0x10a926000 + 0x1e98  [0x10a927e98]" or a bare address. No signal: the hang analysis picks the
// thread and the signature from the waits (normalize/hang.ts).

import { ForeignBudget, pushCapped, TraceSpan } from './framework.js';
import { markMangled } from './backtrace-symbols.js';
import { bareFrame } from './stack.js';
import type { BlockParser, FeedResult, ParsedFrame, ParsedThread, ParsedTrace, TraceParser } from './types.js';

const CALL_GRAPH = /^\s*Call graph:\s*$/;
const THREAD = /^(\s*)\d+ (Thread_[0-9a-fA-F]+)(?::? +(.*?))?\s*$/;
/** A node: the tree's indentation ('+', '!', ':', '|' and blanks), the sample count, the node. */
const NODE = /^([\s+!:|]*?)\d+ (\S.*?)\s*$/;
const SYMBOL = /^(.+?)\s+\(in ([^)]+)\)(?:\s+load address 0x[0-9a-fA-F]+ \+ 0x[0-9a-fA-F]+| \+ \d+)?\s+\[(0x[0-9a-fA-F]+)[^\]]*\](?:\s+(\S+?):(\d+))?$/;
const ADDRESS_ONLY = /^(0x[0-9a-fA-F]+)$/;

export const macosSampleParser: TraceParser = {
  format: 'macos-sample',
  label: "macOS sample / Activity Monitor call graphs ('Call graph:', '2571 Thread_6203917 ...', '+ 2571 main  (in app) + 120  [0x...]')",
  markers: ['Call graph:'],
  startsTrace: (line: string) => CALL_GRAPH.test(line),
  begin: () => new SampleBlock(),
};

class SampleBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(1));
  private readonly threads: ParsedThread[] = [];
  /** Outermost first, while the thread's heaviest path is being read. */
  private path: ParsedFrame[] | null = null;
  private depth = -1;
  private threadIndent = -1;

  feed(line: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    return this.span.account(this.classify(line), lineNo);
  }

  private classify(line: string): FeedResult {
    if (CALL_GRAPH.test(line)) return this.threads.length ? 'end' : 'take';
    let m = THREAD.exec(line);
    if (m && (this.threadIndent < 0 || m[1]!.length === this.threadIndent)) {
      this.closeThread();
      this.threadIndent = m[1]!.length;
      this.threads.push({ id: m[2]!, name: m[3] || null, lwp: null, frames: [] });
      this.path = [];
      this.depth = this.threadIndent;
      return 'take';
    }
    m = this.threads.length ? NODE.exec(line) : null;
    if (!m || m[1]!.length <= this.threadIndent) return line.trim() === '' ? 'maybe' : 'end';
    // The heaviest path ends at the first line not deeper than the one before: a sibling.
    if (this.path && m[1]!.length > this.depth) {
      this.path.push(nodeFrame(m[2]!, line.trim()));
      this.depth = m[1]!.length;
    } else this.closeThread();
    return 'take';
  }

  private closeThread(): void {
    const thread = this.threads[this.threads.length - 1];
    if (!thread || !this.path) return;
    for (const frame of this.path.reverse()) pushCapped(thread, { ...frame, index: thread.frames.length });
    this.path = null;
  }

  finish(): ParsedTrace | null {
    this.closeThread();
    const threads = this.threads.filter((t) => t.frames.length > 0);
    if (threads.length === 0) return null;
    return {
      format: 'macos-sample', startLine: this.span.start, endLine: this.span.end,
      signal: null, signalDescription: null, faultAddress: null, program: null,
      threads, hints: [], inside: [],
    };
  }
}

function nodeFrame(text: string, raw: string): ParsedFrame {
  const m = SYMBOL.exec(text);
  if (!m) {
    const address = ADDRESS_ONLY.exec(text)?.[1];
    return address ? bareFrame(0, address, '??', null, raw) : { ...bareFrame(0, '', text, null, raw), address: null };
  }
  const frame = markMangled(bareFrame(0, m[3]!, m[1] === '???' ? '??' : m[1]!, m[2] === '<unknown binary>' ? null : m[2]!, raw));
  return m[4] ? { ...frame, file: m[4], line: Number(m[5]) } : frame;
}
