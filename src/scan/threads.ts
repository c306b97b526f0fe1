// The scan's worker threads (see parallel.ts), started as early as the caller can: a thread spends
// ~0.15-0.35 s loading the code and the rules before it can scan, which is as long as a thread
// takes to scan 100 MB of logs. Started after the walk, a worker joined a 100 MB scan when the main
// thread had done half of it; started while the main thread loads its own rules and walks the tree,
// it is ready about when the first batch is.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LoadOptions } from '../rules/load.js';
import { ProcessLane, type LaneWorker } from './process-lane.js';
import type { ScanOptions } from './scan.js';

/**
 * What a scan's workers are. Threads by default: on the development machine (2 cores) worker
 * processes were no faster (the 1.05 GB tree: 1.02x --jobs 1 against threads' 1.13x) and a worker
 * process of a scan of 100,000 groups peaked at 300 MB beside the scan's 264 MB (a thread has a
 * 4 MB young generation in the scan's process). Processes share no heap and no V8 background
 * threads with the scan: where those contend (many cores), they may do better.
 */
export type WorkerKind = 'processes' | 'threads';

/** What a worker is given once. */
export interface WorkerSetup {
  /** undefined: the bundled packs (analyze's default). */
  rules: LoadOptions | null | undefined;
  /** The analyze options but the rules and parsers (core options, context sizes). */
  analyze: Omit<NonNullable<ScanOptions['analyze']>, 'rules' | 'parsers'>;
}

/**
 * A worker's young generation, MB (V8's default lets it grow to 3 x 16 MB per thread): what a
 * worker keeps is one file's groups at a time, so a small nursery costs no time. Measured on 20
 * files of 1,000 crashes each, same wall time: 8 MB saved ~13 MB of peak RSS, 4 MB ~4 MB more.
 */
const WORKER_YOUNG_MB = 4;

/** Set by bin/run-bundle.cjs in a process that runs the CLI bundle: its bundle and the runner. */
const BUNDLE_KEY = Symbol.for('coredx.cli-bundle');
/** A thread's script that runs the bundle the process runs (its exports' scanWorker, see cli/main.ts), beside the runner. */
const BUNDLE_THREAD = 'scan-thread.cjs';
/** A worker process's script that runs the bundle the scan's process runs, beside the runner. */
const BUNDLE_PROCESS = 'scan-process.cjs';

/**
 * A scan worker: from the CLI bundle when this process runs it (a worker then starts from
 * compiled code, ~3x less CPU than loading dist's modules), else from dist's scripts.
 */
function startWorker(setup: WorkerSetup, kind: WorkerKind): LaneWorker {
  const bundled = (globalThis as Record<symbol, { bundle: string; runner: string } | undefined>)[BUNDLE_KEY];
  if (kind === 'processes') {
    if (bundled) return new ProcessLane(join(dirname(bundled.runner), BUNDLE_PROCESS), [bundled.bundle], setup);
    return new ProcessLane(fileURLToPath(new URL('./scan-process.js', import.meta.url)), [], setup);
  }
  const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_MB };
  const thread = bundled
    ? new Worker(join(dirname(bundled.runner), BUNDLE_THREAD), { workerData: { bundle: bundled.bundle, setup }, resourceLimits })
    : new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: setup, resourceLimits });
  return Object.assign(thread, { sharesMemory: true as const });
}

/** A started thread, and how it ended if it ended before it was taken (so a waiter does not hang). */
export interface ScanThread {
  worker: LaneWorker;
  /** An error the thread raised (while starting: loading its rules), or its exit, once it happened. */
  ended: { error: Error } | { code: number } | null;
}

/**
 * Scan threads started ahead of a scan (`scanParallel`'s `threadsStarted`). They hold the process
 * open only once taken: a run that stops before its scan (a bad rule file, a usage error) exits
 * without waiting for them.
 */
export class ScanThreads {
  private readonly started: ScanThread[];

  constructor(count: number, setup: WorkerSetup, kind: WorkerKind = 'threads') {
    this.started = Array.from({ length: Math.max(0, count) }, () => {
      const thread: ScanThread = { worker: startWorker(setup, kind), ended: null };
      thread.worker.unref();
      thread.worker.on('error', (error) => (thread.ended ??= { error }));
      thread.worker.on('exit', (code) => (thread.ended ??= { code }));
      return thread;
    });
  }

  get size(): number {
    return this.started.length;
  }

  /** Up to `count` threads, now holding the process open; the rest are stopped. */
  take(count: number): ScanThread[] {
    const taken = this.started.splice(0, Math.max(0, count));
    for (const t of taken) t.worker.ref();
    void this.close();
    return taken;
  }

  /** Stops the threads not taken. */
  async close(): Promise<void> {
    const left = this.started.splice(0);
    await Promise.all(left.map((t) => t.worker.terminate()));
  }
}

/** Workers started now, for a scan that will take them. */
export function startScanThreads(count: number, setup: WorkerSetup, kind: WorkerKind = 'threads'): ScanThreads {
  return new ScanThreads(count, setup, kind);
}
