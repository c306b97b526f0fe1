// A scan worker process's script when the scan's process runs dist/ as modules (see process-lane.ts):
// its setup is the first message, then it works as a thread does (worker-main.ts).

import { failStarting, processPort } from './process-port.js';
import type { WorkerSetup } from './threads.js';
import { runScanWorker } from './worker-main.js';

const port = processPort();
port.first().then((setup) => runScanWorker(port, setup as WorkerSetup)).catch(failStarting);
