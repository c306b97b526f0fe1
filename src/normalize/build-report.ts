// ParsedTrace (what a parser read) -> Report (the crash model): names normalized, crashing thread
// chosen, signature computed. Everything format-independent lives here, so every parser gets it.

import { cappedStackNotes, unreadableFrameLines } from '../parse/framework.js';
import type { ContextLine, Frame, Report, Thread } from '../model.js';
import type { ExtractedTrace } from '../parse/extract.js';
import type { ParsedFrame } from '../parse/types.js';
import { findAbortMessage } from './abort-message.js';
import { signalFromWords, signalName } from '../parse/signals.js';
import { chooseCrashedThread } from './crashed-thread.js';
import { normalizeFunctionName } from './function-name.js';
import { computeSignature, SIGNATURE_VERSION, signatureOptions } from './signature.js';
import { inferSignal } from './infer-signal.js';
import { detectHang, HANG_DUMP_SIGNALS, isWaitingThread } from './hang.js';

export function buildReport(extracted: ExtractedTrace, path: string): Report {
  const { trace } = extracted;
  const frames = trace.threads.map((t) => t.frames.map(toFrame));
  const crashed = chooseCrashedThread(trace.threads, trace.hints, (f) => normalizeFunctionName(f.functionName ?? f.rawFunction).short,
    (i) => isWaitingThread({ frames: frames[i]! }));
  const threads: Thread[] = trace.threads.map((t, i) => ({
    id: t.id,
    name: t.name,
    lwp: t.lwp,
    crashed: i === crashed.index,
    frames: frames[i]!,
    ...(t.role ? { role: t.role } : {}),
    ...(t.droppedFrames ? { droppedFrames: t.droppedFrames } : {}),
  }));
  const context: ContextLine[] = [
    ...extracted.before.map((l) => ({ ...l, position: 'before' as const })),
    ...trace.inside.map((l) => ({ ...l, position: 'inside' as const })),
    ...extracted.after.map((l) => ({ ...l, position: 'after' as const })),
  ];
  // Go and Rust state what went wrong in their own header ("fatal error: concurrent map writes",
  // "panicked: attempt to subtract with overflow"): the message the program died with.
  const verdictMessage = (trace.format === 'go' || trace.format === 'rust') && trace.signalDescription ? trace.signalDescription.replace(/^panicked: /, '') : null;
  const abortMessage = findAbortMessage([...trace.inside, ...extracted.before.slice().reverse(), ...extracted.after]) ?? verdictMessage ?? earlierMessage(extracted);
  const dump = trace.signal === null ? (catchsegvDump(extracted.before) ?? rubyBug(extracted.before, extracted.earlier ?? [])) : null;
  const handler = trace.signal === null && !dump ? handlerLine(extracted.before) : null;
  const stated = trace.signal ?? dump?.signal ?? handler?.signal ?? null;
  const inferred = stated === null && !trace.crashKind ? inferSignal(crashed.index === null ? [] : threads[crashed.index]!.frames, context, abortMessage) : null;
  const signal = stated ?? inferred?.signal ?? null;
  // No fatal signal (none, or one that only stops the process), no verdict, every thread waits: a hang.
  const hang = (signal === null || HANG_DUMP_SIGNALS.has(signal)) && !trace.crashKind ? detectHang(threads) : null;
  if (hang) {
    if (crashed.index !== null) threads[crashed.index]!.crashed = false;
    threads[hang.crashed]!.crashed = true;
    crashed.index = hang.crashed;
    crashed.reason = 'lock-wait';
  }
  const crashKind = trace.crashKind ?? (hang ? 'hang' : signal) ?? 'UNKNOWN';
  const crashedFrames = crashed.index === null ? [] : threads[crashed.index]!.frames;
  const signature = computeSignature(crashKind, crashedFrames, signatureOptions(trace.format, trace.program, hang?.parts));
  const unreadable = unreadableFrameLines(trace.inside, extracted.after);
  // A stack cut at the per-thread cap says so: its signature and rules saw only the kept frames.
  const capped = cappedStackNotes(threads);
  return {
    ...(capped.length > 0 ? { warnings: capped } : {}),
    ...(unreadable.length > 0 ? { unreadableFrames: unreadable } : {}),
    source: { path, line: trace.startLine, endLine: trace.endLine },
    format: trace.format,
    signal,
    signalInferredFrom: inferred?.from ?? null,
    signalDescription: trace.signalDescription,
    faultAddress: trace.faultAddress ?? dump?.faultAddress ?? handler?.faultAddress ?? null,
    program: trace.program,
    abortMessage,
    crashedThread: crashed.index,
    crashedThreadReason: crashed.reason,
    threads,
    context,
    crashKind,
    ...signature,
    signatureVersion: SIGNATURE_VERSION,
    diagnoses: [],
  };
}

