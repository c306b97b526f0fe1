// A scan worker process's side of its IPC channel (see process-lane.ts), shaped like a thread's port
// (postMessage, on('message')), so worker-main.ts runs the same in both. Messages that arrive
// before the worker listens (its setup is the first, and the bundle loads asynchronously) are
// kept and handed over when it does. When the channel closes (the scan is done with it, or its
// process ended or was killed), this process ends, a debugger it runs killed first (see
// core/debugger.ts: its signal handlers are installed while a debugger runs).

import { STARTING_FAILED } from './process-lane.js';
import type { ScanPort } from './worker-main.js';

/** Ends a worker process that could not start (its rules could not be loaded), saying why. */
export function failStarting(err: unknown): void {
  // A pipe: written before exit (pipes are synchronous on Linux and macOS).
  process.stderr.write(`${STARTING_FAILED}${String((err as Error)?.message ?? err).split('\n')[0]}\n`);
  process.exit(1);
}

export function processPort(): ScanPort & { first(): Promise<unknown> } {
  const held: unknown[] = [];
  let listener: ((m: unknown) => void) | null = null;
  let firstWaiter: ((m: unknown) => void) | null = null;
  process.on('message', (m) => {
    if (firstWaiter) {
      const w = firstWaiter;
      firstWaiter = null;
      return w(m);
    }
    if (listener) listener(m);
    else held.push(m);
  });
  // A debugger running: its SIGTERM handler kills the debugger's group first, then exits.
  process.on('disconnect', () => (process.listenerCount('SIGTERM') > 0 ? process.kill(process.pid, 'SIGTERM') : process.exit(0)));
  return {
    postMessage: (m) => void process.send?.(m),
    on(_event, fn) {
      listener = fn as (m: unknown) => void;
      for (const m of held.splice(0)) listener(m);
    },
    first: () => (held.length ? Promise.resolve(held.shift()) : new Promise((resolve) => (firstWaiter = resolve))),
  };
}
