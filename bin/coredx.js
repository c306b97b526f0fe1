#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli/main.js (built from src/ by `npm install` / `npm run build`).
// The build also bundles it (dist/cli-bundle/, bench/build-bundle.js) for a quicker start; that
// bundle runs only while every dist module it was made from is unchanged (same size, and the same
// mtime, or one mtime for all as in an installed package), else the plain dist/ runs.
import { readFileSync, statSync } from 'node:fs';

// A reader that closes the pipe early (`coredx rules list | head`) is normal: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

function freshBundle() {
  const dist = new URL('../dist/', import.meta.url);
  const entry = new URL('cli-bundle/coredx-cli.js', dist);
  try {
    const inputs = JSON.parse(readFileSync(new URL('cli-bundle/bundle-inputs.json', dist), 'utf8'));
    const built = statSync(entry).mtimeMs;
    let sameAsBuilt = true;
    let onePacked = true;
    for (const [rel, [size, mtime]] of Object.entries(inputs)) {
      const st = statSync(new URL(rel, dist));
      if (st.size !== size) return null;
      if (st.mtimeMs !== mtime) sameAsBuilt = false;
      if (st.mtimeMs !== built) onePacked = false;
    }
    return sameAsBuilt || onePacked ? entry.href : null;
  } catch {
    return null; // not built, or dist/ changed under it
  }
}

import(freshBundle() ?? '../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`coredx: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
