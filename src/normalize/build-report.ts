// ParsedTrace (what a parser read) -> Report (the crash model): names normalized, crashing thread
// chosen, signature computed. Everything format-independent lives here, so every parser gets it.

import { cappedStackNotes, unreadableFrameLines } from '../parse/framework.js';
import type { ContextLine, Frame, Report, Thread } from '../model.js';
import type { ExtractedTrace } from '../parse/extract.js';
import { MAX_THREADS_PER_TRACE, type ParsedFrame } from '../parse/types.js';
import { ANY_ABORT_MESSAGE, findAbortMessage } from './abort-message.js';

/** Formats whose header states the error the process died of, kept as the trace's description. */
const RUNTIME_VERDICTS: ReadonlySet<string> = new Set(['kotlin-native', 'dotnet', 'd-runtime', 'nim']);
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
  // So do other languages' runtimes, whose header line is the error's (Kotlin/Native's "Uncaught Kotlin
  // exception: ...", .NET's "Unhandled exception. ...", druntime's "core.exception.AssertError@...",
  // Nim's "SIGSEGV: Illegal storage access."): their parsers keep it as the description.
  const verdictMessage =
    (trace.format === 'go' || trace.format === 'rust') && trace.signalDescription ? trace.signalDescription.replace(/^panicked: /, '')
    : RUNTIME_VERDICTS.has(trace.format) && trace.signalDescription && ANY_ABORT_MESSAGE.test(trace.signalDescription) ? trace.signalDescription
    : null;
  const abortMessage = findAbortMessage([...trace.inside, ...extracted.before.slice().reverse(), ...extracted.after]) ?? verdictMessage ?? earlierMessage(extracted);
  // A signal the lines around the trace stated is already the trace's (parse/context-signal.ts).
  const stated = trace.signal;
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
  if (trace.droppedThreads) capped.push(`${trace.droppedThreads} thread${trace.droppedThreads === 1 ? '' : 's'} beyond the first ${MAX_THREADS_PER_TRACE} were read but not kept (the thread list was capped)`);
  return {
    ...(capped.length > 0 ? { warnings: capped } : {}),
    ...(unreadable.length > 0 ? { unreadableFrames: unreadable } : {}),
    source: { path, line: trace.startLine, endLine: trace.endLine },
    format: trace.format,
    signal,
    signalInferredFrom: inferred?.from ?? null,
    signalDescription: trace.signalDescription,
    faultAddress: trace.faultAddress,
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
