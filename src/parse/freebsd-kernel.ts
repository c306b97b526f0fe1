// A FreeBSD kernel panic as the console, /var/crash/core.txt.N or a serial log shows it (a driver's
// or a kernel module's crash: pfSense, OPNsense, TrueNAS, bhyve hosts):
//   Fatal trap 12: page fault while in kernel mode
//   fault virtual address	= 0x28
//   panic: page fault                                          (or "panic: mtx_lock() of destroyed mutex ...")
//   KDB: stack backtrace:
//   db_trace_self_wrapper() at db_trace_self_wrapper+0x2b/frame 0xfffffe00c71d27f0
//   vpanic() at vpanic+0x132/frame 0xfffffe00c71d2920
//   calltrap() at calltrap+0x8/frame 0xfffffe00c71d2a40
//   --- trap 0xc, rip = 0xffffffff80d3a1f4, rsp = 0xfffffe00c71d2b10, rbp = 0xfffffe00c71d2b50 ---
//   wg_timers_run_send_keepalive() at wg_timers_run_send_keepalive+0x24/frame 0xfffffe00c71d2b50
//   ...
//   KDB: enter: panic
// The frames above a "--- trap" line are the panic and trap machinery; the fault is below it.
// Without a trap (a panic() call, a failed KASSERT) the whole stack is kept and panic's own frames
// are skipped by name. i386 writes "at name+0x24" with no frame address, arm64 the same as amd64.

import { CappedStack, ForeignBudget, TraceSpan } from './framework.js';
import { bareFrame } from './stack.js';
import type { BlockParser, FeedResult, ParsedTrace, TraceParser } from './types.js';

const FATAL_TRAP = /^Fatal trap (\d+): (.*?) while in (?:kernel|user) mode\s*$/;
const PANIC = /^panic: (.*?)\s*$/;
const KDB = /^KDB: stack backtrace:\s*$/;
/** ddb's `bt` (the debugger prompt after the panic, or a textdump's ddb.txt): "Tracing pid 11 tid 100003 td 0xfffff80001959740". */
const TRACING = /^(?:db(?::\d+:[\w.]+)?>\s+bt\s+)?Tracing pid \d+ tid \d+ td 0x[0-9a-f]+\s*$/;
const FRAME = /^(\S+?)\(\) at (\S+?)(?:\+0x[0-9a-f]+)?(?:\/frame (0x[0-9a-f]+))?\s*$/;
const TRAP = /^--- trap (0x[0-9a-f]+|\d+), .*---\s*$/;
/** The line where a system call or an interrupt entered the kernel: the bottom of the stack. */
const ENTRY = /^--- (?:syscall|interrupt|trap 0, rip = 0)\b.*---\s*$/;
/** The panic machinery at the top of a stack without a trap (a panic() call, a failed KASSERT). */
const PANIC_FRAMES = /^(?:db_trace_self_wrapper|db_trace_self|kdb_backtrace|kdb_enter|vpanic|panic|kassert_panic|__panic|witness_\w+|vfs_badlock)$/;
const FAULT_VA = /^fault virtual address\s*=\s*(0x[0-9a-fA-F]+)/;
const HEADER_FIELD = /^(?:cpuid|apic id|fault code|instruction pointer|stack pointer|frame pointer|code segment|\s*= DPL|processor eflags|current process|trap number|time|Uptime|Dumping|Automatic reboot|KDB: enter|\[ thread pid|Stopped at|db>)\b|^\s+= /;
/** Traps that are signals in a user process: page faults and protection faults (SIGSEGV), divide (SIGFPE), privileged/invalid instruction (SIGILL). */
const TRAP_SIGNALS: Record<string, string> = { '12': 'SIGSEGV', '9': 'SIGSEGV', '18': 'SIGFPE', '1': 'SIGILL', '30': 'SIGILL' };

export const freebsdKernelParser: TraceParser = {
  format: 'freebsd-kernel',
  label: "FreeBSD kernel panics ('Fatal trap 12: page fault while in kernel mode', 'KDB: stack backtrace:')",
  markers: ['Fatal trap ', 'KDB: stack backtrace:', 'Tracing pid '],
  startsTrace: (line) => {
    const t = line.trim();
    return FATAL_TRAP.test(t) || KDB.test(t) || TRACING.test(t);
  },
  begin: () => new FreebsdBlock(),
};

class FreebsdBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(4));
  private stack = new CappedStack();
  private signal: string | null = null;
  private description: string | null = null;
  private faultAddress: string | null = null;
  private readonly inside: { line: number; text: string }[] = [];
  private inBacktrace = false;
  private trapped = false;

  feed(raw: string, lineNo: number): FeedResult {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if (line === '') return this.stack.count > 0 ? 'maybe' : this.span.took(lineNo);
    if ((m = FATAL_TRAP.exec(line))) {
      if (this.stack.count > 0) return 'split';
      this.signal = TRAP_SIGNALS[m[1]!] ?? 'SIGSEGV';
      this.description = m[2]!;
      return this.span.took(lineNo);
    }
    if ((m = FAULT_VA.exec(line))) {
      this.faultAddress = m[1]!.toLowerCase();
      return this.span.took(lineNo);
    }
    if ((m = PANIC.exec(line))) {
      if (this.stack.count > 0) return 'split';
      // A panic without a trap (panic(), a failed KASSERT) is the kernel's abort.
      if (this.signal === null) [this.signal, this.description] = ['SIGABRT', m[1]!];
      this.inside.push({ line: lineNo, text: line });
      return this.span.took(lineNo);
    }
    if (KDB.test(line) || TRACING.test(line)) {
      if (this.stack.count > 0) return 'split';
      this.inBacktrace = true;
      return this.span.took(lineNo);
    }
    if (this.inBacktrace && (m = FRAME.exec(line))) {
      const [, name, , frame] = m;
      this.stack.push((index) => bareFrame(index, frame ?? '0x0', name!, null, line));
      return this.span.took(lineNo);
    }
    if (this.inBacktrace && ENTRY.test(line)) return this.span.took(lineNo);
    if (this.inBacktrace && TRAP.test(line)) {
      // The trap frame: what was above it is the panic and trap handling, the fault is below.
      this.stack = new CappedStack();
      this.trapped = true;
      return this.span.took(lineNo);
    }
    if (HEADER_FIELD.test(line)) return this.span.took(lineNo);
    return this.stack.count > 0 ? 'end' : this.span.foreign();
  }

  finish(): ParsedTrace | null {
    if (this.stack.count === 0) return null;
    let thread = this.stack.thread();
    if (!this.trapped) {
      // No trap: the stack starts in panic() and what printed it; the caller of panic is the fault.
      let last = -1;
      thread.frames.slice(0, 8).forEach((f, i) => { if (PANIC_FRAMES.test(f.rawFunction)) last = i; });
      if (last >= 0 && last < thread.frames.length - 1) thread = { ...thread, frames: thread.frames.slice(last + 1).map((f, index) => ({ ...f, index })) };
    }
    return {
      format: 'freebsd-kernel',
      startLine: this.span.start,
      endLine: this.span.end,
      // A panic the kernel called itself is its abort; a trap without its "Fatal trap" line a fault.
      signal: this.signal ?? (this.trapped ? 'SIGSEGV' : 'SIGABRT'),
      signalDescription: this.description,
      faultAddress: this.faultAddress,
      program: 'kernel',
      threads: [thread],
      hints: [{ threadId: '1', reason: 'received-signal' }],
      inside: this.inside,
    };
  }
}
