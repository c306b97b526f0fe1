// Hangs: a trace with no signal whose threads all wait. Pasted `thread apply all bt` of a stuck
// process, or a core taken with gcore. The bug is in the program frames that wait, not in glibc's
// futex functions every waiting thread shows, so the signature is built from those (the first
// meaningful frame of each thread waiting for a lock), sorted: thread numbers and print order
// differ between gdb and lldb, live and core, and must not split one deadlock into groups.

import type { Frame, Thread } from '../model.js';
import { signaturePolicy, skipReason } from './skip-list.js';

/** The skip list's reason for lock and wait machinery starts with these words (data/signature/v<N>.toml). */
export const WAIT_REASON = /^lock and wait machinery/;
/** Waiting for a lock (or a thread) rather than for work: the threads a deadlock is made of. */
const LOCK_WAIT = /lll_lock_wait|_L_lock_|mutex_?lock|Mutex::Lock|mutexwait|rwlock|SpinLock|sem_wait|sem_timedwait|SRWLock|CriticalSection|pthread_join|clockjoin|thread::join|Semaphore|futex_wait|__lll_|lock_slow|LockSlow/i;
/** Waiting for work or time: idle threads of a pool, event loops, sleepers. */
const IDLE_WAIT = /^(?:__GI___poll|__poll|poll|ppoll|epoll_wait|epoll_pwait|__GI_epoll_wait|select|__select|pselect|kevent|nanosleep|__GI___nanosleep|clock_nanosleep|__GI___clock_nanosleep|__clock_nanosleep.*|sleep|usleep|pause|sigwait|sigtimedwait|sigwaitinfo|__sigtimedwait|read|__libc_read|__GI___libc_read|recv|recvfrom|recvmsg|accept|accept4|__libc_accept|wait4|waitpid|__waitpid|syscall|__psynch_cvwait|mach_msg.*|__semwait_signal|__workq_kernreturn|__ulock_wait|runtime\.gopark|runtime\.notesleep|runtime\.futex|runtime\.usleep|runtime\.semasleep|NtDelayExecution|ZwDelayExecution|NtRemoveIoCompletion.*|GetQueuedCompletionStatus.*)$/;
/** A program function that is itself a wait, by its name's last word. */
const PROGRAM_WAIT = /(?:^|[_:.])(?:wait|timedwait|lock|acquire|join|P)$/i;
/** A member function called on a null object ("Swapchain::acquire (this=0x0)"): it faulted at its
 *  first member access, it is not waiting, whatever its name says. */
const NULL_THIS = /[(,]\s*this=0x0+\s*[,)]/;
/** How many frames from the top a wait may sit under (wrappers, inlined lock helpers). */
const WAIT_DEPTH = 12;

/**
 * Signals that stop or interrupt a process without crashing it: a debugger attaching (SIGSTOP,
 * SIGTRAP), Ctrl-C or Ctrl-Z under gdb, Ctrl-\ (SIGQUIT). A dump taken with one of them may be a hang.
 */
export const HANG_DUMP_SIGNALS = new Set(['SIGSTOP', 'SIGTSTP', 'SIGINT', 'SIGTRAP', 'SIGQUIT']);

export interface Hang {
  /** The thread shown as the crashing one: the first that waits for a lock, else the first. */
  crashed: number;
  /** Program frames the signature is built from, sorted. */
  parts: string[];
}

interface Waiting {
  index: number;
  lock: boolean;
  /** The program's own wait primitive the thread sits in ("Semaphore_wait"), when it has one. */
  primitive: string | null;
  /** The first program frame that is not a wait: the code that waits. */
  firstMeaningful: string | null;
}

function waitingOf(thread: Thread, index: number): Waiting | null {
  const w = waitOf(thread, index);
  // A thread inside a signal handler that waits for work or time (KCrash's handler in waitpid for
  // DrKonqi, a handler sleeping while a reporter runs) is the crash, not a hang; one stuck on a
  // lock (malloc's, a logger's) deadlocked in its handler, which is a hang.
  if (w && !w.lock && inSignalHandler(thread.frames)) return null;
  return w;
}

/** A signal trampoline ("<signal handler called>") among the top frames. */
function inSignalHandler(frames: Frame[]): boolean {
  const { trampolines } = signaturePolicy();
  return frames.slice(0, WAIT_DEPTH).some((f) => trampolines.has(f.function));
}

function waitOf(thread: Thread, index: number): Waiting | null {
  const frames = thread.frames;
  let wait = false;
  let lock = false;
  for (let i = 0; i < Math.min(frames.length, WAIT_DEPTH); i++) {
    const f: Frame = frames[i]!;
    const reason = skipReason(f);
    const isWait = (reason !== null && WAIT_REASON.test(reason)) || IDLE_WAIT.test(f.function);
    if (isWait) {
      wait = true;
      if (LOCK_WAIT.test(f.function)) lock = true;
      continue;
    }
    if (reason !== null) continue; // machinery around the wait (libc wrappers, unnamed frames)
    // The program's own wait primitive on top (a paste trimmed the futex frames under it):
    // "Semaphore_wait", "Mutex::Lock", "CondVar::Wait". It is the frame a developer blames.
    if (i === 0 && PROGRAM_WAIT.test(f.function) && !NULL_THIS.test(f.raw)) return { index, lock: true, primitive: f.function, firstMeaningful: firstProgramFrame(frames, 1) };
    // The first program frame: it waits only if a wait sits above it.
    return wait ? { index, lock, primitive: null, firstMeaningful: f.function } : null;
  }
  return wait ? { index, lock, primitive: null, firstMeaningful: null } : null;
}

function firstProgramFrame(frames: Frame[], from: number): string | null {
  for (let i = from; i < Math.min(frames.length, WAIT_DEPTH + from); i++) if (skipReason(frames[i]!) === null) return frames[i]!.function;
  return null;
}

/**
 * The thread sits in a wait near its top (lock and wait machinery, an idle wait such as epoll_wait
 * or nanosleep, or the program's own wait primitive) rather than running code: the test detectHang
 * applies to every thread, for one thread (crashed-thread.ts ranks such threads last).
 */
export function isWaitingThread(thread: Pick<Thread, 'frames'>): boolean {
  return thread.frames.length > 0 && waitingOf(thread as Thread, 0) !== null;
}

/** The hang the threads show, or null when some thread is running (or nothing waits). */
export function detectHang(threads: Thread[]): Hang | null {
  const withFrames = threads.map((t, i) => [t, i] as const).filter(([t]) => t.frames.length > 0);
  if (withFrames.length === 0) return null;
  const waiting: Waiting[] = [];
  for (const [t, i] of withFrames) {
    const w = waitingOf(t, i);
    if (!w) return null;
    waiting.push(w);
  }
  const locked = waiting.filter((w) => w.lock);
  const chosen = locked.length > 0 ? locked : waiting;
  // The program's own wait primitives first (the frame a developer blames), then the code that
  // waits in them, each sorted: the same deadlock signs alike whatever the thread order.
  const names = (pick: (w: Waiting) => string | null) => [...new Set(chosen.map(pick).filter((n): n is string => n !== null))].sort();
  const primitives = names((w) => w.primitive);
  const parts = [...primitives, ...names((w) => w.firstMeaningful).filter((n) => !primitives.includes(n))];
  return { crashed: chosen[0]!.index, parts };
}
