// Runs the CLI bundle (dist/cli-bundle/coredx-cli.cjs, see bench/build-bundle.js) as CommonJS,
// compiled from its V8 code cache when V8 accepts it. Used by bin/coredx.js, and by the scan
// threads of a process that runs the bundle (src/scan/parallel.ts): a thread then starts from the
// same compiled code instead of resolving, reading and compiling ~100 modules of dist/ again.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

/** Where a process running the bundle says so, for its threads (a symbol: no name clash). */
const BUNDLE_KEY = Symbol.for('coredx.cli-bundle');

/** The bundle's exports. `writeCache`: keep what this run compiled (the build's warm-up run). */
function runBundle(file, { writeCache = false } = {}) {
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    // no cache: compiled as usual
  }
  const source = `(function (exports, require, module, __filename, __dirname) { ${readFileSync(file, 'utf8')}\n});`;
  const script = new Script(source, { filename: file, cachedData });
  const module = { exports: {} };
  globalThis[BUNDLE_KEY] = { bundle: file, runner: __filename };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  if (writeCache) process.on('exit', () => writeFileSync(`${file}.cache`, script.createCachedData()));
  return module.exports;
}

module.exports = { runBundle, BUNDLE_KEY };
