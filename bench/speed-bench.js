// Speed benchmark (issue 13), every figure a ratio against a baseline measured in the same run:
//   prefilter: per-line cost of the reader with the 14 registered formats' markers vs the same
//              plus 20 dummy formats' (the one-pass marker search must not grow with them)
//   parsing:   the coredx library (warm, bundled rules) on ClusterFuzz's own corpus
//              (../shared/corpus/clusterfuzz, read in place), beside ClusterFuzz's 1.2 MB/s measured
//              on this machine kind; and the CLI as one process over all its files
//   start-up:  `coredx analyze` of a one-trace file, CPU time, vs `node -e 0`
//   scan:      `coredx scan --jobs 1` vs `rg -F -j1` with the same markers, on generated trees of
//              each kind (sparse logs, timestamped logs, logs dense with near-miss `#N` lines, gzip
//              logs, 10,000 small files), CPU time and peak RSS
//   parallel:  `coredx scan --jobs 2` vs `--jobs 1` (wall time)
// Data is generated into a temp directory (nothing committed). Processes are compared by CPU time
// (user + system), which other load on the machine disturbs least, and by wall time.
// Usage: node bench/speed-bench.js [--mb 100] [--runs 3] [--only prefilter,parse,startup,scan,jobs]

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { analyze, analyzeStream, PARSERS, builtinRules } from '../dist/index.js';
import { minimalMarkers } from '../dist/pipeline.js';
import { NOTICE_MARKERS } from '../dist/parse/notice.js';
import { TRACE_MAKERS } from './traces.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'coredx.js');
const CLUSTERFUZZ = join(ROOT, '..', 'shared', 'corpus', 'clusterfuzz');
const CLUSTERFUZZ_MBS = 1.2;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x, d = 2) => x.toFixed(d);

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

// --- processes, timed by CPU (user + system) and wall time, with peak RSS ---------------------

