// Scan benchmark: a generated artifact tree (>= 1 GB of logs over thousands of files, a few hundred
// backtraces of every supported input format at random places, duplicates among them), scanned by
// the `coredx scan` command on one job (`--jobs 1`), with and without the bundled rules, and compared
// with ripgrep (`rg -F -j1`, one thread) searching the same tree for the same markers coredx's
// scanner looks for. Both are timed as whole processes (start-up included), several runs each,
// interleaved, the median reported. The tree is checked to hold every format of src/parse/registry.ts
// and every planted crash is checked to be found with its format.
// Imported by bench/bench.js; run alone with: node bench/scan-bench.js [--gb 1] [--runs 3]

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, PARSERS } from '../dist/index.js';
import { minimalMarkers } from '../dist/pipeline.js';
import { logPrefixSplits } from '../dist/parse/log-prefix.js';
import { TRACE_MAKERS } from './traces.js';

/** Distinct crashes per trace maker: every maker's crashes appear several times (duplicates to group). */
const DISTINCT_PER_MAKER = 8;

/** Deterministic pseudo-random numbers, so every run builds the same tree. */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const traceOf = (t) => {
  const [format, make] = TRACE_MAKERS[t % TRACE_MAKERS.length];
  return { format, text: make(Math.floor(t / TRACE_MAKERS.length) % DISTINCT_PER_MAKER) };
};

/** Checks every registered parser (src/parse/registry.ts) has a maker whose trace it claims, and every
 *  maker's trace gives one report of the maker's format. Returns the report formats of the tree. */
export function checkFormats() {
  const claimedBy = new Set();
  for (const [format, make] of TRACE_MAKERS) {
    const text = make(0);
    const reports = analyze(text, { rules: null }).reports;
    if (reports.length !== 1 || reports[0].format !== format) throw new Error(`bench trace maker "${format}" gives ${reports.map((r) => r.format).join(', ') || 'no report'}`);
    for (const line of text.split('\n')) {
      // As the extractor asks: the line as it is, then without a logger's prefix ("[host:pid] ").
      const parser = PARSERS.find((p) => p.startsTrace(line)) ?? logPrefixSplits(line).map((split) => PARSERS.find((p) => p.startsTrace(split.rest))).find((p) => p);
      if (parser) {
        claimedBy.add(parser);
        break;
      }
    }
  }
  const missing = PARSERS.filter((p) => !claimedBy.has(p)).map((p) => p.format);
  if (missing.length) throw new Error(`bench tree has no trace for the parser(s) of ${missing.join(', ')}`);
  return [...new Set(TRACE_MAKERS.map(([format]) => format))];
}

export function buildTree(root, totalBytes, files = 2000, traces = TRACE_MAKERS.length * 30) {
  const rand = rng(42);
  const perFile = Math.floor(totalBytes / files);
  const line = (i) => `2025-01-02T03:04:05.${String(i % 1e7).padStart(7, '0')}Z [INFO] worker-${i % 16} handled request id=${i} in ${i % 97}ms status=200\n`;
  const filler = Array.from({ length: 400 }, (_, i) => line(i)).join('');
  const crashAt = new Map();
  for (let t = 0; t < traces; t++) {
    const f = Math.floor(rand() * files);
    crashAt.set(f, [...(crashAt.get(f) ?? []), t]);
  }
  const planted = {};
  let written = 0;
  for (let f = 0; f < files; f++) {
    const dir = join(root, `job-${f % 50}`);
    mkdirSync(dir, { recursive: true });
    const parts = [];
    let size = 0;
    const crashes = crashAt.get(f) ?? [];
    const slots = new Set(crashes.map(() => Math.floor(rand() * Math.max(1, perFile / filler.length))));
    const plant = (t) => {
      const { format, text } = traceOf(t);
      planted[format] = (planted[format] ?? 0) + 1;
      parts.push(text);
      size += text.length;
    };
    let k = 0;
    while (size < perFile) {
      if (slots.has(k) && crashes.length) plant(crashes.pop());
      parts.push(filler);
      size += filler.length;
      k++;
    }
    while (crashes.length) plant(crashes.pop());
    const text = parts.join('');
    writeFileSync(join(dir, `test-${f}.log`), text);
    written += text.length;
  }
  return { bytes: written, files, traces, planted };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const BIN = fileURLToPath(new URL('../bin/coredx.js', import.meta.url));

/** One `coredx scan --jobs N` process (1 unless said): wall time (start-up included), peak RSS, the JSON result. */
function coredxRun(root, out, rules, jobs = 1) {
  // The CLI runs inside a small wrapper only to read the process's own peak RSS at exit.
  const wrapper = `process.on('exit', () => process.stderr.write('\\nRSS ' + process.resourceUsage().maxRSS / 1024 + '\\n'));
    process.argv = [process.argv[0], ${JSON.stringify(BIN)}, ...process.argv.slice(1)];
    await import(${JSON.stringify(new URL('../bin/coredx.js', import.meta.url).href)});`;
  const args = ['scan', root, '--jobs', String(jobs), '--quiet', '--fail-on', 'none', '-f', `json=${out}`, ...(rules ? [] : ['--no-builtin'])];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', wrapper, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`coredx scan exited ${r.status}: ${r.stderr}`);
  const rss = Number(/RSS ([\d.]+)/.exec(r.stderr)?.[1]);
  return { seconds, rss, result: JSON.parse(readFileSync(out, 'utf8')) };
}

function rgRun(root, markers) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('rg', ['-c', '-F', '-j1', ...markers.flatMap((m) => ['-e', m]), root], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) return null;
  const lines = r.stdout.split('\n').filter(Boolean).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(':') + 1)), 0);
  return { seconds, lines };
}

