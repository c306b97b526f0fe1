// Redis' crash report (src/debug.c), in its log file or on stdout:
//   === REDIS BUG REPORT START: Cut & paste starting from here ===
//   11437:M 01 Dec 2026 15:05:52.942 # Redis 7.0.15 crashed by signal: 11, si_code: 2
//   11437:M 01 Dec 2026 15:05:52.942 # Accessing address: 0x7fa74c0da000
//   11437:M 01 Dec 2026 15:05:52.942 # Killed by PID: 11829, UID: 0              (sent by kill: no fault address)
//   11437:M 01 Dec 2026 15:05:52.942 # Crashed running the instruction at: 0x5565fafe775f
//
//   ------ STACK TRACE ------
//   EIP:
//   redis-server *:16391(debugCommand+0x26f)[0x5565fafe775f]
//
//   Backtrace:
//   /lib/x86_64-linux-gnu/libc.so.6(+0x3c050)[0x7fa74b45a050]
//   redis-server *:16391(debugCommand+0x26f)[0x5565fafe775f]
//   ...
//   ------ REGISTERS ------                                     (the next section ends the trace)
// Frames are backtrace_symbols_fd lines whose module is the process title ("redis-server *:6379"),
// spaces and all. An assertion prints "=== ASSERTION FAILED ===" and "==> debug.c:530 '1 == 2' is not
// true" instead of the signal lines, a panic "Guru Meditation: msg #file.c:12": both abort()
// (SIGABRT). Redis 7.2 prints every thread's stack, each under a "<tid> <thread name>" line, and
// closes them with "3/4 expected stacktraces."; older releases print "Backtrace:" alone, with the
// handler's own frames (sigsegvHandler, logStackTrace) on top; Redis 2.x names sections "--- STACK TRACE".

import { signalNameOf } from './signals.js';
import { CappedStack, ForeignBudget, TraceSpan } from './framework.js';
import { bareFrame } from './stack.js';
import type { BlockParser, FeedResult, ParsedThread, ParsedTrace, TraceParser } from './types.js';

