// A scan thread's work (see parallel.ts): loads the rules once, then scans the files of each batch
// it is sent and posts each file's result as soon as it is done (its groups packed: one report per
// group as JSON text), so that it never holds more than the reports of the files it is reading.
// Started from scan-worker.ts (dist/), or from the CLI bundle when the process runs it.

import type { MessagePort } from 'node:worker_threads';
import { loadRules } from '../rules/load.js';
import { packGroup } from './group.js';
import type { FileResult, WorkerMessage, WorkerSetup } from './parallel.js';
import { scanFiles } from './scan.js';

export function runScanWorker(port: MessagePort, setup: WorkerSetup): void {
  const rules = setup.rules === undefined ? undefined : setup.rules === null ? null : loadRules(setup.rules).ruleSet;
  const post = (m: WorkerMessage) => port.postMessage(m);

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

  port.on('message', async ({ files }: { files: string[] }) => {
    try {
      // setup.jobs files at once, each posted when done; lanes take the next file by index.
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(setup.jobs, files.length) }, async () => {
        while (next < files.length) await scanFile(files[next++]!);
      }));
      post({ type: 'done' });
    } catch (err) {
      post({ type: 'error', message: (err as Error)?.stack ?? String(err) });
    }
  });
}
