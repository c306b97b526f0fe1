// Core benchmark (part of npm run bench): the native summary of a core of more than 1 GB (a real
// one, written by gdb at bench time from a program with 1 GiB of heap) and the debugger-backed
// analysis of a typical small core. Needs gcc and gdb; says so and skips otherwise.

import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCoreFacts } from '../dist/core/native.js';
import { analyzeCore } from '../dist/core/analyze-core.js';

const PROGRAMS = fileURLToPath(new URL('../test/programs/', import.meta.url));
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function makeCore(dir, source, name) {
  copyFileSync(join(PROGRAMS, source), join(dir, source));
  execFileSync('gcc', ['-g', '-O0', source, '-o', name], { cwd: dir });
  execFileSync('gdb', ['-q', '-batch', '-nx', '-iex', 'set debuginfod enabled off', '-ex', 'run', '-ex', `generate-core-file ${name}.core`, `./${name}`], { cwd: dir, stdio: 'ignore' });
  return join(dir, `${name}.core`);
}

function best(n, fn) {
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return min;
}

export async function run() {
  if (!has('gcc') || !has('gdb')) {
    console.log('cores:        skipped (needs gcc and gdb)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'coredx-core-bench-'));
  try {
    const big = makeCore(dir, 'big_heap.c', 'big_heap');
    const bigSize = statSync(big).size;
    const rss0 = process.memoryUsage().rss;
    const firstMs = best(1, () => readCoreFacts(big));
    const nativeMs = best(5, () => readCoreFacts(big));
    const rssGrowth = (process.memoryUsage().rss - rss0) / 1e6;
    console.log(`cores:        native summary of a ${(bigSize / 1e9).toFixed(2)} GB core: first ${firstMs.toFixed(1)} ms, best of 5 ${nativeMs.toFixed(2)} ms, RSS growth ${rssGrowth.toFixed(0)} MB`);
    const small = makeCore(dir, 'null_deref.c', 'null_deref');
    const t0 = process.hrtime.bigint();
    const r = await analyzeCore(small, { debugger: 'gdb' });
    const gdbMs = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`              gdb-backed analysis of a ${(statSync(small).size / 1e6).toFixed(1)} MB core: ${gdbMs.toFixed(0)} ms (${r.reports[0].format}, top frame ${r.reports[0].signatureFrames[0]})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
