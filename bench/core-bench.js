// Core benchmark (part of npm run bench; alone: node bench/core-bench.js after npm run build).
// - the native summary of a real core of more than 1 GB (written by gdb at bench time from a
//   program with 1 GiB of touched heap), and of a sparse 16 GiB core built from a small real one
//   (a 16 GiB PT_LOAD hole, with the program headers moved after it, so the reader must seek there);
// - the debugger-backed analysis of typical cores (gdb, and lldb when installed).
// Needs gcc and gdb; says so and skips otherwise. Figures are best-of-N wall times in this process;
// the cores were just written, so their few header and note pages are in the page cache.

import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeCore, readCoreFacts } from '../dist/index.js';

const PROGRAMS = fileURLToPath(new URL('../test/programs/', import.meta.url));
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const GiB = 1024 ** 3;

function makeCore(dir, source, name, flags = []) {
  copyFileSync(join(PROGRAMS, source), join(dir, source));
  execFileSync(source.endsWith('.cpp') ? 'g++' : 'gcc', ['-g', '-O0', source, '-o', name, ...flags], { cwd: dir });
  execFileSync('gdb', ['-q', '-batch', '-nx', '-iex', 'set debuginfod enabled off', '-ex', 'run', '-ex', `generate-core-file ${name}.core`, `./${name}`], { cwd: dir, stdio: 'ignore' });
  return join(dir, `${name}.core`);
}

/**
 * A copy of `core` with one more PT_LOAD of `holeBytes` (a hole in a sparse file: no disk used)
 * and the program header table rewritten after the hole, so the file is > holeBytes long and the
 * reader has to seek past it. Everything else (notes, memory) is the real core's.
 */
function sparseCore(core, out, holeBytes) {
  const bytes = readFileSync(core);
  const phoff = Number(bytes.readBigUInt64LE(32));
  const phnum = bytes.readUInt16LE(56);
  const table = Buffer.alloc((phnum + 1) * 56);
  bytes.copy(table, 0, phoff, phoff + phnum * 56);
  const holeAt = Math.ceil(bytes.length / 4096) * 4096;
  const load = phnum * 56;
  table.writeUInt32LE(1, load); // PT_LOAD
  table.writeUInt32LE(6, load + 4); // RW
  table.writeBigUInt64LE(BigInt(holeAt), load + 8);
  table.writeBigUInt64LE(0x100000000000n, load + 16); // an unused address range
  table.writeBigUInt64LE(BigInt(holeBytes), load + 32);
  table.writeBigUInt64LE(BigInt(holeBytes), load + 40);
  table.writeBigUInt64LE(4096n, load + 48);
  const header = Buffer.from(bytes.subarray(0, 64));
  const newPhoff = holeAt + holeBytes;
  header.writeBigUInt64LE(BigInt(newPhoff), 32);
  header.writeUInt16LE(phnum + 1, 56);
  const fd = openSync(out, 'w');
  try {
    writeSync(fd, bytes, 0, bytes.length, 0);
    writeSync(fd, header, 0, 64, 0);
    ftruncateSync(fd, newPhoff);
    writeSync(fd, table, 0, table.length, newPhoff);
  } finally {
    closeSync(fd);
  }
  return { path: out, phoff: newPhoff };
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

async function bestAsync(n, fn) {
  let min = Infinity;
  let last;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    last = await fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms: min, result: last };
}

const gb = (bytes) => `${(bytes / GiB).toFixed(2)} GiB`;
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

export async function run() {
  if (!has('gcc') || !has('gdb')) {
    console.log('cores:        skipped (needs gcc and gdb)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'coredx-core-bench-'));
  try {
    // Native: a real 1 GiB core, then a sparse 16 GiB one.
    const big = makeCore(dir, 'big_heap.c', 'big_heap');
    const bigSize = statSync(big).size;
    const rss0 = process.memoryUsage().rss;
    const firstMs = best(1, () => readCoreFacts(big));
    const factsMs = best(20, () => readCoreFacts(big));
    const rssGrowth = (process.memoryUsage().rss - rss0) / 1e6;
    const { ms: reportMs } = await bestAsync(5, () => analyzeCore(big, { debugger: 'none' }));
    console.log(`cores:        native summary of a real ${gb(bigSize)} core (gdb generate-core-file, 1 GiB heap): first read ${firstMs.toFixed(2)} ms; best of 20 ${factsMs.toFixed(2)} ms (notes); best of 5 ${reportMs.toFixed(1)} ms (report + bundled rules); RSS growth over the 21 reads ${rssGrowth.toFixed(1)} MB`);

    const small = makeCore(dir, 'null_deref.c', 'null_deref');
    const { path: sparse, phoff } = sparseCore(small, join(dir, 'sparse.core'), 16 * GiB);
    const st = statSync(sparse);
    const sparseFacts = readCoreFacts(sparse);
    const sparseMs = best(20, () => readCoreFacts(sparse));
    console.log(`              native summary of a sparse ${gb(st.size)} core (${mb(st.blocks * 512)} on disk, program headers at ${gb(phoff)}): best of 20 ${sparseMs.toFixed(2)} ms (${sparseFacts.signalName}, ${sparseFacts.threads.length} thread, ${sparseFacts.modules.length} modules)`);

    // Debugger-backed: a typical small core, a multi-threaded one, the 1 GiB one, the sparse one.
    const threads = makeCore(dir, 'threads.cpp', 'threads', ['-pthread']);
    for (const [label, core] of [['single-threaded', small], ['4-thread', threads], ['1 GiB', big], ['sparse 16 GiB', sparse]]) {
      const { ms, result } = await bestAsync(3, () => analyzeCore(core, { debugger: 'gdb' }));
      const r = result.reports[0];
      console.log(`              gdb-backed analysis, ${label} core (${mb(statSync(core).size)}): best of 3 ${ms.toFixed(0)} ms (${r.format}, ${r.threads.length} thread${r.threads.length === 1 ? '' : 's'}, top frame ${r.signatureFrames[0]})`);
    }
    if (has('lldb')) {
      const { ms, result } = await bestAsync(3, () => analyzeCore(threads, { debugger: 'lldb' }));
      const r = result.reports[0];
      console.log(`              lldb-backed analysis, 4-thread core: best of 3 ${ms.toFixed(0)} ms (${r.format}, top frame ${r.signatureFrames[0]})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
