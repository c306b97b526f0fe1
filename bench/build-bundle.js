#!/usr/bin/env node
// Build step after tsc (run by bench/build-validators.js): the CLI bundled by esbuild into a few
// files under dist/cli-bundle/ (an entry and one chunk per lazily loaded part), so a one-paste
// `coredx analyze` does not resolve, read and compile ~130 separate modules (~100 ms of CPU).
// bin/coredx.js runs the bundle only while it is what dist/ holds now (bundle-inputs.json: each
// input's size and mtime), and the plain dist/cli/main.js otherwise: a `tsc` without this step,
// or a checkout without esbuild (it is a development dependency, through vitest), still runs as
// before. The code is dist's own: `import.meta.url` keeps meaning each source module's place in
// dist/ (rule folders, the rule index, the scan worker), and CommonJS packages loaded on first use
// (createRequire: re2js, ajv, @iarna/toml) stay in node_modules.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
export const BUNDLE_DIR = join(DIST, 'cli-bundle');
const INPUTS_FILE = join(BUNDLE_DIR, 'bundle-inputs.json');

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
        // Each chunk lies in BUNDLE_DIR: the module's own URL is found from there.
        const rel = relative(BUNDLE_DIR, args.path);
        const code = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
        return { contents: code, loader: 'js' };
      });
    },
  };
  const result = await esbuild.build({
    entryPoints: { 'coredx-cli': join(DIST, 'cli', 'main.js') },
    outdir: BUNDLE_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Minified (less for V8 to parse: ~20 ms of CPU less per start), but every function and class
    // keeps its name (keepNames) for stack traces and messages.
    minify: true,
    keepNames: true,
    legalComments: 'none',
    // commander is CommonJS: its require() calls of Node's modules need a require in each file.
    banner: { js: "import { createRequire as __coredxRequire } from 'node:module'; const require = __coredxRequire(import.meta.url);" },
    chunkNames: 'chunk-[hash]',
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
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBundle();
