// The signal a trace's surrounding lines state when its own lines do not: a crash dumper's header
// above the stack it printed (glibc's catchsegv, Ruby's [BUG] report, KDE's crash handler, a program's
// own "fatal signal 11" line, Xcode's banner). Read by the extractor when it closes a trace, so the stages after
// parsing never read log text for it.

import { MACH_EXCEPTION_SIGNALS, signalFromWords, signalName } from './signals.js';

type Lines = readonly { text: string }[];

/** What the lines state: the signal, a fault address when the dump gives one, the thread a debugger's banner names. */
export interface StatedSignal {
  signal: string;
  faultAddress: string | null;
  threadId?: string;
}

/** The stated signal, or null. */
export function signalFromContext(before: Lines, earlier: Lines): StatedSignal | null {
  const dump = catchsegvDump(before) ?? rubyBug(before, earlier);
  if (dump) return dump;
  const banner = xcodeBanner(before);
  if (banner) return banner;
  return handlerLine(before);
}

/** The banner Xcode shows at the line a thread stopped: "Thread 1: EXC_BAD_ACCESS (code=1, address=0x0)", "Thread 4: signal SIGABRT",
 *  "Thread 1: Fatal error: Unexpectedly found nil while unwrapping an Optional value" (Swift). */
const XCODE_BANNER = /^Thread (\d+): (?:(EXC_[A-Z_]+)(?: \(code=\d+(?:, (address|subcode)=(0x[0-9a-fA-F]+))?\))?|signal (SIG[A-Z]+)|(Fatal error): )/;

/** Xcode's banner among the last lines before a trace (pasted above the Debug navigator's copy of the threads). */
function xcodeBanner(before: Lines): StatedSignal | null {
  for (const { text } of before.slice(-HANDLER_LINES).reverse()) {
    const m = XCODE_BANNER.exec(text.trim());
    if (!m) continue;
    // Swift's runtime traps ("Fatal error: Unexpectedly found nil ..."): a breakpoint instruction.
    const signal = m[6] ? 'SIGTRAP' : (m[5] ?? MACH_EXCEPTION_SIGNALS[m[2]!]);
    if (!signal) return null;
    return { signal, faultAddress: m[3] === 'address' ? `0x${m[4]!.slice(2).replace(/^0+(?=.)/, '').toLowerCase()}` : null, threadId: m[1]! };
  }
  return null;
}

/** How far above its backtrace glibc's catchsegv (libSegFault.so) writes its signal line: the register dump between, FPU and SSE registers included. */
const CATCHSEGV_LINES = 80;
const CATCHSEGV_SIGNAL = /^\*\*\* (Segmentation fault|Bus error|Illegal instruction|Floating point exception|Aborted)\s*$/;

/**
 * glibc's catchsegv (libSegFault.so) dump before its "Backtrace:" lines: "*** Segmentation fault",
 * "Register dump:", the registers, and on x86 " Trap: 0000000e   Error: 00000004   OldMask: ...
 * CR2: 00000010", the page fault's address. The signal line counts only with the dump after it.
 */
function catchsegvDump(before: Lines): { signal: string; faultAddress: string | null } | null {
  const lines = before.slice(-CATCHSEGV_LINES).map((l) => l.text.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = CATCHSEGV_SIGNAL.exec(lines[i]!);
    if (!m || !lines.slice(i + 1, i + 3).includes('Register dump:')) continue;
    const signal = signalFromWords(m[1]!)!;
    const cr2 = signal === 'SIGSEGV' || signal === 'SIGBUS' ? lines.slice(i + 1).map((t) => /\bTrap: [0-9a-f]+\s+Error: [0-9a-f]+\s+OldMask: [0-9a-f]+\s+CR2: ([0-9a-f]+)/i.exec(t)).find((c) => c) : null;
    return { signal, faultAddress: cr2 ? `0x${cr2[1]!.replace(/^0+(?=.)/, '').toLowerCase()}` : null };
  }
  return null;
}

/** Ruby's crash report: "app.rb:41: [BUG] Segmentation fault at 0x0000000000000000", its C-level backtrace far below. */
const RUBY_BUG = /\[BUG\] (Segmentation fault|Bus Error|Illegal instruction|Floating point exception)(?: at (0x[0-9a-fA-F]+))?/i;
/** The header of the report's last section, right above the C-level backtrace the trace is. */
const RUBY_C_LEVEL = /^-- C level backtrace information -+\s*$/;
/** Blank lines tolerated between that header and the trace. */
const RUBY_HEADER_GAP = 2;