const SANITIZER_FORMATS = new Set(['asan', 'lsan', 'msan', 'tsan', 'ubsan', 'hwasan']);
/** How far above a sanitizer's report a message the program died with is still its own. */
const EARLIER_LINES = 300;

/**
 * A sanitizer that caught an abort or a trap (SIGABRT, SIGILL, SIGTRAP) reports a death the program
 * chose: the message it printed first may sit above the context window (V8 prints its JS stack and
 * heap key in between). Only lines after the previous trace, at most EARLIER_LINES above this one.
 */
function earlierMessage(extracted: ExtractedTrace): string | null {
  const { trace, earlier } = extracted;
  if (!earlier || !SANITIZER_FORMATS.has(trace.format) || !['SIGABRT', 'SIGILL', 'SIGTRAP'].includes(trace.crashKind ?? '')) return null;
  return findAbortMessage(earlier.filter((l) => trace.startLine - l.line <= EARLIER_LINES).reverse());
}

function toFrame(f: ParsedFrame): Frame {
  const name = normalizeFunctionName(f.functionName ?? f.rawFunction);
  const frame: Frame = {
    index: f.index,
    address: f.address,
    function: name.short,
    fullFunction: name.full,
    rawFunction: f.rawFunction,
    module: f.module,
    file: f.file,
    line: f.line,
    column: f.column,
    inlined: f.inlined,
    raw: f.raw,
  };
  if (f.locals) frame.locals = f.locals;
  if (f.moduleOffset) frame.moduleOffset = f.moduleOffset;
  if (f.source) frame.source = f.source;
  return frame;
}

/** How far above its backtrace glibc's catchsegv (libSegFault.so) writes its signal line: the register dump between, FPU and SSE registers included. */
const CATCHSEGV_LINES = 80;
const CATCHSEGV_SIGNAL = /^\*\*\* (Segmentation fault|Bus error|Illegal instruction|Floating point exception|Aborted)\s*$/;

/**
 * glibc's catchsegv (libSegFault.so) dump before its "Backtrace:" lines: "*** Segmentation fault",
 * "Register dump:", the registers, and on x86 " Trap: 0000000e   Error: 00000004   OldMask: ...
 * CR2: 00000010", the page fault's address. The signal line counts only with the dump after it.
 */
function catchsegvDump(before: { text: string }[]): { signal: string; faultAddress: string | null } | null {
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
function rubyBug(before: { text: string }[], earlier: { text: string }[]): { signal: string; faultAddress: string | null } | null {
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

function handlerLine(before: { text: string }[]): { signal: string; faultAddress: string | null } | null {
  for (const { text } of before.slice(-HANDLER_LINES).reverse()) {
    const kcrash = KCRASH_SIGNAL.exec(text.trim());
    if (kcrash) return { signal: signalFromWords(kcrash[1]!)!, faultAddress: null };
    const named = /\b(SIG(?:SEGV|ABRT|BUS|FPE|ILL|TRAP|SYS))\b/.exec(text);
    const numbered = named ? null : /\bsignal (\d{1,2})\b/i.exec(text);
    const signal = named ? named[1]! : numbered ? signalName(numbered[1]!) : null;
    if (signal === null) continue;
    const address = signal === 'SIGSEGV' || signal === 'SIGBUS' ? HANDLER_ADDRESS.exec(text) : null;
    return { signal, faultAddress: address ? `0x${BigInt(address[1]!).toString(16)}` : null };
  }
  return null;
}

