// A scan thread of a process that runs the CLI bundle (src/scan/threads.ts): it runs the same
// bundle, from its code cache. A file, not code given to the Worker as text: a .cjs file is
// CommonJS whatever flags the process was started with (`--input-type=module`, inherited by
// threads, made such text an ES module without `require`).
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
require('./run-bundle.cjs').runBundle(workerData.bundle).scanWorker().then((run) => run(parentPort, workerData.setup));
