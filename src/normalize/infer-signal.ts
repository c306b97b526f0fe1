// The signal when the paste omits it. Most pasted `bt`s lack gdb's "Program received signal" line,
// yet the trace still shows how the process died: abort() on the crashing stack, the message
// glibc or libstdc++ printed before aborting, the shell's notice after it. Each inference says
// what it came from; nothing is inferred from nothing.

import type { Frame } from '../model.js';
import { fatalNotice } from '../parse/notice.js';
import { signalName } from '../parse/signals.js';
import { signaturePolicy } from './skip-list.js';

export interface InferredSignal {
  signal: string;
  /** What the signal was read from, in words for the report ("abort() on the crashing stack"). */
  from: string;
}

/** Frames that only run when the process aborts itself. */
const ABORT_FRAME = /^(?:raise|__GI_raise|gsignal|abort|__GI_abort|__pthread_kill_implementation|__pthread_kill_internal|__pthread_kill|pthread_kill|__GI___pthread_kill|__assert_fail|__assert_fail_base|__assert_rtn|__libc_message|_os_crash|abort_message)$/;
/** The module before a DLL export's name, as gdb on Windows prints it ("ucrtbase!abort", "KERNELBASE!RaiseException"). */
const DLL_EXPORT = /^[\w.-]+!(?=[A-Za-z_])/;
/** How far down the crashing stack abort machinery is looked for (a handler may sit above it). */
const ABORT_SEARCH_FRAMES = 8;
/** Messages that are printed right before abort() (glibc, libstdc++, libc++abi, assert, glog, Rust). */
const ABORTING_MESSAGE = /^(?:(?:free|malloc|realloc|calloc|munmap_chunk|malloc_consolidate|_int_malloc|_int_free)\(\): |double free or corruption|corrupted (?:size|double-linked|top)|terminate called |pure virtual method called|\*\*\* (?:stack smashing|buffer overflow) detected|libc\+\+abi(?:\.dylib)?: terminating|Fatal glibc error: |memory allocation of \d+ bytes failed|fatal runtime error: )|: Assertion `.*' failed|^Assertion failed: |Check failed: /;

/** A handler's parameter holding the signal number, as gdb and lldb print arguments. */
const SIGNAL_ARGUMENT = /[(,]\s*(?:sig|signo|signum|signal|sig_num|signr|sig_no|sigNum|nSignal)\s*=\s*(\d{1,2})\s*[,)]/;

function handlerArgument(frames: Frame[]): InferredSignal | null {
  const { trampolines } = signaturePolicy();
  const trampoline = frames.slice(0, ABORT_SEARCH_FRAMES).findIndex((f) => trampolines.has(f.function));
  // Not the abort or kill machinery the handler itself calls ("__pthread_kill_implementation (signo=6)").
  for (const f of frames.slice(0, Math.max(trampoline, 0)).filter((g) => !ABORT_FRAME.test(g.function) && g.function !== 'kill')) {
    const m = SIGNAL_ARGUMENT.exec(f.raw);
    const signal = m ? signalName(m[1]!) : null;
    if (signal && /^SIG[A-Z]+$/.test(signal)) return { signal, from: `the crash handler's argument (${f.function}: ${m![0].replace(/^[(,]\s*|\s*[,)]$/g, '')})` };
  }
  return null;
}

export function inferSignal(frames: Frame[], context: { text: string }[], abortMessage: string | null): InferredSignal | null {
  // The shell or runtime said what the process died of: the strongest evidence after the debugger.
  for (const { text } of context) {
    const notice = fatalNotice(text.trim());
    if (notice?.signal && (notice.source === 'shell' || notice.source === 'supervisor')) return { signal: notice.signal, from: `the ${notice.source === 'shell' ? "shell's" : "supervisor's"} notice "${text.trim().slice(0, 80)}"` };
  }
  // A crash handler above the signal trampoline was given the signal's number ("crash (sig=11, ...)"
  // at "#1", "<signal handler called>" at "#2"): what reached the program, even when the handler
  // then aborts or re-raises another signal.
  const handler = handlerArgument(frames);
  if (handler) return handler;
  // gdb on Windows names a DLL's export as WinDbg does ("ucrtbase!abort"): the name after the module's.
  const abortAt = frames.slice(0, ABORT_SEARCH_FRAMES).find((f) => ABORT_FRAME.test(f.function.replace(DLL_EXPORT, '')));
  if (abortAt) return { signal: 'SIGABRT', from: `${abortAt.function}() on the crashing stack` };
  if (abortMessage && ABORTING_MESSAGE.test(abortMessage)) return { signal: 'SIGABRT', from: 'the message printed before the abort' };
  for (const { text } of context) {
    const notice = fatalNotice(text.trim());
    if (notice?.signal) return { signal: notice.signal, from: `the ${notice.source}'s fatal message` };
  }
  return null;
}
