// boost::stacktrace's text (operator<< of a stacktrace, boost::stacktrace::to_string): one frame a
// line, numbered from 0 (the deepest), right-aligned to two places, then '#':
//
//    0# cfg::Reader::get(std::string const&) at /src/cfg/reader.cpp:57
//    1# load_config(char const*) in ./server
//    2# 0x00007F3A1C229D90 in /lib/x86_64-linux-gnu/libc.so.6
//    3# main +0x13                               (libunwind builds)
//    4#
//
// "at file:line" when the build resolves source locations (addr2line, libbacktrace), "in module"
// otherwise; an unresolved frame is its address. The format prints no signal: a handler prints it
// on a line before the trace ("Signal 11 (SIGSEGV) caught"), read by normalize/.

import { CappedStack, TraceSpan } from './framework.js';
import { type BlockParser, type FeedResult, type ParsedFrame, type ParsedTrace, type TraceParser } from './types.js';

const FRAME = /^\s*(\d{1,5})# ?(.*?)\s*$/;
const AT = /^(.*?) at (.+):(\d+)$/;
const IN = /^(.*?) in (\S.*)$/;
const OFFSET = /^(.*?) \+0x[0-9A-Fa-f]+$/;
const ADDRESS = /^0x[0-9A-Fa-f]+$/;

export const boostStacktraceParser: TraceParser = {
  format: 'boost-stacktrace',
  label: "boost::stacktrace output (' 0# f(int) at file.cpp:12', ' 1# g in ./prog')",
  markers: ['0# '],
  startsTrace(line: string): boolean {
    // The first frame, with something after it that a frame can be.
    return /^\s{0,4}0# \S/.test(line);
  },
  begin: () => new BoostBlock(),
};

class BoostBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private readonly stack = new CappedStack();

  feed(line: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    const m = FRAME.exec(line);
    if (!m) return this.stack.count > 0 ? 'end' : 'maybe';
    const index = Number(m[1]);
    // Numbering starts again: another stack trace.
    if (index !== this.stack.count) return index === 0 ? 'split' : 'end';
    const text = m[2]!;
    this.stack.push((i) => frameOf(i, text, line.trim()));
    return this.span.took(lineNo);
  }

  finish(): ParsedTrace | null {
    // A single "0# x" is too little to be a stack trace.
    if (this.stack.count < 2) return null;
    const thread = this.stack.thread();
    return {
      format: 'boost-stacktrace',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: null,
      signalDescription: null,
      faultAddress: null,
      program: null,
      threads: [thread],
      hints: [],
      inside: [],
    };
  }
}

export function frameOf(index: number, text: string, raw: string): ParsedFrame {
  const base = { index, address: null as string | null, rawFunction: '??', module: null as string | null, file: null as string | null, line: null as number | null, column: null, inlined: false, raw };
  let m: RegExpExecArray | null;
  if ((m = AT.exec(text))) return withFunction({ ...base, file: m[2]!, line: Number(m[3]) }, m[1]!);
  if ((m = IN.exec(text))) return withFunction({ ...base, module: m[2]! }, m[1]!);
  if ((m = OFFSET.exec(text))) return withFunction(base, m[1]!);
  return withFunction(base, text);
}

function withFunction(frame: ParsedFrame, fn: string): ParsedFrame {
  const name = fn.trim();
  if (ADDRESS.test(name)) return { ...frame, address: `0x${name.slice(2).toLowerCase()}` };
  return { ...frame, rawFunction: name || '??' };
}