const START = /=== REDIS BUG REPORT START: Cut & paste starting from here ===/;
/** The log prefix: "11437:M 01 Dec 2026 15:05:52.942 # " (Redis >= 3), "[1234] 01 Jan 12:00:00.000 # " (older). */
const LOG_PREFIX = /^(?:\d+:[A-Z] \d{1,2} \w{3}(?: \d{4})? [\d:.]+ [#*.-] ?|\[\d+\] \d{1,2} \w{3}(?: \d{4})? [\d:.]+ [#*.-] ?)/;
const CRASHED = /^Redis \S+ crashed by signal: (\d+)(?:, si_code: (-?\d+))?/;
const ACCESSING = /^Accessing address: (0x[0-9a-fA-F]+|\(nil\))/;
const KILLED = /^Killed by PID: \d+, UID: \d+/;
const PC = /^Crashed running the instruction at: (0x[0-9a-fA-F]+)/;
const ASSERTION = /^==> (\S+):(\d+) '(.*)' is not true/;
const OLD_ASSERTION = /^Failed assertion: (?!<no assertion failed>)(.*) \((\S+):(\d+)\)/;
const PANIC = /^Guru Meditation: (.*?)\s*#(\S+):(\d+)\s*$/;
/** "------ STACK TRACE ------"; Redis 2.x: "--- STACK TRACE". */
const SECTION = /^(?:------ (.+?) ------|--- ([A-Z][A-Z ]+[A-Z]))\s*$/;
/** A backtrace_symbols_fd line; the module (the process title) may hold spaces, never parentheses. */
const FRAME = /^(\S[^()]*?)\(([^()]*)\)\s?\[(0x[0-9a-fA-F]+)\]\s*$/;
const THREAD = /^(\d+) (\S.*)$/;
/** Lines tolerated between the start and the stack (client and object context of an assertion). */
const MAX_HEADER_LINES = 80;

export const redisParser: TraceParser = {
  format: 'redis',
  label: "Redis crash reports ('=== REDIS BUG REPORT START')",
  markers: ['REDIS BUG REPORT START'],
  startsTrace: (line: string) => line.includes('REDIS BUG REPORT START') && START.test(line),
  begin: () => new RedisBlock(),
};

class RedisBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private signo: number | null = null;
  private siCode: number | null = null;
  private description: string | null = null;
  private faultAddress: string | null = null;
  private killed = false;
  private pc: string | null = null;
  /** Lines of the header read: a header that goes on and on is no report. */
  private readonly headerLines = new ForeignBudget(MAX_HEADER_LINES);
  /** Where in the report: the header, the STACK TRACE section (eip, backtrace), or done. */
  private section: 'header' | 'stack' = 'header';
  private eip: { address: string; symbol: string; module: string; raw: string } | null = null;
  private inEip = false;
  private readonly threads: { thread: ParsedThread; stack: CappedStack }[] = [];
  private current: CappedStack | null = null;

  feed(line: string, lineNo: number): FeedResult {
    if (this.span.start === 0) return this.span.took(lineNo);
    const text = line.replace(LOG_PREFIX, '').trimEnd();
    const v = this.section === 'header' ? this.header(text) : this.stack(text);
    return this.span.account(v, lineNo);
  }

  private header(text: string): FeedResult {
    let m: RegExpExecArray | null;
    const section = SECTION.exec(text);
    if ((section?.[1] ?? section?.[2]) === 'STACK TRACE') {
      this.section = 'stack';
      return 'take';
    }
    if (this.headerLines.spend() === 'end') return 'end';
    if ((m = CRASHED.exec(text))) {
      this.signo = Number(m[1]);
      this.siCode = m[2] === undefined ? null : Number(m[2]);
    } else if ((m = ACCESSING.exec(text))) {
      this.faultAddress = m[1] === '(nil)' ? '0x0' : m[1]!.toLowerCase();
    } else if (KILLED.test(text)) {
      this.killed = true;
    } else if ((m = PC.exec(text))) {
      this.pc = m[1]!.toLowerCase();
    } else if ((m = ASSERTION.exec(text)) ?? (m = OLD_ASSERTION.exec(text))) {
      this.signo ??= 6;
      this.description = ASSERTION.test(text) ? `assertion failed: '${m[3]}' is not true at ${m[1]}:${m[2]}` : `assertion failed: ${m[1]} at ${m[2]}:${m[3]}`;
    } else if ((m = PANIC.exec(text))) {
      this.signo ??= 6;
      this.description = `panic: ${m[1]} at ${m[2]}:${m[3]}`;
    } else if (START.test(text)) {
      return 'split';
    }
    return 'take';
  }

  private stack(text: string): FeedResult {
    let m: RegExpExecArray | null;
    if (SECTION.test(text) || /^=== REDIS BUG REPORT END/.test(text)) return 'end';
    if (text === '') return 'take';
    if (text === 'EIP:') {
      this.inEip = true;
      return 'take';
    }
    if (text === 'Backtrace:') {
      this.inEip = false;
      this.newThread(null, null);
      return 'take';
    }
    if (/^\d+\/\d+ expected stacktraces\.?$/.test(text)) return 'take';
    if ((m = FRAME.exec(text))) {
      const symbol = m[2]!.replace(/[+-]0x[0-9a-fA-F]+$/, '') || '??';
      if (this.inEip) {
        this.eip = { address: m[3]!, symbol, module: m[1]!, raw: text };
        this.inEip = false;
        return 'take';
      }
      if (!this.current) this.newThread(null, null);
      this.current!.push((index) => bareFrame(index, m![3]!, symbol, m![1]!, text));
      return 'take';
    }
    // Redis 7.2: each thread's stack under "<tid> <thread name>".
    if ((m = THREAD.exec(text)) && !this.inEip) {
      this.newThread(Number(m[1]), m[2]!);
      return 'take';
    }
    return 'end';
  }

  private newThread(lwp: number | null, name: string | null): void {
    this.current = new CappedStack();
    const thread: ParsedThread = { id: String(this.threads.length + 1), name, lwp, frames: this.current.frames };
    this.threads.push({ thread, stack: this.current });
  }

  finish(): ParsedTrace | null {
    let threads = this.threads
      .filter((t) => t.stack.count > 0)
      .map(({ thread, stack }) => ({ ...thread, ...(stack.dropped ? { droppedFrames: stack.dropped } : {}) }));
    // Without a backtrace the instruction pointer's frame is the stack.
    if (threads.length === 0 && this.eip) {
      const e = this.eip;
      threads = [{ id: '1', name: null, lwp: null, frames: [bareFrame(0, e.address, e.symbol, e.module, e.raw)] }];
    }
    if (threads.length === 0) return null;
    // The crashing thread is the one whose stack holds the faulting instruction.
    const pc = (this.pc ?? this.eip?.address ?? '').toLowerCase();
    const crashed = threads.find((t) => pc !== '' && t.frames.some((f) => f.address?.toLowerCase() === pc)) ?? threads[0]!;
    const named = this.signo === null ? null : signalNameOf(this.signo);
    // si_code 0 (SI_USER) or "Killed by PID": a kill(), whose "address" is the sender's pid.
    const sent = this.killed || this.siCode === 0;
    return {
      format: 'redis',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: named?.name ?? null,
      signalDescription: this.description ?? (named ? [named.description, sent ? 'sent by kill()' : null].filter(Boolean).join(', ') || null : null),
      faultAddress: sent ? null : this.faultAddress,
      program: 'redis-server',
      threads,
      hints: [{ threadId: crashed.id, reason: 'received-signal' }],
      inside: [],
    };
  }
}
