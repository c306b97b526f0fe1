// The JVM's fatal error report (HotSpot's hs_err): its header on stdout, and the hs_err_pid<N>.log
// file's native frames. A crash in native code under Java (a JNI library, the JVM itself):
//
//   # A fatal error has been detected by the Java Runtime Environment:
//   #
//   #  SIGSEGV (0xb) at pc=0x00007f2c8c1a52e4, pid=31877, tid=31912
//   # Problematic frame:
//   # C  [libjzstd.so+0x52e4]  jz_decompress_block+0x44
//
//   Native frames: (J=compiled Java code, j=interpreted, Vv=VM code, C=native code)
//   C  [libjzstd.so+0x52e4]  jz_decompress_block+0x44
//   j  com.dev.Zstd.decompress([B)[B+0
//   V  [libjvm.so+0x8a1c2e]  JavaCalls::call_helper(JavaValue*, methodHandle const&, JavaCallArguments*, JavaThread*)+0x2be
//
//   siginfo: si_signo: 11 (SIGSEGV), si_code: 1 (SEGV_MAPERR), si_addr: 0x0000000000000000
//
// The problematic frame alone is a one-frame trace; the native frames, when the log is pasted, replace it.

import { CappedStack, ForeignBudget, TraceSpan } from './framework.js';
import { signalName } from './signals.js';
import { type BlockParser, type FeedResult, type ParsedFrame, type ParsedTrace, type TraceParser } from './types.js';

