// Which thread crashed. The debugger's own statement wins; otherwise the thread that holds the
// signal frames; otherwise the only thread, or the first that is not waiting (a `thread apply all
// bt` or eu-stack paste with no signal line lists idle threads parked in pthread_cond_wait,
// epoll_wait or a futex before the one that faulted); otherwise the first. The reason is reported
// with the answer.

import type { CrashedThreadReason } from '../model.js';
import type { CrashedThreadHint, ParsedFrame, ParsedThread } from '../parse/types.js';

const HINT_STRENGTH: CrashedThreadHint['reason'][] = ['core-signal', 'current-thread', 'stop-reason', 'received-signal', 'selected-thread'];

/** Functions that only appear on the stack of a thread that is handling a fatal signal. */
const SIGNAL_FRAME = /^(?:<signal handler called>|raise|__GI_raise|gsignal|abort|__GI_abort|__pthread_kill_implementation|__pthread_kill_internal|pthread_kill|__restore_rt|_sigtramp)$/;

export function chooseCrashedThread(
  threads: ParsedThread[],
  hints: CrashedThreadHint[],
  functionOf: (frame: ParsedFrame) => string,
  /** Whether the thread at an index sits in a wait (normalize/hang.ts isWaitingThread); consulted only when nothing else says which thread crashed. */
  isWaiting: (index: number) => boolean = () => false,
): { index: number | null; reason: CrashedThreadReason } {
  if (threads.length === 0) return { index: null, reason: 'none' };
  for (const reason of HINT_STRENGTH) {
    for (const hint of hints) {
      if (hint.reason !== reason) continue;
      const index = threads.findIndex((t) => t.id === hint.threadId);
      if (index >= 0) return { index, reason };
    }
  }
  const withSignal = threads.findIndex((t) => t.frames.some((f) => SIGNAL_FRAME.test(functionOf(f))));
  if (withSignal >= 0) return { index: withSignal, reason: 'signal-frame' };
  if (threads.length === 1) return { index: 0, reason: 'only-thread' };
  // No hint: an idle thread says nothing about the crash; the first one running code is the suspect.
  // When every thread waits (a hang, normalize/hang.ts), the first is kept and the hang decides.
  if (isWaiting(0)) {
    const running = threads.findIndex((t, i) => t.frames.length > 0 && !isWaiting(i));
    if (running > 0) return { index: running, reason: 'first-running-thread' };
  }
  return { index: 0, reason: 'first-thread' };
}
