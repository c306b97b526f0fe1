// A scan worker process of a scan that runs the CLI bundle (src/scan/process-lane.ts): it runs the same
// bundle, from its code cache; its setup is the first message, then it works as a thread does.
'use strict';
const { runBundle } = require('./run-bundle.cjs');
const bundle = runBundle(process.argv[2]);
const port = bundle.scanProcessPort();
Promise.all([bundle.scanWorker(), port.first()]).then(([run, setup]) => run(port, setup)).catch(bundle.scanWorkerFailed);
