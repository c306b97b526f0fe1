// A scan thread (see parallel.ts): loads the rules once, then scans the files of each batch it is
// sent and posts each file's result as soon as it is done (its groups packed: one report per group
// as JSON text), so that it never holds more than the reports of the files it is reading.

import { parentPort, workerData } from 'node:worker_threads';
import { loadRules } from '../rules/load.js';
import { packGroup } from './group.js';
import type { FileResult, WorkerMessage, WorkerSetup } from './parallel.js';
import { scanFiles } from './scan.js';

const setup = workerData as WorkerSetup;
const rules = setup.rules === undefined ? undefined : setup.rules === null ? null : loadRules(setup.rules).ruleSet;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

/** One file: a scanFiles() of it alone (not walked again), posted packed. */
async function scanFile(path: string): Promise<void> {
  let last = { filesDone: 0, bytesDone: 0, crashes: 0 };
  const r = await scanFiles([path], {
    jobs: 1,
    analyze: { ...setup.analyze, ...(rules !== undefined ? { rules } : {}) },
    onWarning: (path, message) => post({ type: 'warning', path, message }),
    onProgress: (p) => {
      post({ type: 'progress', files: p.filesDone - last.filesDone, bytes: p.bytesDone - last.bytesDone, crashes: p.crashes - last.crashes });
      last = { filesDone: p.filesDone, bytesDone: p.bytesDone, crashes: p.crashes };
    },
  });
  const result: FileResult = { groups: r.groups.map(packGroup), scanned: r.files.scanned, skipped: r.files.skipped, bytes: r.totals.bytes, crashes: r.totals.crashes };
  post({ type: 'file', result });
}

parentPort!.on('message', async ({ files }: { files: string[] }) => {
  try {
    // setup.jobs files at once, each posted when done.
    const queue = [...files];
    await Promise.all(Array.from({ length: Math.min(setup.jobs, queue.length) }, async () => {
      for (let path = queue.shift(); path !== undefined; path = queue.shift()) await scanFile(path);
    }));
    post({ type: 'done' });
  } catch (err) {
    post({ type: 'error', message: (err as Error)?.stack ?? String(err) });
  }
});