const BANNER = /^#\s*A fatal error has been detected by the Java Runtime Environment:?\s*$/;
const SIGNAL_LINE = /^#\s+(SIG[A-Z]+|EXCEPTION_[A-Z_]+) \((0x[0-9a-fA-F]+)\) at pc=(0x[0-9a-fA-F]+), pid=(\d+), tid=(\d+)/;
const PROBLEMATIC = /^#\s*Problematic frame:\s*$/;
const NATIVE_HEADER = /^Native frames: \(/;
const JAVA_HEADER = /^Java frames: \(/;
/** "C  [libjzstd.so+0x52e4]  jz_decompress_block+0x44", "j  com.dev.Zstd.decompress([B)[B+0", "v  ~StubRoutines::call_stub". */
const FRAME = /^#?\s*([CjJAVv])\s+(?:\[([^\]]+?)\+(0x[0-9a-fA-F]+)\]\s*)?(.*?)\s*$/;
const SIGINFO = /^siginfo: si_signo: (\d+) \((SIG[A-Z]+)\).*?si_addr: (0x[0-9a-fA-F]+)/;
const WINDOWS: Record<string, string> = { EXCEPTION_ACCESS_VIOLATION: 'SIGSEGV', EXCEPTION_STACK_OVERFLOW: 'SIGSEGV', EXCEPTION_ILLEGAL_INSTRUCTION: 'SIGILL', EXCEPTION_INT_DIVIDE_BY_ZERO: 'SIGFPE' };
/** Lines of a report between its parts (the JRE version, the core dump note, the bug-report URL, registers, the log's other sections). */
const MAX_FOREIGN = 400;
/** Before any frame: the header's own lines only (a banner quoted in prose is no report). */
const MAX_HEADER_FOREIGN = 30;

export const jvmHsErrParser: TraceParser = {
  format: 'jvm',
  label: "the JVM's fatal error report ('# A fatal error has been detected by the Java Runtime Environment', hs_err_pid.log)",
  markers: ['Java Runtime Environment', ') at pc=0x'],
  startsTrace: (line: string) => line.charCodeAt(0) === 35 /* # */ && (BANNER.test(line) || SIGNAL_LINE.test(line)),
  begin: () => new HsErrBlock(),
};

class HsErrBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private readonly foreign = new ForeignBudget(MAX_FOREIGN);
  private problematic: ParsedFrame | null = null;
  private readonly native = new CappedStack();
  private signal: string | null = null;
  private description: string | null = null;
  private faultAddress: string | null = null;
  private program: string | null = null;
  private section: 'header' | 'problematic' | 'native' | 'other' = 'header';
  private headerForeign = 0;

  feed(line: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    let m: RegExpExecArray | null;
    const t = line.trim();
    if ((m = SIGNAL_LINE.exec(t))) {
      if (this.signal !== null && this.problematic) return 'split';
      this.signal = m[1]!.startsWith('SIG') ? signalName(m[1]!) : (WINDOWS[m[1]!] ?? null);
      this.description = t.replace(/^#\s*/, '');
      return this.took(lineNo);
    }
    if (BANNER.test(t)) return this.signal === null ? this.took(lineNo) : 'split';
    if (PROBLEMATIC.test(t)) {
      this.section = 'problematic';
      return this.took(lineNo);
    }
    if (NATIVE_HEADER.test(t)) {
      this.section = 'native';
      return this.took(lineNo);
    }
    if (JAVA_HEADER.test(t)) {
      this.section = 'other';
      return this.took(lineNo);
    }
    if ((m = SIGINFO.exec(t))) {
      this.signal ??= signalName(m[2]!);
      this.faultAddress = m[3]!.toLowerCase();
      return this.took(lineNo);
    }
    if ((this.section === 'problematic' || this.section === 'native') && (m = FRAME.exec(t)) && (m[2] || m[1] !== 'C')) {
      if (this.section === 'problematic') {
        this.problematic = frameOf(0, m, t);
        this.section = 'other';
      } else this.native.push((i) => frameOf(i, m!, t));
      return this.took(lineNo);
    }
    if (this.section === 'native' && t === '') this.section = 'other';
    if ((m = /^#?\s*Command Line: (\S+)/.exec(t))) this.program ??= m[1]!;
    // Nothing of the report yet after the banner's few lines: not one.
    if (this.signal === null && this.span.end - this.span.start > 6) return 'end';
    // The report's other lines ("# JRE version", registers, the log's other sections), up to the budget.
    return this.spendForeign();
  }

  private took(lineNo: number): 'take' {
    this.foreign.reset();
    return this.span.took(lineNo);
  }

  /** A line of the report that is none of its parts ('maybe': a trace of another format may start there). */
  private spendForeign(): FeedResult {
    if (!this.problematic && this.native.count === 0 && ++this.headerForeign > MAX_HEADER_FOREIGN) return 'end';
    return this.foreign.spend();
  }

  finish(): ParsedTrace | null {
    const frames = this.native.count > 0 ? this.native.frames : this.problematic ? [this.problematic] : [];
    if (frames.length === 0 || this.signal === null) return null;
    return {
      format: 'jvm',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      faultAddress: this.faultAddress,
      program: this.program,
      threads: [{ id: '1', name: null, lwp: null, frames, ...(this.native.dropped ? { droppedFrames: this.native.dropped } : {}) }],
      hints: [],
      inside: [],
    };
  }
}

function frameOf(index: number, m: RegExpExecArray, raw: string): ParsedFrame {
  const kind = m[1]!;
  const module = m[2] ?? (kind === 'j' || kind === 'J' || kind === 'A' ? 'java' : null);
  // Native: "jz_decompress_block+0x44", "JavaCalls::call_helper(JavaValue*, ...)+0x2be". Java: "com.dev.Zstd.decompress([B)[B+0"
  // (interpreted, with its bytecode index), "J 2345 c2 java.util.HashMap.get(Ljava/lang/Object;)Ljava/lang/Object; java.base@17 (23 bytes) @ 0x..." (compiled).
  const text = m[4]!;
  const java = kind === 'j' || kind === 'J' || kind === 'A' ? /[\w$.\/<>-]+\([^)]*\)\S*/.exec(text)?.[0] : null;
  const name = (java ?? text).replace(/\+(?:0x[0-9a-fA-F]+|\d+)$/, '');
  return { index, address: null, rawFunction: name === '' ? '??' : name, module, file: null, line: null, column: null, inlined: false, raw, ...(m[2] && m[3] ? { moduleOffset: m[3].toLowerCase() } : {}) };
}
