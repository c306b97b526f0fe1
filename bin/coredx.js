#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli/main.js (built from src/ by `npm install` / `npm run build`).
// A reader that closes the pipe early (`coredx rules list | head`) is normal: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`coredx: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
