#!/usr/bin/env node
// Build step after tsc (run by bench/build-validators.js): the CLI bundled by esbuild into one
// script, dist/cli-bundle/coredx-cli.cjs, with a V8 code cache beside it (coredx-cli.cjs.cache,
// written by one warm-up run of a paste), so a one-paste `coredx analyze` neither resolves, reads
// and compiles ~130 separate modules nor compiles the functions it runs (~150 ms of CPU in all).
// bin/coredx.js runs the bundle only while it is what dist/ holds now (bundle-inputs.json: each
// input's size and mtime), and the plain dist/cli/main.js otherwise: a `tsc` without this step, or
// a checkout without esbuild (a development dependency, through vitest), still runs as before. A
// cache V8 rejects (another Node) only costs the compiling it would have saved.
// The code is dist's own, as CommonJS (Node 20 has a code cache for scripts, not for ES modules):
// `import.meta.url` keeps meaning each source module's place in dist/ (rule folders, the rule index,
// the scan worker), and subcommands, like the packages required on first use (re2js, @iarna/toml),
// are still evaluated only when they run (esbuild keeps a dynamic import or a require lazy).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
export const BUNDLE_DIR = join(DIST, 'cli-bundle');
const BUNDLE = join(BUNDLE_DIR, 'coredx-cli.cjs');
const INPUTS_FILE = join(BUNDLE_DIR, 'bundle-inputs.json');

/** A one-trace paste for the warm-up run (the bundled rules' samples are in every copy). */
function warmUpSample() {
  const own = join(ROOT, 'samples', 'gdb-live-inlined.txt');
  if (existsSync(own)) return own;
  const dir = join(ROOT, 'rules', 'generic', 'samples');
  const first = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.txt')) : undefined;
  return first ? join(dir, first) : null;
}

export async function buildBundle() {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    process.stderr.write('build-bundle: esbuild not installed: the CLI runs from the plain dist/ (slower start-up)\n');
    return false;
  }
  const metaUrl = {
    name: 'dist-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(`${DIST}/`)) return undefined;
        // The bundle lies in BUNDLE_DIR (its __dirname): each module's own URL is found from there.
        const rel = relative(BUNDLE_DIR, args.path);
        // A package required on first use (re2js, @iarna/toml) is bundled too, still required
        // (evaluated) on first use only, and so compiled from the code cache when it is.
        const code = readFileSync(args.path, 'utf8').replace(/\bcreateRequire\(import\.meta\.url\)\((['"])([^./'"][^'"]*)\1\)/g, 'require($1$2$1)');
        // Through the banner's function: a module may declare its own `require` around the use.
        return { contents: code.replaceAll('import.meta.url', `__coredxModuleUrl(${JSON.stringify(rel)})`), loader: 'js' };
      });
    },
  };
  const result = await esbuild.build({
    entryPoints: [join(DIST, 'cli', 'main.js')],
    outfile: BUNDLE,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // ES modules are strict code: so is their bundle. `import.meta.url` of a module: its file's URL.
    banner: { js: `"use strict";const __coredxModuleUrl=(rel)=>require('node:url').pathToFileURL(require('node:path').join(__dirname,rel)).href;` },
    // Less for V8 to parse when the cache cannot be used; every function and class keeps its name
    // (keepNames) for stack traces and messages.
    minify: true,
    keepNames: true,
    legalComments: 'none',
    plugins: [metaUrl],
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  const inputs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const abs = join(ROOT, input);
    // Packages are copied into the bundle: only dist's own modules can be rebuilt under it.
    if (!abs.startsWith(`${DIST}/`)) continue;
    const st = statSync(abs);
    inputs[relative(DIST, abs)] = [st.size, st.mtimeMs];
  }
  mkdirSync(BUNDLE_DIR, { recursive: true });
  writeFileSync(INPUTS_FILE, JSON.stringify(inputs));
  // The code cache: what one paste's run compiled (bin/coredx.js writes it when asked to).
  const sample = warmUpSample();
  if (sample) {
    const bin = join(ROOT, 'bin', 'coredx.js');
    const r = spawnSync(process.execPath, [bin, 'analyze', sample], { env: { ...process.env, COREDX_WRITE_CODE_CACHE: '1', NO_COLOR: '1' }, encoding: 'utf8' });
    if (r.status !== 0 || !existsSync(`${BUNDLE}.cache`)) process.stderr.write(`build-bundle: the warm-up run wrote no code cache (exit ${r.status}): ${r.stderr}\n`);
  }
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBundle();
