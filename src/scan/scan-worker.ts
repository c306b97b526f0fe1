// A scan thread (see parallel.ts): loads the rules once, then scans each batch of files it is sent
// and posts the result, with progress as files finish.

import { parentPort, workerData } from 'node:worker_threads';
import { loadRules } from '../rules/load.js';
import type { WorkerMessage, WorkerSetup } from './parallel.js';
import { scanFiles, type ScanProgress } from './scan.js';

const setup = workerData as WorkerSetup;
const rules = setup.rules === undefined ? undefined : setup.rules === null ? null : loadRules(setup.rules).ruleSet;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

parentPort!.on('message', async ({ batch, files }: { batch: number; files: string[] }) => {
  try {
    let last: Pick<ScanProgress, 'filesDone' | 'bytesDone' | 'crashes'> = { filesDone: 0, bytesDone: 0, crashes: 0 };
    const result = await scanFiles(files, {
      jobs: setup.jobs,
      analyze: { ...setup.analyze, ...(rules !== undefined ? { rules } : {}) },
      onWarning: (path, message) => post({ type: 'warning', path, message }),
      onProgress: (p) => {
        post({ type: 'progress', files: p.filesDone - last.filesDone, bytes: p.bytesDone - last.bytesDone, crashes: p.crashes - last.crashes });
        last = { filesDone: p.filesDone, bytesDone: p.bytesDone, crashes: p.crashes };
      },
    });
    post({ type: 'done', batch, result });
  } catch (err) {
    post({ type: 'error', message: (err as Error)?.stack ?? String(err) });
  }
});
