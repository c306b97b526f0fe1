// Scan benchmark: a generated artifact tree (>= 1 GB of logs over thousands of files, a few hundred
// backtraces of every supported format at random places, duplicates among them), scanned on one
// job, compared with ripgrep searching the same tree for the same frame-line markers.
// Imported by bench/bench.js; run alone with: node bench/scan-bench.js [--gb 1]

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PARSERS } from '../dist/index.js';
import { minimalMarkers } from '../dist/analyze.js';
import { TRACE_MAKERS } from './traces.js';

/** Deterministic pseudo-random numbers, so every run builds the same tree. */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export function buildTree(root, totalBytes, files = 2000, traces = 400) {
  const rand = rng(42);
  const perFile = Math.floor(totalBytes / files);
  const line = (i) => `2025-01-02T03:04:05.${String(i % 1e7).padStart(7, '0')}Z [INFO] worker-${i % 16} handled request id=${i} in ${i % 97}ms status=200\n`;
  const filler = Array.from({ length: 400 }, (_, i) => line(i)).join('');
  const crashAt = new Map();
  for (let t = 0; t < traces; t++) {
    const f = Math.floor(rand() * files);
    crashAt.set(f, [...(crashAt.get(f) ?? []), t]);
  }
  let written = 0;
  for (let f = 0; f < files; f++) {
    const dir = join(root, `job-${f % 50}`);
    mkdirSync(dir, { recursive: true });
    const parts = [];
    let size = 0;
    const crashes = crashAt.get(f) ?? [];
    const slots = new Set(crashes.map(() => Math.floor(rand() * Math.max(1, perFile / filler.length))));
    let k = 0;
    while (size < perFile) {
      if (slots.has(k) && crashes.length) {
        const t = crashes.pop();
        // 40 distinct crashes, each appearing ~10 times: duplicates to group.
        const trace = TRACE_MAKERS[t % TRACE_MAKERS.length](t % 40);
        parts.push(trace);
        size += trace.length;
      }
      parts.push(filler);
      size += filler.length;
      k++;
    }
    for (const t of crashes) parts.push(TRACE_MAKERS[t % TRACE_MAKERS.length](t % 40));
    const text = parts.join('');
    writeFileSync(join(dir, `test-${f}.log`), text);
    written += text.length;
  }
  return { bytes: written, files, traces };
}

export async function run({ gb = 1 } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'coredx-scan-bench-'));
  try {
    const tree = buildTree(root, gb * 1e9);
    const script = `
      const { scan } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
      const t0 = process.hrtime.bigint();
      const r = await scan([${JSON.stringify(root)}], { jobs: 1 });
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(JSON.stringify({ s, totals: r.totals, rss: process.resourceUsage().maxRSS / 1024 }));`;
    const child = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 26 }));
    const mb = child.totals.bytes / 1e6;
    console.log(`scan tree:    ${(mb / 1000).toFixed(2)} GB in ${tree.files} files, ${child.totals.crashes} crashes in ${child.totals.groups} groups (${tree.traces} planted), ${child.s.toFixed(2)} s on one job: ${(mb / child.s).toFixed(0)} MB/s, ${(child.totals.crashes / child.s).toFixed(0)} crashes/s, peak RSS ${child.rss.toFixed(0)} MB`);
    const markers = minimalMarkers(PARSERS.flatMap((p) => p.markers ?? []));
    const rgArgs = ['-c', '-F', '-j1', ...markers.flatMap((m) => ['-e', m]), root];
    const t0 = process.hrtime.bigint();
    const rg = spawnSync('rg', rgArgs, { encoding: 'utf8', maxBuffer: 1 << 26 });
    const rgSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (rg.error) console.log(`ripgrep:      not installed (apt-get install ripgrep) - no comparison`);
    else console.log(`ripgrep:      same tree, same ${markers.length} markers (rg -F -j1): ${rgSeconds.toFixed(2)} s; coredx/rg = ${(child.s / rgSeconds).toFixed(2)}x`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  await run({ gb: args.includes('--gb') ? Number(args[args.indexOf('--gb') + 1]) : 1 });
}