/** Runs a command under /usr/bin/time: { cpu, wall, rssMb, status, stdout }. */
function timed(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /TIME ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr ?? '');
  if (!m) throw new Error(`${cmd} ${args.join(' ')}: ${r.error ?? r.stderr}`);
  return { cpu: Number(m[1]) + Number(m[2]), wall, rssMb: Number(m[3]) / 1024, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `fn` `runs` times, interleaving with the others given; medians of cpu and wall. */
function interleaved(runs, fns) {
  const out = fns.map(() => []);
  for (let i = 0; i < runs; i++) fns.forEach((fn, k) => out[k].push(fn()));
  return out.map((rs) => ({ cpu: median(rs.map((r) => r.cpu)), wall: median(rs.map((r) => r.wall)), rssMb: Math.max(...rs.map((r) => r.rssMb)), last: rs[rs.length - 1] }));
}

// --- generated trees ---------------------------------------------------------------------------

const plainLine = (i) => `[INFO] worker-${i % 16} handled request id=${i} in ${i % 97}ms status=200 path=/api/v1/items/${i % 1000}\n`;
const ghLine = (i) => `2025-01-02T03:04:${String(i % 60).padStart(2, '0')}.${String(i % 1e7).padStart(7, '0')}Z ${plainLine(i)}`;
// Lines that begin like frames (or hold a '#') but are not: BuildKit, Markdown, C, issue references.
const nearMiss = (i) => {
  switch (i % 8) {
    // BuildKit numbers its steps from #1 (its one "#0 building with ..." line starts a build).
    case 0: return i % 20000 === 0 ? '#0 building with "default" instance using docker driver\n' : `#${(i % 40) + 1} [build ${i % 7}/7] RUN make -j4 target-${i % 13}\n`;
    case 1: return `#${(i % 40) + 1} ${(i % 900) / 10}s DONE ${i % 5}.${i % 10}s\n`;
    case 2: return `## Step ${i % 12}: configure the build\n`;
    case 3: return `#include <vector_${i % 30}.h>\n`;
    case 4: return `fixes #${1000 + (i % 5000)}: handle the retry in worker ${i % 16}\n`;
    case 5: return `#${(i % 40) + 1} sha256:${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}${'0'.repeat(24)} 1.2MB / 3.4MB 0.${i % 10}s\n`;
    default: return plainLine(i);
  }
};

/** Writes `files` files of about `bytes` in all, lines from `lineOf`, crashes planted now and then. */
function writeTree(dir, { bytes, files, lineOf, gzip = false, crashes = 0, seed = 1 }) {
  const rand = rng(seed);
  mkdirSync(dir, { recursive: true });
  const perFile = Math.max(1, Math.floor(bytes / files));
  const crashIn = new Set(Array.from({ length: crashes }, () => Math.floor(rand() * files)));
  let written = 0;
  let i = 0;
  for (let f = 0; f < files; f++) {
    const parts = [];
    let size = 0;
    while (size < perFile) {
      const l = lineOf(i++);
      parts.push(l);
      size += l.length;
    }
    if (crashIn.has(f)) parts.splice(Math.floor(rand() * parts.length), 0, TRACE_MAKERS[f % TRACE_MAKERS.length][1](f % 8));
    const text = parts.join('');
    const sub = join(dir, `job-${f % 50}`);
    mkdirSync(sub, { recursive: true });
    const path = join(sub, `test-${f}.log${gzip ? '.gz' : ''}`);
    writeFileSync(path, gzip ? gzipSync(text, { level: 6 }) : text);
    written += text.length;
  }
  return written;
}

export function buildTrees(root, mb) {
  const b = mb * 1e6;
  const kinds = [
    ['sparse logs', 'sparse', { bytes: b, files: 40, lineOf: plainLine, crashes: 6 }],
    ['timestamped logs (GitHub Actions prefix)', 'timestamped', { bytes: b, files: 40, lineOf: ghLine, crashes: 6 }],
    ['near-miss #N lines (BuildKit, Markdown, #include, issue refs)', 'nearmiss', { bytes: b, files: 40, lineOf: nearMiss, crashes: 6 }],
    ['gzip logs (timestamped)', 'gzip', { bytes: b, files: 40, lineOf: ghLine, gzip: true, crashes: 6 }],
    ['10,000 small files', 'small', { bytes: Math.min(b, 40e6), files: 10000, lineOf: ghLine, crashes: 20 }],
  ];
  return kinds.map(([label, name, opts]) => {
    const dir = join(root, name);
    const bytes = writeTree(dir, opts);
    return { label, dir, bytes };
  });
}

const scanMarkers = () => minimalMarkers([...PARSERS.flatMap((p) => p.markers ?? []), ...NOTICE_MARKERS]);

function coredxScan(dir, jobs, extra = []) {
  return timed(process.execPath, [BIN, 'scan', dir, '--jobs', String(jobs), '--quiet', '--fail-on', 'none', '-f', 'json', ...extra]);
}

function rgScan(dir, markers) {
  return timed('rg', ['-c', '-F', '-j1', '-z', ...markers.flatMap((m) => ['-e', m]), dir]);
}

// --- rows --------------------------------------------------------------------------------------

/** Reader + extractor per-line cost, the registered formats vs the same plus 20 dummy ones. */
async function prefilterRow(mb) {
  const lines = [];
  let size = 0;
  for (let i = 0; size < mb * 1e6; i++) {
    const l = ghLine(i);
    lines.push(l);
    size += l.length;
  }
  const text = Buffer.from(lines.join(''));
  // Dummy formats: each has its own markers (never in the log) and a start test that never fires.
  const dummies = Array.from({ length: 20 }, (_, k) => ({
    format: `dummy${k}`,
    markers: [`DUMMY-${k}-CRASH`, `@@dummy${k}:`],
    startsTrace: (line) => line.startsWith(`DUMMY-${k}-CRASH`),
    begin: () => ({ feed: () => 'end', finish: () => null }),
  }));
  const registered = PARSERS;
  const withDummies = [...PARSERS, ...dummies];
  const chunked = () => {
    const out = [];
    for (let p = 0; p < text.length; p += 1 << 20) out.push(text.subarray(p, p + (1 << 20)));
    return Readable.from(out);
  };
  const once = async (parsers) => {
    const t0 = process.cpuUsage();
    await analyzeStream(chunked(), { parsers, rules: null });
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / 1e6;
  };
  // Warm both (the kernels are compiled once per marker set, the line loop is optimized), then alternate.
  for (let i = 0; i < 2; i++) {
    await once(registered);
    await once(withDummies);
  }
  const a = [];
  const b = [];
  for (let i = 0; i < 7; i++) {
    a.push(await once(registered));
    b.push(await once(withDummies));
  }
  const ta = median(a);
  const tb = median(b);
  const n = lines.length;
  // Every line read (an in-memory text: nothing skipped), so every line meets the extractor's line
  // prefilter: the registered formats, the same plus the dummies, and the registered formats asked
  // about every line (their markers taken away: the prefilter then selects them all).
  const sample = lines.slice(0, Math.min(lines.length, 200_000)).join('');
  const unfiltered = PARSERS.map((p) => ({ ...p, markers: undefined, lineMarkers: undefined, startsTrace: p.startsTrace.bind(p), begin: p.begin.bind(p) }));
  const inMemory = (parsers) => {
    const t0 = process.cpuUsage();
    analyze(sample, { parsers, rules: null });
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / 1e6;
  };
  for (const p of [registered, withDummies, unfiltered]) inMemory(p);
  const [ra, rb, rc] = [[], [], []];
  for (let i = 0; i < 5; i++) {
    ra.push(inMemory(registered));
    rb.push(inMemory(withDummies));
    rc.push(inMemory(unfiltered));
  }
  const m = Math.min(lines.length, 200_000);
  const perLine = (t) => (median(t) / m) * 1e9;
  return { lines: n, mb: text.length / 1e6, registered: ta, dummies: tb, nsA: (ta / n) * 1e9, nsB: (tb / n) * 1e9, read: { lines: m, a: perLine(ra), b: perLine(rb), all: perLine(rc) } };
}

/** The library (warm, bundled rules) and the CLI on ClusterFuzz's corpus. */
async function parseRow(runs) {
  if (!existsSync(CLUSTERFUZZ)) return null;
  const files = readdirSync(CLUSTERFUZZ).filter((f) => f.endsWith('.txt')).map((f) => join(CLUSTERFUZZ, f));
  const texts = files.map((f) => readFileSync(f));
  const mb = texts.reduce((n, t) => n + t.length, 0) / 1e6;
  const rules = builtinRules();
  const { analyze } = await import('../dist/index.js');
  const pass = () => {
    let reports = 0;
    for (const t of texts) reports += analyze(t, { rules }).reports.length;
    return reports;
  };
  for (let i = 0; i < 3; i++) pass(); // warm
  const times = [];
  let reports = 0;
  for (let i = 0; i < Math.max(5, runs); i++) {
    const t0 = process.cpuUsage();
    reports = pass();
    const d = process.cpuUsage(t0);
    times.push((d.user + d.system) / 1e6);
  }
  const lib = median(times);
  // The CLI, one process over all files (`coredx analyze` takes several files).
  const cli = interleaved(runs, [() => timed(process.execPath, [BIN, 'analyze', ...files, '--format', 'json'], { cwd: ROOT })]);
  return { files: files.length, mb, reports, lib, libMbs: mb / lib, cli: cli[0], cliMbs: mb / cli[0].cpu, cliWallMbs: mb / cli[0].wall };
}

function startupRow(runs) {
  const sample = join(ROOT, 'samples', 'gdb-live-inlined.txt');
  // Which code the runs measure: bin/coredx.js runs the bundle (bench/build-bundle.js) when it is fresh.
  const probe = spawnSync('strace', ['-f', '-e', 'trace=openat', process.execPath, BIN, 'analyze', sample], { encoding: 'utf8' });
  const bundled = probe.status === 0 ? /cli-bundle\/coredx-cli\.cjs\.cache/.test(probe.stderr) : existsSync(join(ROOT, 'dist', 'cli-bundle', 'coredx-cli.cjs.cache'));
  const [node, cdx, version] = interleaved(runs, [
    () => timed(process.execPath, ['-e', '0']),
    () => timed(process.execPath, [BIN, 'analyze', sample]),
    () => timed(process.execPath, [BIN, '--version']),
  ]);
  return { node, cdx, version, bundled };
}

function scanRows(trees, runs, root) {
  const markers = scanMarkers();
  const rows = [];
  // The fixed cost of a scan process (Node, modules, the bundled rules), from a tree of one small
  // file: the rate beyond it is what each further megabyte costs.
  const empty = join(root, 'one-file');
  mkdirSync(empty, { recursive: true });
  writeFileSync(join(empty, 'a.log'), plainLine(0));
  const [fixed, rgFixed] = interleaved(Math.max(runs, 5), [() => coredxScan(empty, 1), () => rgScan(empty, markers)]);
  for (const t of trees) {
    rgScan(t.dir, markers); // page cache
    const [c, r] = interleaved(runs, [() => coredxScan(t.dir, 1), () => rgScan(t.dir, markers)]);
    const result = JSON.parse(c.last.stdout);
    rows.push({ ...t, coredx: c, rg: r, crashes: result.totals.crashes, files: result.totals.files });
  }
  return { markers, rows, fixed, rgFixed };
}

function jobsRow(tree, runs) {
  const [one, two] = interleaved(runs, [() => coredxScan(tree.dir, 1), () => coredxScan(tree.dir, 2)]);
  const a = JSON.parse(one.last.stdout);
  const b = JSON.parse(two.last.stdout);
  const same = JSON.stringify(a.groups) === JSON.stringify(b.groups);
  return { one, two, same };
}

export async function run({ mb = 100, runs = 3, only = null } = {}) {
  const want = (k) => !only || only.includes(k);
  const uptime = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`speed (issue 13): ${new Date().toISOString().slice(0, 10)}, ${(await import('node:os')).cpus().length} cores, Node ${process.version}, load average ${uptime}; medians of ${runs} runs; CPU = user + system time`);
  if (want('prefilter')) {
    const p = await prefilterRow(Math.min(mb, 100));
    console.log(`prefilter:    ${fmt(p.mb, 0)} MB timestamped log, ${p.lines} lines, no crash: ${PARSERS.length} registered formats ${fmt(p.nsA, 1)} ns/line (${fmt(p.mb / p.registered, 0)} MB/s), + 20 dummy formats ${fmt(p.nsB, 1)} ns/line: ratio ${fmt(p.dummies / p.registered)}x (target ~1x)`);
    console.log(`              every line read (${p.read.lines} lines in memory): ${fmt(p.read.a, 1)} ns/line, + 20 dummy formats ${fmt(p.read.b, 1)} ns/line (${fmt(p.read.b / p.read.a)}x); every parser asked about every line (no line prefilter) ${fmt(p.read.all, 1)} ns/line (${fmt(p.read.all / p.read.a)}x)`);
  }
  if (want('parse')) {
    const p = await parseRow(runs);
    if (!p) console.log('parsing:      ../shared/corpus/clusterfuzz not found: skipped');
    else {
      console.log(`parsing:      ClusterFuzz corpus, ${p.files} logs, ${fmt(p.mb)} MB, ${p.reports} reports: library (warm, bundled rules) ${fmt(p.lib * 1000, 0)} ms CPU = ${fmt(p.libMbs, 1)} MB/s = ${fmt(p.libMbs / CLUSTERFUZZ_MBS, 1)}x ClusterFuzz's ${CLUSTERFUZZ_MBS} MB/s (target 50x)`);
      console.log(`              CLI, one process over all files: ${fmt(p.cli.cpu, 2)} s CPU (${fmt(p.cli.wall, 2)} s wall) = ${fmt(p.cliMbs, 1)} MB/s = ${fmt(p.cliMbs / CLUSTERFUZZ_MBS, 1)}x (target 10x)`);
    }
  }
  if (want('startup')) {
    const s = startupRow(Math.max(runs, 5));
    console.log(`start-up:     node -e 0 ${fmt(s.node.cpu * 1000, 0)} ms CPU; coredx --version ${fmt(s.version.cpu * 1000, 0)} ms (${fmt(s.version.cpu / s.node.cpu)}x); coredx analyze samples/gdb-live-inlined.txt ${fmt(s.cdx.cpu * 1000, 0)} ms CPU (${fmt(s.cdx.wall * 1000, 0)} ms wall): ${fmt(s.cdx.cpu / s.node.cpu)}x node -e 0 (target 2.5x); ${s.bundled ? 'from the CLI bundle with its code cache' : 'from the plain dist/ (no fresh CLI bundle: bench/build-bundle.js)'}`);
  }
  if (!want('scan') && !want('jobs')) return;
  const root = mkdtempSync(join(tmpdir(), 'coredx-speed-'));
  try {
    const trees = buildTrees(root, mb);
    if (want('scan')) {
      const { markers, rows, fixed, rgFixed } = scanRows(trees, runs, root);
      console.log(`scan:         coredx scan --jobs 1 (bundled rules) vs rg -c -F -j1 -z with the scanner's ${markers.length} markers, whole processes; fixed cost (a one-file tree): coredx ${fmt(fixed.cpu)} s CPU, rg ${fmt(rgFixed.cpu)} s; "beyond" = (tree - fixed):`);
      for (const r of rows) {
        const mbs = r.bytes / 1e6;
        const beyond = Math.max(0.001, r.coredx.cpu - fixed.cpu);
        console.log(`  ${r.label.padEnd(62)} ${fmt(mbs, 0).padStart(4)} MB, ${r.files} files, ${r.crashes} crashes: coredx ${fmt(r.coredx.cpu)} s CPU = ${fmt(mbs / r.coredx.cpu, 0)} MB/s per core (${fmt(mbs / beyond, 0)} MB/s beyond the fixed cost), peak RSS ${fmt(r.coredx.rssMb, 0)} MB; rg ${fmt(r.rg.cpu)} s CPU; coredx/rg ${fmt(r.coredx.cpu / r.rg.cpu)}x CPU (${fmt(beyond / Math.max(0.001, r.rg.cpu - rgFixed.cpu))}x beyond), ${fmt(r.coredx.wall / r.rg.wall)}x wall`);
      }
    }
    if (want('jobs')) {
      // Many small files (per-file work) and few large ones (per-byte work): a thread's start-up
      // (modules, rules) weighs differently in each.
      for (const name of ['small', 'timestamped']) {
        const tree = trees.find((t) => t.dir.endsWith(name));
        const j = jobsRow(tree, runs);
        console.log(`parallel:     ${tree.label}: --jobs 1 ${fmt(j.one.wall)} s wall, --jobs 2 ${fmt(j.two.wall)} s wall: ${fmt(j.one.wall / j.two.wall)}x (2 cores; target 1.8x); CPU ${fmt(j.two.cpu / j.one.cpu)}x of --jobs 1's; same groups: ${j.same ? 'yes' : 'NO'}`);
        if (!j.same) process.exitCode = 1;
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
  await run({ mb: Number(opt('--mb', 100)), runs: Number(opt('--runs', 3)), only: opt('--only', null)?.split(',') ?? null });
}