export async function run({ gb = 1, runs = 3 } = {}) {
  const makerFormats = checkFormats();
  const root = mkdtempSync(join(tmpdir(), 'coredx-scan-bench-'));
  const out = join(root, '..', `${root.split('/').pop()}.json`);
  try {
    const tree = buildTree(root, gb * 1e9);
    const markers = minimalMarkers(PARSERS.flatMap((p) => p.markers ?? []));
    const hasRg = rgRun(root, markers) !== null; // also warms the page cache for both
    const times = { rules: [], none: [], rg: [], two: [] };
    let last = {};
    for (let i = 0; i < runs; i++) {
      for (const rules of [false, true]) {
        const r = coredxRun(root, out, rules);
        times[rules ? 'rules' : 'none'].push(r.seconds);
        last[rules ? 'rules' : 'none'] = r;
      }
      if (hasRg) times.rg.push(rgRun(root, markers).seconds);
      // --jobs 2 (issue 13: parallel scan), bundled rules: a tree large enough for the threads'
      // start-up not to be most of it.
      const two = coredxRun(root, out, true, 2);
      times.two.push(two.seconds);
      last.two = two;
    }
    const { result } = last.rules;
    const found = {};
    for (const g of result.groups) found[g.report.format] = (found[g.report.format] ?? 0) + g.count;
    const missed = Object.entries(tree.planted).filter(([f, n]) => found[f] !== n);
    const mb = result.totals.bytes / 1e6;
    const s = { rules: median(times.rules), none: median(times.none) };
    console.log(`scan tree:    ${(mb / 1000).toFixed(2)} GB in ${tree.files} files, ${tree.traces} planted backtraces of ${new Set(makerFormats).size} formats (${Object.entries(tree.planted).map(([f, n]) => `${f} ${n}`).join(', ')})`);
    console.log(`              found ${result.totals.crashes} crashes in ${result.totals.groups} groups${missed.length ? `; MISSED: ${missed.map(([f, n]) => `${f} ${found[f] ?? 0}/${n}`).join(', ')}` : ', every planted one with its format'}`);
    for (const [key, label] of [['none', 'no rules (--no-builtin)'], ['rules', 'bundled rules']]) {
      console.log(`coredx scan --jobs 1, ${label.padEnd(23)} ${s[key].toFixed(2)} s (median of ${runs}, whole process): ${(mb / s[key]).toFixed(0)} MB/s, ${(result.totals.crashes / s[key]).toFixed(0)} crashes/s, peak RSS ${last[key].rss.toFixed(0)} MB`);
    }
    const two = median(times.two);
    const same = JSON.stringify(last.two.result.groups) === JSON.stringify(result.groups);
    console.log(`coredx scan --jobs 2, bundled rules         ${two.toFixed(2)} s (median of ${runs}, whole process, wall): ${(s.rules / two).toFixed(2)}x --jobs 1 (2 cores; target 1.8x), peak RSS ${last.two.rss.toFixed(0)} MB; same groups: ${same ? 'yes' : 'NO'}`);
    if (!same) process.exitCode = 1;
    if (!hasRg) console.log('ripgrep:      rg not installed (apt-get install ripgrep): comparison skipped');
    else {
      const rg = median(times.rg);
      console.log(`rg -c -F -j1 -e ${markers.map((m) => JSON.stringify(m)).join(' -e ')}: ${rg.toFixed(2)} s (median of ${runs}, same tree, the scanner's ${markers.length} markers)`);
      console.log(`coredx/rg:    ${(s.none / rg).toFixed(2)}x without rules, ${(s.rules / rg).toFixed(2)}x with the bundled rules (target <= 3x)`);
    }
    if (missed.length) process.exitCode = 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(out, { force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
  await run({ gb: opt('--gb', 1), runs: opt('--runs', 3) });
}
