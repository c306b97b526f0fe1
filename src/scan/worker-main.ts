// A scan worker's work, a thread's or a process's (see parallel.ts, process-lane.ts): loads the rules once
// (as soon as it starts, while the main thread walks the tree), then takes batch after batch and
// posts each file's result as soon as it is done (its groups packed: one report per group as JSON
// text), so that it never holds more than the reports of the files it is reading. Started from
// scan-worker.ts / scan-process.ts (dist/), or from the CLI bundle when the process runs it.

import { loadRules } from '../rules/load.js';
import { packGroup } from './group.js';
import type { FileResult, Progress, ToWorker, WorkerBatches, WorkerMessage } from './parallel.js';
import type { WorkerSetup } from './threads.js';
import { scanFiles } from './scan.js';

/**
 * Progress of a file being read is posted at most this often (ms); the rest goes with the file's
 * result. A message for each file's progress beside its result was half the messages of a scan of
 * 10,000 small files.
 */
const PROGRESS_EVERY_MS = 100;

/** What a worker talks to the scan through: a thread's port, or a process's IPC channel (process-port.ts). */
export interface ScanPort {
  postMessage(message: WorkerMessage): void;
  on(event: 'message', listener: (message: ToWorker) => void): unknown;
}

export function runScanWorker(port: ScanPort, setup: WorkerSetup): void {
  const rules = setup.rules === undefined ? undefined : setup.rules === null ? null : loadRules(setup.rules).ruleSet;
  const post = (m: WorkerMessage) => port.postMessage(m);
  let unsaid: Progress = { files: 0, bytes: 0, crashes: 0 };
  let saidAt = Date.now();
  const said = () => {
    const p = unsaid;
    unsaid = { files: 0, bytes: 0, crashes: 0 };
    saidAt = Date.now();
    return p;
  };

  /** One file: a scanFiles() of it alone (not walked again), posted packed. */
  async function scanFile(path: string): Promise<void> {
    let last = { filesDone: 0, bytesDone: 0, crashes: 0 };
    const r = await scanFiles([path], {
      jobs: 1,
      analyze: { ...setup.analyze, ...(rules !== undefined ? { rules } : {}) },
      onWarning: (path, message) => post({ type: 'warning', path, message }),
      onProgress: (p) => {
        unsaid.files += p.filesDone - last.filesDone;
        unsaid.bytes += p.bytesDone - last.bytesDone;
        unsaid.crashes += p.crashes - last.crashes;
        last = { filesDone: p.filesDone, bytesDone: p.bytesDone, crashes: p.crashes };
        if (Date.now() - saidAt >= PROGRESS_EVERY_MS) post({ type: 'progress', ...said() });
      },
    });
    if (!r.groups.length && !r.files.skipped.length) {
      quiet.scanned += r.files.scanned;
      quiet.bytes += r.totals.bytes;
      quiet.crashes += r.totals.crashes;
      return;
    }
    const result: FileResult = { groups: r.groups.map(packGroup), scanned: r.files.scanned, skipped: r.files.skipped, bytes: r.totals.bytes, crashes: r.totals.crashes };
    post({ type: 'file', result, progress: said() });
  }

  /**
   * Files without a crash or a problem (most of a tree) are counted here and posted as one result
   * at the end of their batch: a message per file was most of a worker's cost on small files.
   */
  let quiet = { scanned: 0, bytes: 0, crashes: 0 };
  const postQuiet = () => {
    if (!quiet.scanned && !quiet.bytes && !quiet.crashes) return;
    post({ type: 'file', result: { groups: [], skipped: [], ...quiet }, progress: said() });
    quiet = { scanned: 0, bytes: 0, crashes: 0 };
  };

  // Batches handed over by message (a process shares no memory to claim them through), in order.
  const handed: number[] = [];
  let wake: (() => void) | null = null;
  const nextBatch = async ({ claim }: WorkerBatches): Promise<number> => {
    if (claim) return Atomics.add(claim, 0, 1);
    while (handed.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    // Said at once, so the scan hands over the next while this one is read (one always waits here).
    post({ type: 'took' });
    return handed.shift()!;
  };

  const work = async (batches: WorkerBatches) => {
    try {
      // Batch after batch, each taken by the shared index (threads) or as handed over (processes),
      // until none is left; `jobs` files of a batch at once, each posted when done.
      for (let b = await nextBatch(batches); b < batches.batches.length; b = await nextBatch(batches)) {
        const files = batches.batches[b]!;
        let next = 0;
        await Promise.all(Array.from({ length: Math.min(batches.jobs, files.length) }, async () => {
          while (next < files.length) await scanFile(files[next++]!);
        }));
        postQuiet();
      }
      post({ type: 'done' });
    } catch (err) {
      post({ type: 'error', message: (err as Error)?.stack ?? String(err) });
    }
  };

  port.on('message', (m: ToWorker) => {
    if ('type' in m) {
      handed.push(m.index);
      wake?.();
      wake = null;
    } else void work(m);
  });
}
