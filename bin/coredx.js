#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli/main.js (built from src/ by `npm install` / `npm run build`).
// The build also bundles it into one script with a V8 code cache (dist/cli-bundle/, see
// bench/build-bundle.js) for a quicker start; that bundle runs only while every dist module it was
// made from is unchanged (same size, and the same mtime, or one mtime for all as in an installed
// package), else the plain dist/ runs.
import { createRequire } from 'node:module';

// Node's modules through require: an ES import of node:fs would run its lazy getters (its streams).
const require = createRequire(import.meta.url);
const { readFileSync, statSync } = require('node:fs');
const { fileURLToPath } = require('node:url');

// A reader that closes the pipe early (`coredx rules list | head`) is normal: stop quietly. Any other
// write error (`coredx rules list > /dev/full`, a full disk, an I/O error) is one line naming the
// stream and the reason, exit 2 (it was a Node stack trace and exit 1, "no backtrace found"). The
// reports of analyze, scan and merge are written by src/cli/write-report.ts, which says the same.
const WRITE_REASONS = { ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded', EFBIG: 'file too large', EIO: 'I/O error', EBADF: 'closed (not open for writing)', EROFS: 'read-only file system' };
for (const [name, stream] of [['stdout', process.stdout], ['stderr', process.stderr]]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    const reason = (err && WRITE_REASONS[err.code]) || (err && err.code) || String(err);
    if (name === 'stdout') {
      try {
        require('node:fs').writeSync(2, `coredx: stdout: cannot write the output: ${reason}\n`);
      } catch {
        // stderr is gone too
      }
    }
    process.exit(2);
  });
}

/** The bundle's path when it is fresh, else null. */
function freshBundle() {
  // Plain paths: ~130 URL objects cost more than the stat calls.
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  const bundle = `${dist}cli-bundle/coredx-cli.cjs`;
  try {
    const inputs = JSON.parse(readFileSync(`${dist}cli-bundle/bundle-inputs.json`, 'utf8'));
    const built = statSync(bundle).mtimeMs;
    let sameAsBuilt = true;
    let onePacked = true;
    for (const rel in inputs) {
      const [size, mtime] = inputs[rel];
      const st = statSync(dist + rel);
      if (st.size !== size) return null;
      if (st.mtimeMs !== mtime) sameAsBuilt = false;
      if (st.mtimeMs !== built) onePacked = false;
    }
    return sameAsBuilt || onePacked ? bundle : null;
  } catch {
    return null; // not built, or dist/ changed under it
  }
}

/** The CLI's module: the bundle when fresh (and readable: a build may be replacing it), else dist's. */
function cli() {
  // `coredx --version` needs nothing of the bundle: dist's main answers it without loading the rest.
  const args = process.argv.slice(2);
  const version = args.length === 1 && (args[0] === '--version' || args[0] === '-V');
  const bundle = version ? null : freshBundle();
  if (bundle) {
    try {
      // The build's warm-up run (bench/build-bundle.js) keeps what it compiled for the next runs.
      return Promise.resolve(require('./run-bundle.cjs').runBundle(bundle, { writeCache: process.env.COREDX_WRITE_CODE_CACHE === '1' }));
    } catch {
      // fall back to the plain dist/
    }
  }
  return import('../dist/cli/main.js');
}

cli()
  .then((m) => m.main(process.argv))
  .catch((err) => {
    process.stderr.write(`coredx: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
