// `coredx scan --jobs N` over threads: the main thread walks (and shards) the artifacts, then it
// and worker threads analyze batches of files (found once by the walk: scanFiles). A worker posts each file's groups as it finishes it
// (packed: one report per group, as JSON text), and this thread folds them into one set of groups
// as they arrive (GroupFold, the code `coredx merge` uses), as it does its own batches' groups:
// nothing of a file is kept but its groups' state, and the result is the one a serial scan gives,
// whatever the number of threads and the order files finish in.

import { availableParallelism } from 'node:os';
import type { LoadOptions } from '../rules/load.js';
import { GroupFold, type PackedGroup } from './group.js';
import { scanFiles, scanResult, type ScanOptions, type ScanResult, type SkippedFile } from './scan.js';
import { inShard } from './shard.js';
import { ScanThreads, type ScanThread, type WorkerKind, type WorkerSetup } from './threads.js';
import { walkArtifacts } from './walk.js';

export interface ParallelScanOptions extends ScanOptions {
  /** Worker threads at most (default: the available cores); 1 scans on this thread. */
  threads?: number;
  /**
   * How the threads get `analyze.rules`: what loads them (a compiled rule set cannot be sent to a
   * thread; each thread loads its own). Required for threads when `analyze.rules` is given (else
   * the scan stays on this thread); null: no rules.
   */
  ruleSource?: LoadOptions | null;
  /** What the workers are (default threads; see WorkerKind). Threads started ahead are what they were started as. */
  workers?: WorkerKind;
  /** Groups past which this thread stops reading batches of its own and only folds (default 20,000). */
  foldOnlyAfter?: number;
  /**
   * Threads started ahead (startScanThreads, with this scan's rule source and analyze options):
   * taken instead of starting new ones after the walk; those not needed are stopped.
   */
  threadsStarted?: ScanThreads;
}

/**
 * What a worker is sent once: every batch, the shared index of the next one to take (a thread;
 * null for a process: its batches are handed over one by one, BatchHanded), files at once.
 */
export interface WorkerBatches {
  batches: string[][];
  claim: Int32Array | null;
  jobs: number;
}

/** A batch handed to a worker process (it says 'took' when it starts one: the next is handed then). */
export interface BatchHanded {
  type: 'batch';
  index: number;
}

export type ToWorker = WorkerBatches | BatchHanded;

/** What a worker posts of one file it scanned: its groups packed, and its part of the totals. */
export interface FileResult {
  groups: PackedGroup[];
  scanned: number;
  skipped: SkippedFile[];
  bytes: number;
  crashes: number;
}

/** Files, bytes and crashes done since the last message said. */
export interface Progress {
  files: number;
  bytes: number;
  crashes: number;
}

export type WorkerMessage =
  | ({ type: 'progress' } & Progress)
  | { type: 'warning'; path: string; message: string }
  | { type: 'file'; result: FileResult; progress: Progress }
  | { type: 'took' }
  | { type: 'done' }
  | { type: 'error'; message: string };

/** Batches a worker process holds ahead: the one it reads and the next (no wait for this thread between two). */
const HANDED_AHEAD = 2;

/** Files in a batch at most (a worker posts each file's result as it finishes it; a batch only bounds a thread's share of files taken at once). */
const MAX_BATCH = 16;

/** Groups past which the main thread stops reading batches of its own (see inThreads). */
const FOLD_ONLY_GROUPS = 20_000;

/** Below this many files, starting threads (each loads the rules) costs more than it saves. */
const MIN_FILES_PER_THREAD = 4;

/** Threads a scan of `jobs` files at once uses at most (this one included): one per core. */
export const threadsFor = (jobs: number, threads = availableParallelism()): number => Math.max(1, Math.min(threads, jobs));

export async function scanParallel(inputs: string[], options: ParallelScanOptions = {}): Promise<ScanResult> {
  try {
    return await scanTree(inputs, options);
  } finally {
    void options.threadsStarted?.close(); // those not taken (a tree of a few files, an error)
  }
}

