// Ceph daemons' crash dumps (src/global/signal_handler.cc, src/common/BackTrace.cc), in their logs
// and on stderr:
//   2024-03-05T10:46:36.123+0000 7f8d5c3e6700 -1 *** Caught signal (Segmentation fault) **
//    in thread 7f8d5c3e6700 thread_name:tp_osd_tp
//
//    ceph version 16.2.10 (45fa1a083152e41a408d15505f594ec5f1b4fe17) pacific (stable)
//    1: /lib64/libpthread.so.0(+0x12ce0) [0x7f8d7a0e6ce0]              (module+offset)
//    2: (ceph::buffer::v15_2_0::list::append(char const*, unsigned int)+0x14) [0x55c0a1b2cd14]
//    3: gsignal()                                                        (a name only)
//    4: (()+0x4de1a0) [0x55c0a1de11a0]                                   (older releases: nothing known)
//    NOTE: a copy of the executable, or `objdump -rdS <executable>` is needed to interpret this.
// An assertion prints "file.cc: 8282: FAILED ceph_assert(p != end)" before the version line (the
// dump then starts there; SIGABRT), and the abort's "*** Caught signal (Aborted) **" dump right
// after it, which is read as part of the same report. A daemon prints each dump on stderr and into
// its log, and the log again inside "--- begin dump of recent events ---" ("0> " before its first
// line): a dump whose frames (addresses included) were already read in the input is not reported again.

import { signalNameOf, signalName } from './signals.js';
import { CappedStack, ForeignBudget, TraceSpan } from './framework.js';
import { bareFrame } from './stack.js';
import type { BlockParser, FeedResult, InputState, ParsedTrace, TraceParser } from './types.js';

const CAUGHT = /\*\*\* Caught signal \(([^)]+)\) \*\*\s*$/;
const ASSERT = /^(?:.*\s)?(\S+): (\d+): FAILED (?:ceph_)?assert\((.*)\)\s*$/;
const IN_THREAD = /^\s*in thread ([0-9a-f]+)(?: thread_name:(\S*))?\s*$/;
const VERSION = /^\s*ceph version (\S+)/;
const FRAME = /^\s*(\d+): (.*?)\s*$/;
/** "(symbol+0x14) [0x...]", "(()+0x12b20) [0x...]": the symbol may hold parentheses itself. */
const PAREN_SYMBOL = /^\((.*)\+0x[0-9a-fA-F]+\)\s*\[(0x[0-9a-fA-F]+)\]$/;
/** "/lib64/libpthread.so.0(+0x12ce0) [0x...]", "/lib64/libc.so.6(clone+0x43) [0x...]". */
const MODULE_SYMBOL = /^(\S[^()\s]*)\((.*?)(?:\+(0x[0-9a-fA-F]+))?\)\s*\[(0x[0-9a-fA-F]+)\]$/;
/** "gsignal()", "abort()", "clone()": a name without offset or address (newer releases). */
const NAME_ONLY = /^(\S.*?)(?:\(\))?$/;
const DESCRIPTIONS: Record<string, number> = {
  'Segmentation fault': 11, Aborted: 6, 'Bus error': 7, 'Illegal instruction': 4, 'Floating point exception': 8,
  'Trace/breakpoint trap': 5, Terminated: 15, Killed: 9,
};

export const cephParser: TraceParser = {
  format: 'ceph',
  label: "Ceph crash dumps ('*** Caught signal (...) **', 'ceph version', ' 1: (f()+0x14) [0x...]')",
  markers: ['*** Caught signal (', 'FAILED ceph_assert(', 'FAILED assert('],
  startsTrace: (line: string) => (line.includes('*** Caught signal (') && CAUGHT.test(line)) || (line.includes(': FAILED ') && ASSERT.test(line)),
  begin: (input: InputState) => new CephBlock(input),
};

/** Blank lines tolerated in a row inside a dump. */
const MAX_BLANK_LINES = 2;

class CephBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private signal: string | null = null;
  private description: string | null = null;
  private threadId: string | null = null;
  private threadName: string | null = null;
  private version = false;
  private readonly blank = new ForeignBudget(MAX_BLANK_LINES);
  private readonly stack = new CappedStack();
  private assertion = false;
  /** After an assertion's dump, the frames of the abort's dump that follows (only to know them again). */
  private absorbed: CappedStack | null = null;
  private absorbedVersion = false;

  constructor(private readonly input: InputState) {}

  feed(line: string, lineNo: number): FeedResult {
    let m: RegExpExecArray | null;
    if (this.span.start === 0) {
      this.span.reach(lineNo);
      if ((m = CAUGHT.exec(line))) {
        const signo = DESCRIPTIONS[m[1]!];
        this.signal = signo ? signalNameOf(signo).name : /^SIG[A-Z]+$/.test(m[1]!) ? signalName(m[1]!) : null;
        this.description = m[1]!;
      } else if ((m = ASSERT.exec(line))) {
        this.assertion = true;
        this.signal = 'SIGABRT';
        this.description = `FAILED ceph_assert(${m[3]}) at ${m[1]}:${m[2]}`;
      }
      return 'take';
    }
    if (line.trim() === '') return this.blank.spend();
    this.blank.reset();
    if (this.absorbed) return this.absorb(line, lineNo);
    // A failed assertion aborts: the handler's "*** Caught signal (Aborted) **" dump right after it
    // is the same crash (its thread line names the thread), not a second one.
    if (this.assertion && this.stack.count > 0 && (m = CAUGHT.exec(line)) && m[1] === 'Aborted') {
      this.absorbed = new CappedStack();
      this.absorbedVersion = false;
      return this.span.took(lineNo);
    }
    if (this.stack.count === 0 && (m = IN_THREAD.exec(line))) {
      this.threadId = m[1]!;
      this.threadName = m[2] || null;
      return this.span.took(lineNo);
    }
    // An assertion's "In function 'void OSD::f()' thread 7f... time ..." line, printed before it or after.
    if (this.stack.count === 0 && /^\S+: In function '.*' thread ([0-9a-f]+)/.test(line)) {
      this.threadId ??= /thread ([0-9a-f]+)/.exec(line)![1]!;
      return this.span.took(lineNo);
    }
    if (!this.version && VERSION.test(line)) {
      this.version = true;
      return this.span.took(lineNo);
    }
    if (/^\s*NOTE: a copy of the executable/.test(line)) return this.stack.count ? this.span.took(lineNo) : 'end';
    if (this.version && (m = FRAME.exec(line)) && Number(m[1]) === this.stack.count + 1) {
      this.pushFrame(m[2]!, line.trim());
      return this.span.took(lineNo);
    }
    return this.stack.count ? 'end' : 'maybe';
  }

  /** The lines of the abort's dump after an assertion: thread, version, frames (kept aside), NOTE. */
  private absorb(line: string, lineNo: number): FeedResult {
    let m: RegExpExecArray | null;
    if (this.absorbed!.count === 0 && (m = IN_THREAD.exec(line))) {
      this.threadId = m[1]!;
      this.threadName = m[2] || null;
      return this.span.took(lineNo);
    }
    if (!this.absorbedVersion && VERSION.test(line)) {
      this.absorbedVersion = true;
      return this.span.took(lineNo);
    }
    if (/^\s*NOTE: a copy of the executable/.test(line)) return this.span.took(lineNo);
    if (this.absorbedVersion && (m = FRAME.exec(line)) && Number(m[1]) === this.absorbed!.count + 1) {
      this.absorbed!.push((index) => bareFrame(index, '', '', null, line.trim()));
      return this.span.took(lineNo);
    }
    return 'end';
  }

  private pushFrame(text: string, raw: string): void {
    let m: RegExpExecArray | null;
    let frame: { address: string | null; name: string; module: string | null; offset?: string };
    if ((m = PAREN_SYMBOL.exec(text))) {
      // "(()+0x12b20)": no symbol; the module is not printed either.
      const name = m[1] === '()' || m[1] === '' ? '??' : m[1]!;
      frame = { address: m[2]!, name, module: null };
    } else if ((m = MODULE_SYMBOL.exec(text))) {
      frame = { address: m[4]!, name: m[2] || '??', module: m[1]!, ...(m[2] ? {} : m[3] ? { offset: m[3] } : {}) };
    } else {
      // "gsignal()", or a line the shapes above do not cover: kept whole as the frame's name.
      frame = { address: null, name: NAME_ONLY.exec(text)?.[1] ?? text, module: null };
    }
    this.stack.push((index) => {
      const f = bareFrame(index, frame.address ?? '', frame.name, frame.module, raw);
      f.address = frame.address;
      if (frame.offset) f.moduleOffset = frame.offset;
      return f;
    });
  }

  finish(): ParsedTrace | null {
    if (this.stack.count === 0) return null;
    // Dumps read so far in this input, by their frames (addresses and all, so only the same process's
    // crash matches): a daemon prints its dump on stderr and into its log, and again in the log's
    // dump of recent events; each copy after the first is no new crash.
    const key = (stack: CappedStack) => stack.frames.map((f) => f.raw).join('\n');
    let seen = this.input.get('ceph:dumps') as Set<string> | undefined;
    if (!seen) this.input.set('ceph:dumps', (seen = new Set()));
    const keys = [key(this.stack), ...(this.absorbed?.count ? [key(this.absorbed)] : [])];
    if (seen.has(keys[0]!)) return null;
    if (seen.size > 256) seen.clear();
    for (const k of keys) seen.add(k);
    return {
      format: 'ceph',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      faultAddress: null,
      program: null,
      threads: [{ ...this.stack.thread(), name: this.threadName, id: this.threadId ?? '1' }],
      hints: [{ threadId: this.threadId ?? '1', reason: 'received-signal' }],
      inside: [],
    };
  }
}
