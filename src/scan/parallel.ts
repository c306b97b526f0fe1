// `coredx scan --jobs N` over threads: the main thread walks (and shards) the artifacts, then it
// and worker threads analyze batches of files (each batch is a scanFiles() of those files, found once by the walk), and the batches'
// results are put together by the same code as `coredx merge` (mergeGroups): the result is the one a
// serial scan gives, whatever the number of threads and the order batches finish in.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { LoadOptions } from '../rules/load.js';
import { holdGroup, mergeGroups } from './group.js';
import { scanFiles, scanResult, type ScanOptions, type ScanResult, type SkippedFile } from './scan.js';
import { inShard } from './shard.js';
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
}

/** What a worker is given once. */
export interface WorkerSetup {
  /** undefined: the bundled packs (analyze's default). */
  rules: LoadOptions | null | undefined;
  /** The analyze options but the rules and parsers (core options, context sizes). */
  analyze: Omit<NonNullable<ScanOptions['analyze']>, 'rules' | 'parsers'>;
  /** Files each thread analyzes at once. */
  jobs: number;
}

export type WorkerMessage =
  | { type: 'progress'; files: number; bytes: number; crashes: number }
  | { type: 'warning'; path: string; message: string }
  | { type: 'done'; batch: number; result: ScanResult }
  | { type: 'error'; message: string };

/** Files in a batch at most: a worker holds the reports of its batch's files in full until it posts them. */
const MAX_BATCH = 16;

/** Below this many files, starting threads (each loads the rules) costs more than it saves. */
const MIN_FILES_PER_THREAD = 4;

export async function scanParallel(inputs: string[], options: ParallelScanOptions = {}): Promise<ScanResult> {
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
  const threads = canThread ? Math.min(options.threads ?? availableParallelism(), jobs, Math.floor(files.length / MIN_FILES_PER_THREAD)) : 1;
  const progress = { filesDone: 0, filesTotal: files.length, bytesDone: 0, crashes: 0 };
  const results: ScanResult[] = [];
  if (threads <= 1) {
    // One batch, on this thread: the files found, each given as itself.
    const { onProgress, onWarning } = options;
    results.push(await scanFiles(files, { jobs, ...(options.analyze ? { analyze: options.analyze } : {}), ...(onProgress ? { onProgress } : {}), ...(onWarning ? { onWarning } : {}) }));
  } else await inThreads(files, threads, jobs, options, results, progress);
  return combine(walked, results);
}

async function inThreads(
  files: string[],
  threads: number,
  jobs: number,
  options: ParallelScanOptions,
  results: ScanResult[],
  progress: { filesDone: number; filesTotal: number; bytesDone: number; crashes: number },
): Promise<void> {
  // Batches small enough to balance the threads and to bound what a batch holds until it is posted
  // and kept compactly here (every report of its files: at most MAX_BATCH files), large enough to
  // keep messages few.
  const size = Math.max(1, Math.min(MAX_BATCH, Math.ceil(files.length / (threads * 64))));
  const batches: string[][] = [];
  for (let i = 0; i < files.length; i += size) batches.push(files.slice(i, i + size));
  const { rules: _rules, parsers: _parsers, ...analyze } = options.analyze ?? {};
  const setup: WorkerSetup = { rules: options.ruleSource, analyze, jobs: Math.ceil(jobs / threads) };
  let next = 0;
  const workers: Worker[] = [];
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
    for (let batch = next++; batch < batches.length; batch = next++) {
      let last = { filesDone: 0, bytesDone: 0, crashes: 0 };
      results[batch] = await scanFiles(batches[batch]!, {
        jobs: setup.jobs,
        ...(options.analyze ? { analyze: options.analyze } : {}),
        onWarning: warn,
        onProgress: (p) => {
          count(p.filesDone - last.filesDone, p.bytesDone - last.bytesDone, p.crashes - last.crashes);
          last = { filesDone: p.filesDone, bytesDone: p.bytesDone, crashes: p.crashes };
        },
      });
    }
  };
  try {
    await Promise.all([
      here(),
      ...Array.from({ length: threads - 1 }, () => {
        const worker = new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: setup });
        workers.push(worker);
        return new Promise<void>((resolve, reject) => {
          const feed = () => {
            if (next < batches.length) {
              const batch = next++;
              worker.postMessage({ batch, files: batches[batch] });
            } else resolve();
          };
          worker.on('message', (m: WorkerMessage) => {
            if (m.type === 'progress') count(m.files, m.bytes, m.crashes);
            else if (m.type === 'warning') warn(m.path, m.message);
            else if (m.type === 'done') {
              // Kept compactly while the other batches finish (reports written away past the first groups).
              results[m.batch] = { ...m.result, groups: m.result.groups.map(holdGroup) };
              feed();
            } else reject(new Error(m.message));
          });
          worker.on('error', reject);
          worker.on('exit', (code) => (next < batches.length || code !== 0 ? reject(new Error(`scan worker exited (code ${code})`)) : resolve()));
          feed();
        });
      }),
    ]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function combine(walked: Awaited<ReturnType<typeof walkArtifacts>>, results: ScanResult[]): ScanResult {
  const skipped: SkippedFile[] = [
    ...walked.problems.map((p) => ({ ...p, error: true })),
    ...walked.special.map((p) => ({ ...p, error: false })),
    ...results.flatMap((r) => r.files.skipped),
  ];
  const sum = (f: (r: ScanResult) => number) => results.reduce((n, r) => n + f(r), 0);
  return scanResult({
    // One batch (a scan on this thread) is its own result: not copied into a second set of groups.
    groups: results.length === 1 ? results[0]!.groups : mergeGroups(results.map((r) => r.groups), { consume: true }),
    scanned: sum((r) => r.files.scanned),
    skipped,
    bytes: sum((r) => r.totals.bytes),
    crashes: sum((r) => r.totals.crashes),
  });
}