async function scanTree(inputs: string[], options: ParallelScanOptions): Promise<ScanResult> {
  const jobs = Math.max(1, options.jobs ?? 4);
  const walked = await walkArtifacts(inputs, options);
  if (options.shard) {
    const mine = inShard(inputs, options.shard);
    walked.files = walked.files.filter(mine);
    walked.problems = walked.problems.filter((p) => mine(p.path));
    walked.special = walked.special.filter((p) => mine(p.path));
  }
  const files = walked.files;
  // Threads get plain data: the rules' source, core options, context sizes (not parser objects).
  const canThread = (options.analyze?.rules === undefined || options.ruleSource !== undefined) && options.analyze?.parsers === undefined;
  const threads = canThread ? Math.min(threadsFor(jobs, options.threads), Math.floor(files.length / MIN_FILES_PER_THREAD)) : 1;
  const progress = { filesDone: 0, filesTotal: files.length, bytesDone: 0, crashes: 0 };
  const skipped: SkippedFile[] = [...walked.problems.map((p) => ({ ...p, error: true })), ...walked.special.map((p) => ({ ...p, error: false }))];
  if (threads <= 1) {
    // One batch, on this thread: the files found, each given as itself; its groups are the result (not copied into a second set).
    const { onProgress, onWarning } = options;
    const r = await scanFiles(files, { jobs, ...(options.analyze ? { analyze: options.analyze } : {}), ...(onProgress ? { onProgress } : {}), ...(onWarning ? { onWarning } : {}) });
    return scanResult({ groups: r.groups, scanned: r.files.scanned, skipped: [...skipped, ...r.files.skipped], bytes: r.totals.bytes, crashes: r.totals.crashes });
  }
  const totals: Totals = { fold: new GroupFold(), scanned: 0, skipped, bytes: 0, crashes: 0 };
  await inThreads(files, threads, jobs, options, totals, progress);
  return scanResult({ groups: totals.fold.groups(), scanned: totals.scanned, skipped, bytes: totals.bytes, crashes: totals.crashes });
}

/** What the threads' results are folded into as they arrive. */
interface Totals {
  fold: GroupFold;
  scanned: number;
  skipped: SkippedFile[];
  bytes: number;
  crashes: number;
}

/** Adds a part's totals (a batch scanned here, a worker's file). */
function addTotals(totals: Totals, part: { scanned: number; skipped: SkippedFile[]; bytes: number; crashes: number }): void {
  totals.scanned += part.scanned;
  for (const s of part.skipped) totals.skipped.push(s);
  totals.bytes += part.bytes;
  totals.crashes += part.crashes;
}

