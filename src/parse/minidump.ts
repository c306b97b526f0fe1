// minidump_stackwalk output: what Breakpad's and rust-minidump's stackwalkers print for a minidump
// that Crashpad or Breakpad wrote (Electron, Chromium, Firefox, Qt and game crash reporters; Sentry
// shows the same frames). Two shapes:
//
//   human:   Crash reason:  SIGSEGV /SEGV_MAPERR          machine (-m):  Crash|SIGSEGV|0x0|0
//            Crash address: 0x0                                        0|0|crash|crash()|crash.cc|7|0x0
//            Thread 0 (crashed)                                        0|1|libc.so.6||||0x21b97
//             0  crash!crash() [crash.cc : 7 + 0x0]
//                rax = 0x0000000000000000   rdx = 0x00007ffc8e5d7b68
//                Found by: given as instruction pointer in context
//             1  libc.so.6 + 0x21b97
//
// The crash reason is the OS's: a signal on Linux, a Mach exception on macOS, a Windows exception
// code; each is mapped to the signal that means the same fault.

import { ForeignBudget, pushCapped, TraceSpan } from './framework.js';
import { type BlockParser, type FeedResult, type ParsedFrame, type ParsedThread, type ParsedTrace, type TraceParser } from './types.js';

const HUMAN_START = /^\s*(?:Crash reason:\s+\S|Operating system:\s+\S|Thread \d+ \(crashed\)\s*$)/;
/** The machine form's crash line starts its report; its OS/CPU/GPU lines before are context. Only
 *  "Crash|" is a marker: three-letter ones ("OS|") cost the prefilter on every log, for nothing. */
const MACHINE_START = /^Crash\|/;
const HUMAN_THREAD = /^\s*Thread (\d+)(?: \((crashed)\))?\s*$/;
/** " 0  module!function [file : line + 0xoff]", " 1  module!function + 0x9", " 2  module + 0x21b97", " 3  0x7ffc41f3074f". */
const HUMAN_FRAME = /^\s*(\d+)\s{2}(\S.*?)\s*$/;
const HUMAN_SYMBOL = /^([^!\s]+)!(.+?)(?: \[(.+?) : (\d+) \+ 0x[0-9a-fA-F]+\]| \+ 0x[0-9a-fA-F]+)?$/;
const HUMAN_MODULE_OFFSET = /^(\S.*?) \+ (0x[0-9a-fA-F]+)$/;
const HUMAN_ADDRESS = /^0x[0-9a-fA-F]+$/;
/** Register lines and the stackwalker's note of how it found the frame. */
const FRAME_DETAIL = /^\s+(?:(?:[a-z]{1,3}\d{0,2}|[xwr]\d{1,2}|[er]?[sbi]p|pc|lr|fp|sp|cpsr|eflags)\s*=\s*0x[0-9a-fA-F]+\s*)+$|^\s+Found by: /;
const HEADER = /^\s*(Crash reason|Crash address|Assertion|Process uptime|Operating system|CPU|GPU|Crashing instruction|Memory accessed by instruction):\s*(.*?)\s*$/;
/** Continuation lines of the OS and CPU headers ("                  0.0.0 Linux ...", "     8 CPUs"). */
const HEADER_CONTINUATION = /^\s{5,}\S/;
const MACHINE_FRAME = /^(\d+)\|(\d+)\|([^|]*)\|([^|]*)\|([^|]*)\|(\d*)\|(0x[0-9a-fA-F]+)?\s*$/;

export const minidumpParser: TraceParser = {
  format: 'minidump',
  label: "minidump_stackwalk output ('Crash reason:', 'Thread N (crashed)', 'Crash|SIGSEGV|0x0|0')",
  markers: ['Crash reason:', 'Operating system:', '(crashed)', 'Crash|'],
  startsTrace(line: string): boolean {
    return MACHINE_START.test(line) || HUMAN_START.test(line);
  },
  begin: () => new MinidumpBlock(),
};

/** The signal a crash reason means: Linux names it, macOS and Windows name an exception. */
export function signalOfCrashReason(reason: string): string | null {
  const sig = /\b(SIG[A-Z]+\d*)\b/.exec(reason);
  if (sig) return sig[1]!;
  if (/EXC_BAD_ACCESS|ACCESS_VIOLATION|IN_PAGE_ERROR|STACK_OVERFLOW|GUARD_PAGE/.test(reason)) return /KERN_PROTECTION_FAILURE|EXC_ARM_DA_ALIGN/.test(reason) ? 'SIGBUS' : 'SIGSEGV';
  if (/EXC_BAD_INSTRUCTION|ILLEGAL_INSTRUCTION|PRIV_INSTRUCTION/.test(reason)) return 'SIGILL';
  if (/EXC_ARITHMETIC|DIVIDE_BY_ZERO|INT_OVERFLOW|FLT_/.test(reason)) return 'SIGFPE';
  if (/EXC_BREAKPOINT|EXCEPTION_BREAKPOINT|EXCEPTION_SINGLE_STEP/.test(reason)) return 'SIGTRAP';
  if (/EXC_CRASH|abort|STATUS_FATAL_APP_EXIT|STACK_BUFFER_OVERRUN/.test(reason)) return 'SIGABRT';
  return null;
}

/** Blank lines tolerated in a row; more end the dump once a frame was read. */
const MAX_BLANK_LINES = 2;

class MinidumpBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private machine = false;
  private reason: string | null = null;
  private faultAddress: string | null = null;
  private crashedThread: string | null = null;
  private readonly threads = new Map<string, ParsedThread>();
  private current: ParsedThread | null = null;
  private readonly inside: { line: number; text: string }[] = [];
  private readonly blanks = new ForeignBudget(MAX_BLANK_LINES);

  feed(line: string, lineNo: number): FeedResult {
    if (this.span.start === 0) {
      this.span.open(lineNo);
      this.machine = MACHINE_START.test(line);
    }
    return this.span.account(this.machine ? this.machineLine(line) : this.humanLine(line, lineNo), lineNo);
  }

  private get hasFrames(): boolean {
    for (const t of this.threads.values()) if (t.frames.length) return true;
    return false;
  }

  private thread(id: string): ParsedThread {
    let t = this.threads.get(id);
    if (!t) this.threads.set(id, (t = { id, name: null, lwp: null, frames: [] }));
    return t;
  }

  private push(thread: ParsedThread, frame: ParsedFrame): void {
    pushCapped(thread, frame);
  }

  private machineLine(line: string): FeedResult {
    let m: RegExpExecArray | null;
    if ((m = MACHINE_FRAME.exec(line))) {
      const [, tid, index, module, fn, file, lineNo, offset] = m;
      this.push(this.thread(tid!), {
        // The offset is into the function, or into the module without one: never an address.
        index: Number(index), address: !fn && !module && offset ? offset : null, rawFunction: fn || '??', module: module || null,
        file: file ? sourcePath(file) : null, line: lineNo ? Number(lineNo) : null, column: null, inlined: false, raw: line.trim(),
        // Without a function the offset is into the module.
        ...(!fn && module && offset ? { moduleOffset: offset } : {}),
      });
      return 'take';
    }
    if (line.startsWith('Crash|')) {
      const [, reason, address, tid] = line.trim().split('|');
      this.reason = reason || null;
      this.faultAddress = address && /^0x[0-9a-fA-F]+$/.test(address) ? address : null;
      if (tid && /^\d+$/.test(tid)) this.crashedThread = tid;
      return 'take';
    }
    if (/^(?:OS|CPU|GPU|Module)\|/.test(line)) return this.hasFrames && !line.startsWith('Module|') ? 'split' : 'take';
    return 'end';
  }

  private humanLine(line: string, lineNo: number): FeedResult {
    let m: RegExpExecArray | null;
    if (line.trim() === '') return this.blanks.spend() === 'end' && this.hasFrames ? 'end' : 'maybe';
    this.blanks.reset();
    if ((m = HUMAN_THREAD.exec(line))) {
      this.current = this.thread(m[1]!);
      if (m[2]) this.crashedThread = m[1]!;
      return 'take';
    }
    if (this.current && (m = HUMAN_FRAME.exec(line)) && !/=/.test(m[2]!)) {
      this.push(this.current, humanFrame(Number(m[1]), m[2]!, line));
      return 'take';
    }
    if (this.current && FRAME_DETAIL.test(line)) return 'take';
    if (/^\s*Loaded modules:/.test(line)) return this.hasFrames ? 'end' : 'take';
    if ((m = HEADER.exec(line))) {
      if (this.hasFrames) return m[1] === 'Operating system' || m[1] === 'Crash reason' ? 'split' : 'end';
      if (m[1] === 'Crash reason') this.reason = m[2]!;
      else if (m[1] === 'Crash address' && /^0x[0-9a-fA-F]+$/.test(m[2]!)) this.faultAddress = m[2]!;
      else if (m[1] === 'Assertion') this.inside.push({ line: lineNo, text: m[2]! });
      return 'take';
    }
    if (!this.current && HEADER_CONTINUATION.test(line)) return 'take';
    return this.hasFrames ? 'end' : 'maybe';
  }

  finish(): ParsedTrace | null {
    const threads = [...this.threads.values()].filter((t) => t.frames.length > 0);
    if (threads.length === 0) return null;
    const crashed = threads.find((t) => t.id === this.crashedThread);
    return {
      format: 'minidump',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.reason ? signalOfCrashReason(this.reason) : null,
      // "SIGSEGV /SEGV_MAPERR": the signal is the signal, the code describes it.
      signalDescription: this.reason ? this.reason.replace(/^SIG[A-Z]+\d*\s*\/?\s*/, '') || null : null,
      faultAddress: this.faultAddress,
      program: null,
      threads,
      hints: crashed ? [{ threadId: crashed.id, reason: 'stop-reason' }] : [],
      inside: this.inside,
    };
  }
}

function humanFrame(index: number, text: string, line: string): ParsedFrame {
  const base = { index, address: null, column: null, inlined: false, raw: line.trim() };
  let m: RegExpExecArray | null;
  if ((m = HUMAN_SYMBOL.exec(text))) {
    return { ...base, rawFunction: m[2]!, module: m[1]!, file: m[3] ? sourcePath(m[3]) : null, line: m[4] ? Number(m[4]) : null };
  }
  if ((m = HUMAN_MODULE_OFFSET.exec(text))) return { ...base, rawFunction: '??', module: m[1]!, file: null, line: null, moduleOffset: m[2]! };
  if (HUMAN_ADDRESS.test(text)) return { ...base, address: text, rawFunction: '??', module: null, file: null, line: null };
  return { ...base, rawFunction: text, module: null, file: null, line: null };
}

/** Symbol-server paths ("hg:hg.mozilla.org/mozilla-central:layout/base/nsFrame.cpp:957a74..."): the path inside the repository. */
function sourcePath(file: string): string {
  const vcs = /^(?:hg|git|svn|cvs):[^:]+:(.+):[0-9a-f]+$/.exec(file);
  return vcs ? vcs[1]! : file;
}
