// A scan thread's script when the process runs dist/ as modules (see worker-main.ts).

import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerSetup } from './threads.js';
import { runScanWorker } from './worker-main.js';

runScanWorker(parentPort!, workerData as WorkerSetup);