async function inThreads(
  files: string[],
  threads: number,
  jobs: number,
  options: ParallelScanOptions,
  totals: Totals,
  progress: { filesDone: number; filesTotal: number; bytesDone: number; crashes: number },
): Promise<void> {
  // Batches small enough to balance the threads, large enough to keep messages few.
  const size = Math.max(1, Math.min(MAX_BATCH, Math.ceil(files.length / (threads * 64))));
  const batches: string[][] = [];
  for (let i = 0; i < files.length; i += size) batches.push(files.slice(i, i + size));
  const { rules: _rules, parsers: _parsers, ...analyze } = options.analyze ?? {};
  const setup: WorkerSetup = { rules: options.ruleSource, analyze };
  const perThread = Math.ceil(jobs / threads);
  // The next batch's index, shared with the workers: a thread takes its next batch itself the
  // moment it is free (Atomics.add), not when this thread's event loop gets to its message (a
  // worker sat idle ~35% of a 10,000-file scan waiting for this thread to hand it a batch).
  const claim = new Int32Array(new SharedArrayBuffer(4));
  const nextBatch = () => Atomics.add(claim, 0, 1);
  // Threads started ahead when the caller did (ready sooner), else now; this thread is one of them.
  const workers = (options.threadsStarted ?? new ScanThreads(threads - 1, setup, options.workers)).take(threads - 1);
  if (workers.length < threads - 1) workers.push(...new ScanThreads(threads - 1 - workers.length, setup, options.workers).take(threads));
  const count = (files: number, bytes: number, crashes: number) => {
    progress.filesDone += files;
    progress.bytesDone += bytes;
    progress.crashes += crashes;
    options.onProgress?.(progress);
  };
  const warn = (path: string, message: string) => {
    if (options.onWarning) options.onWarning(path, message);
    else process.stderr.write(`coredx: warning: ${path}: ${message}\n`);
  };
  // This thread is one of the lanes: it has the rules loaded already, so only threads - 1 workers
  // start (each loading its own), and this thread does not sit idle.
  const here = async () => {
    for (let batch = nextBatch(); batch < batches.length; batch = nextBatch()) {
      let last = { filesDone: 0, bytesDone: 0, crashes: 0 };
      const r = await scanFiles(batches[batch]!, {
        jobs: perThread,
        ...(options.analyze ? { analyze: options.analyze } : {}),
        onWarning: warn,
        onProgress: (p) => {
          count(p.filesDone - last.filesDone, p.bytesDone - last.bytesDone, p.crashes - last.crashes);
          last = { filesDone: p.filesDone, bytesDone: p.bytesDone, crashes: p.crashes };
        },
      });
      // Folded now (consumed: not two sets of its groups); its groups are this thread's, compact already.
      for (const g of r.groups) totals.fold.add(g);
      addTotals(totals, { scanned: r.files.scanned, skipped: r.files.skipped, bytes: r.totals.bytes, crashes: r.totals.crashes });
      // The workers' results wait for this thread's event loop to be folded (held until then); a
      // batch of small files is read without one I/O callback, so give them their turn here.
      await new Promise((resolve) => setImmediate(resolve));
      // Groups by the ten thousand: this thread only folds from now on (a batch of its own would hold
      // its files' reports beside them; the workers take the rest).
      if (totals.fold.size >= (options.foldOnlyAfter ?? FOLD_ONLY_GROUPS)) return;
    }
  };
  try {
    await Promise.all([
      here(),
      ...workers.map((thread) => inWorker(thread, { batches, claim, jobs: perThread }, nextBatch, totals, count, warn)),
    ]);
  } finally {
    await Promise.all(workers.map((t) => t.worker.terminate()));
  }
}

/** A worker's share: it takes batches until none is left; its files' results are folded as they come. */
function inWorker(
  { worker, ended }: ScanThread,
  work: WorkerBatches,
  nextBatch: () => number,
  totals: Totals,
  count: (files: number, bytes: number, crashes: number) => void,
  warn: (path: string, message: string) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const exited = (code: number) => new Error(`scan worker exited (code ${code})`);
    // Ended while starting (before it was taken): its error or exit was kept.
    if (ended) return reject('error' in ended ? ended.error : exited(ended.code));
    let done = false;
    const hand = () => worker.postMessage({ type: 'batch', index: nextBatch() } satisfies BatchHanded);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'took') hand();
      else if (m.type === 'progress') count(m.files, m.bytes, m.crashes);
      else if (m.type === 'warning') warn(m.path, m.message);
      else if (m.type === 'file') {
        // Folded as it arrives: its reports go to the spill file as the JSON text they came as.
        for (const g of sharePaths(m.result.groups)) totals.fold.addPacked(g);
        addTotals(totals, m.result);
        count(m.progress.files, m.progress.bytes, m.progress.crashes);
      } else if (m.type === 'done') {
        done = true;
        resolve();
      } else reject(new Error(m.message));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => (!done || code !== 0 ? reject(exited(code)) : resolve()));
    if (worker.sharesMemory) return worker.postMessage(work);
    worker.postMessage({ ...work, claim: null });
    for (let i = 0; i < HANDED_AHEAD; i++) hand();
  });
}

/**
 * A posted message gives each occurrence its own copy of its path (a structured clone copies every
 * string): one string per path instead, as a scan on this thread keeps (100,000s of groups name a
 * few files).
 */
function sharePaths(groups: PackedGroup[]): PackedGroup[] {
  const paths = new Map<string, string>();
  const share = (path: string) => paths.get(path) ?? (paths.set(path, path), path);
  for (const g of groups) {
    for (const o of g.occurrences) o.path = share(o.path);
    // diagnosisAt is one of the occurrences (the clone keeps that), or a location of its own.
    g.diagnosisAt.path = share(g.diagnosisAt.path);
  }
  return groups;
}