/**
 * The signal of a Ruby [BUG] report, for the trace that is its C-level backtrace only: the trace must
 * follow the report's "-- C level backtrace information ---" header, and the [BUG] line is the nearest
 * one above it (the control frames between may push it out of the context window, into `earlier`,
 * which holds only lines after the previous trace). A [BUG] line above some other trace says nothing
 * of that trace's signal.
 */
function rubyBug(before: Lines, earlier: Lines): { signal: string; faultAddress: string | null } | null {
  const header = before.slice(-(RUBY_HEADER_GAP + 1)).map((l) => l.text.trim()).filter((t) => t !== '').pop();
  if (header === undefined || !RUBY_C_LEVEL.test(header)) return null;
  for (const { text } of [...before.slice().reverse(), ...earlier.slice().reverse()]) {
    const m = RUBY_BUG.exec(text);
    if (!m) continue;
    return { signal: signalFromWords(m[1]!, true)!, faultAddress: m[2] ? `0x${m[2].slice(2).replace(/^0+(?=.)/, '').toLowerCase()}` : null };
  }
  return null;
}

/**
 * Formats that print no signal (backtrace_symbols from a program's own handler) usually follow a
 * line the handler wrote: "fatal signal 11, backtrace:", "*** SIGSEGV caught". Only the last few
 * lines before the trace are looked at (see HANDLER_LINES), and only a clear signal mention counts.
 */
/** A handler may print a few lines of its own (values, a banner) between its signal line and the stack. */
const HANDLER_LINES = 16;

/** KDE's crash handler (DrKonqi, KCrash) heads its report "Application: Gwenview (gwenview), signal: Segmentation fault". */
const KCRASH_SIGNAL = /^Application: .*\bsignal: (Segmentation fault|Aborted|Bus error|Illegal instruction|Floating point exception)\b/;

/**
 * The address a handler's signal line names, for the signals that have one (class: a handler that
 * prints it beside the signal, e.g. node's segfault-handler "PID 23114 received SIGSEGV for address:
 * 0x0", "caught SIGBUS at address 0x7f..."): only on the same line as the signal.
 */
const HANDLER_ADDRESS = /\b(?:for|at|fault(?:ing)?) address:? (0x[0-9a-fA-F]{1,16})\b/;

/**
 * A Mach exception as Xcode, lldb and the IDEs over them word it, in prose or a status line above a
 * copied stack ("Stopped with EXC_BAD_ACCESS (code=1, address=0x0)", CLion's "Exception:
 * EXC_BAD_ACCESS (code=2, address=0x16f603ff8)"): its signal, and the address a bad access names.
 */
const MACH_EXCEPTION_LINE = /\b(EXC_(?:BAD_ACCESS|BAD_INSTRUCTION|ARITHMETIC|CRASH|BREAKPOINT))\b(?: \(code=\d+(?:, address=(0x[0-9a-fA-F]{1,16}))?)?/;

function handlerLine(before: Lines): StatedSignal | null {
  for (const { text } of before.slice(-HANDLER_LINES).reverse()) {
    const kcrash = KCRASH_SIGNAL.exec(text.trim());
    if (kcrash) return { signal: signalFromWords(kcrash[1]!)!, faultAddress: null };
    const mach = MACH_EXCEPTION_LINE.exec(text);
    if (mach) return { signal: MACH_EXCEPTION_SIGNALS[mach[1]!]!, faultAddress: mach[2] ? `0x${BigInt(mach[2]).toString(16)}` : null };
    const named = /\b(SIG(?:SEGV|ABRT|BUS|FPE|ILL|TRAP|SYS))\b/.exec(text);
    const numbered = named ? null : /\bsignal (\d{1,2})\b/i.exec(text);
    const signal = named ? named[1]! : numbered ? signalName(numbered[1]!) : null;
    if (signal === null) continue;
    const address = signal === 'SIGSEGV' || signal === 'SIGBUS' ? HANDLER_ADDRESS.exec(text) : null;
    return { signal, faultAddress: address ? `0x${BigInt(address[1]!).toString(16)}` : null };
  }
  return null;
}

