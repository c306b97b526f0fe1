#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli/main.js (built from src/ by `npm install` / `npm run build`).
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`coredx: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
