// backward-cpp's stack traces (backward::Printer, its signal handler): the deepest frame is #0, and
// the trace is printed most recent call last (the default) or first:
//
//   Stack trace (most recent call last) in thread 4242:
//   #3    Object "/lib/x86_64-linux-gnu/libc.so.6", at 0x7f3a1c229d90, in __libc_start_main
//   #2    Source "src/main.cpp", line 31, in main [0x55d0a1b2c3d4]
//            29:     Config cfg = load();
//         >  31:     run(cfg);
//   #1  | Source "src/run.cpp", line 12, in run(Config const&)
//       | Source "src/step.h", line 8, in step(int)
//         Source "src/step.h", line 4, in check(int) [0x55d0a1b2c000]
//   #0    Object "", at 0x0, in
//   Segmentation fault (Address not mapped to object [0x0])
//
// A frame with inlined calls prints its callers after "|" and the innermost location last, without
// the bar; code snippets (">  31:") follow a Source line. The signal handler ends with psignal-like
// text naming the signal and, for a fault, its address.

import { signalFromWords } from './signals.js';
import { pushCapped, TraceSpan } from './framework.js';
import { type BlockParser, type FeedResult, type ParsedFrame, type ParsedThread, type ParsedTrace, type TraceParser } from './types.js';

const HEADER = /^\s*Stack trace \(most recent call (last|first)\)(?: in thread (\d+))?:\s*$/;
/** "#12   Source ...", "#1  | Source ...", "    | Source ...", "      Source ..." (inline continuation). */
const LOCATION_LINE = /^\s*(?:#(\d+)\s+)?(\|\s+)?(Source|Object)\s+"(.*?)", (.*)$/;
const SOURCE_REST = /^line (\d+), in (.*?)(?: \[(0x[0-9a-fA-F]+)\])?\s*$/;
/** "at 0x7f3a1c229d90, in f"; on Windows the address has no "0x" ("at 00007FFE109B7614"). */
const OBJECT_REST = /^at (0x[0-9a-fA-F]+|[0-9A-Fa-f]+), in ?(.*?)\s*$/;
/** Windows: the frame number alone, then "   D:\src\main.cpp(33): main" on the next line. */
const NUMBER_ONLY = /^\s*#(\d+)\s*$/;
const WINDOWS_SOURCE = /^\s+(\S.*?)\((\d+)\): (\S.*?)\s*$/;
/** "        62:     code", "      >  64:     code" (a quote-stripping paste may have eaten the "> " and the indentation). */
const SNIPPET = /^\s*>?\s*\d{1,7}:(?:\s|$)/;
/** The signal handler's last line: psignal's words for the signal, si_code text, the address. */
const SIGNAL_LINE = /^(Segmentation fault|Aborted|Floating point exception|Illegal instruction|Bus error|Trace\/breakpoint trap|Bad system call)(?: \((.*)\))?\s*$/;
/** The words SIGNAL_LINE takes beyond strsignal()'s common ones (signalFromWords). */
const MORE_SIGNALS: Record<string, string> = { 'Trace/breakpoint trap': 'SIGTRAP', 'Bad system call': 'SIGSYS' };

export const backwardCppParser: TraceParser = {
  format: 'backward-cpp',
  label: "backward-cpp stack traces ('Stack trace (most recent call last):', '#0    Source \"file\", line N, in f')",
  markers: ['Stack trace (most recent call ', '    Source "', '    Object "'],
  // A paste may start at a numbered frame ('#3  | Source "...'), its indented lines below.
  lineMarkers: ['Stack trace (most recent call ', 'Source "', 'Object "'],
  startsTrace(line: string): boolean {
    // A paste may start at a frame: only a numbered one starts a trace.
    return HEADER.test(line) || (/^\s*#\d+ /.test(line) && LOCATION_LINE.test(line));
  },
  begin: () => new BackwardBlock(),
};

interface Location {
  function: string;
  module: string | null;
  file: string | null;
  line: number | null;
  address: string | null;
  raw: string;
}

class BackwardBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private threadId: string | null = null;
  /** Each printed frame number with its locations in print order. */
  private readonly groups: { index: number; locations: Location[] }[] = [];
  private signal: string | null = null;
  private description: string | null = null;
  private faultAddress: string | null = null;
  private sawHeader = false;
  /** The last line read was a Source line or its snippet: snippet lines may follow. */
  private afterSource = false;

  feed(line: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    return this.span.account(this.classify(line), lineNo);
  }

  private classify(line: string): FeedResult {
    let m: RegExpExecArray | null;
    if ((m = HEADER.exec(line))) {
      if (this.groups.length > 0 || this.sawHeader) return 'split';
      this.sawHeader = true;
      this.threadId = m[2] ?? null;
      return 'take';
    }
    if ((m = LOCATION_LINE.exec(line))) {
      const [, index, , kind, path, rest] = m;
      let location: Location | null = null;
      let r: RegExpExecArray | null;
      if (kind === 'Source' && (r = SOURCE_REST.exec(rest!))) location = { function: r[2] || '??', module: null, file: path || null, line: Number(r[1]), address: r[3] ?? null, raw: line.trim() };
      else if (kind === 'Object' && (r = OBJECT_REST.exec(rest!))) location = { function: r[2] || '??', module: path && !/^\[0x[0-9a-f]+\]$/.test(path) ? path : null, file: null, line: null, address: /^0x/.test(r[1]!) ? r[1]! : /^0+$/.test(r[1]!) ? null : `0x${r[1]!.replace(/^0+(?=.)/, '').toLowerCase()}`, raw: line.trim() };
      if (!location) return 'maybe';
      this.afterSource = kind === 'Source';
      if (index !== undefined) {
        // A number seen before: a second trace (another thread's, or the same printed again).
        if (this.groups.some((g) => g.index === Number(index))) return 'split';
        this.groups.push({ index: Number(index), locations: [location] });
      } else {
        const group = this.groups[this.groups.length - 1];
        if (!group) return 'maybe';
        group.locations.push(location);
      }
      return 'take';
    }
    if ((m = NUMBER_ONLY.exec(line)) && (this.groups.length > 0 || this.sawHeader)) {
      if (this.groups.some((g) => g.index === Number(m![1]))) return 'split';
      this.groups.push({ index: Number(m[1]), locations: [] });
      this.afterSource = false;
      return 'take';
    }
    const open = this.groups[this.groups.length - 1];
    if (open && open.locations.length === 0 && (m = WINDOWS_SOURCE.exec(line))) {
      open.locations.push({ function: m[3]!, module: null, file: m[1]!, line: Number(m[2]), address: null, raw: `#${open.index}\n${line.trim()}` });
      this.afterSource = true;
      return 'take';
    }
    if (this.afterSource && SNIPPET.test(line)) return 'take';
    if ((m = SIGNAL_LINE.exec(line)) && this.groups.length > 0) {
      this.signal = signalFromWords(m[1]!) ?? MORE_SIGNALS[m[1]!]!;
      this.description = m[2] ?? null;
      const addr = m[2] ? /\[(0x[0-9a-fA-F]+)\]$/.exec(m[2]) : null;
      if (addr && (this.signal === 'SIGSEGV' || this.signal === 'SIGBUS')) this.faultAddress = addr[1]!;
      return 'take';
    }
    return this.groups.length > 0 ? 'end' : 'maybe';
  }

  finish(): ParsedTrace | null {
    if (this.groups.length === 0) return null;
    const groups = this.groups.filter((g) => g.locations.length > 0);
    if (groups.length === 0) return null;
    const thread: ParsedThread = { id: this.threadId ?? '1', name: null, lwp: this.threadId ? Number(this.threadId) : null, frames: [] };
    // #0 is the deepest frame whichever order it was printed in.
    groups.sort((a, b) => a.index - b.index);
    for (const g of groups) {
      // Inline callers come first (after "|"), the innermost location last: innermost first here,
      // every location but the outermost caller inlined into the next.
      const locations = g.locations.length > 1 ? [g.locations[g.locations.length - 1]!, ...g.locations.slice(0, -1).reverse()] : g.locations;
      locations.forEach((l, i) => pushCapped(thread, frame(thread.frames.length, l, i < locations.length - 1)));
    }
    return {
      format: 'backward-cpp',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      faultAddress: this.faultAddress,
      program: null,
      threads: [thread],
      hints: this.signal ? [{ threadId: thread.id, reason: 'received-signal' }] : [],
      inside: [],
    };
  }
}

function frame(index: number, l: Location, inlined: boolean): ParsedFrame {
  return { index, address: l.address, rawFunction: l.function, module: l.module, file: l.file, line: l.line, column: null, inlined, raw: l.raw };
}
