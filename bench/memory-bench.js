#!/usr/bin/env node
// Memory benchmark: peak RSS of whole `coredx` processes on outputs that used to be built as one
// string (issue 16, "Output and memory that grow without bound"). Data is generated into a
// temporary directory at run time (nothing large is committed) and removed afterwards.
//   analyze: `coredx analyze --format json` of one log holding N Valgrind errors (N reports)
//   scan:    `coredx scan --jobs J -f json=FILE -f sarif=FILE` (J = 1 and 2) of a tree whose files
//            hold N distinct crash groups in all (gdb traces that differ by their crashing function's name)
//   merge:   `coredx merge SCAN.json --baseline SCAN.json -f json=FILE` of the last scan's JSON report
//            (912 MB at N = 100,000: more than a JavaScript string can hold)
// Each command runs in a child process; its peak RSS is process.resourceUsage().maxRSS, read in
// that process as it exits (worker threads included). Every output is checked to be written and to
// be valid JSON holding N reports or groups (a streaming check: the files can be larger than a
// JavaScript string). Goal: under 300 MB each for N = 100,000.
// Imported by bench/bench.js (`await (await import('./memory-bench.js')).run();`); run alone with:
//   node bench/memory-bench.js [--n 100000] [--goal-mb 300] [--only analyze|scan|merge] [--jobs 1,2] [--heap-mb MB] [--keep]

import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../bin/coredx.js', import.meta.url));
// Loaded before the CLI in the measured process and in its scan worker processes (NODE_OPTIONS):
// each adds its pid and peak RSS (KB) to $COREDX_BENCH_RSS on exit.
const PRELOAD = `data:text/javascript,${encodeURIComponent(
  "import{appendFileSync}from'node:fs';process.on('exit',()=>appendFileSync(process.env.COREDX_BENCH_RSS,process.pid+' '+process.resourceUsage().maxRSS+'\\n'));",
)}`;

const valgrindError = (i) => `==4242== Invalid read of size 4
==4242==    at 0x1091AD: jobs::retries_of_${i}(jobs::Job const*) (jobs.cpp:${10 + (i % 50)})
==4242==    by 0x1091DF: main (jobs.cpp:16)
==4242==  Address 0x4d6dc84 is 4 bytes inside a block of size 8 free'd
==4242==    at 0x484499B: operator delete(void*, unsigned long) (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==4242==    by 0x10919D: jobs::retire(jobs::Job*) (jobs.cpp:9)
==4242==  Block was alloc'd at
==4242==    at 0x4841F2F: operator new(unsigned long) (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==4242==    by 0x10916D: jobs::make_job(int) (jobs.cpp:8)
==4242== 
`;

const gdbTrace = (i) => `Program received signal SIGSEGV, Segmentation fault.
#0  0x0000555555555431 in app::Handler::process_${i} (this=0x0) at src/handler.cpp:${40 + (i % 50)}
#1  0x0000555555555252 in app::dispatch (b=0x5555) at src/dispatch.cpp:8
#2  0x00005555555553cc in main () at src/main.cpp:20

`;

async function writeFile(path, count, make, offset = 0) {
  const out = createWriteStream(path);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += make(offset + i);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** Runs coredx in a child process (stdout to `stdoutFile`); returns its exit code, peak RSS (MB) and wall time (s). */
function measure(args, dir, stdoutFile = null, nodeOptions = []) {
  const rssFile = join(dir, `rss-${process.hrtime.bigint()}`);
  const out = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...nodeOptions, CLI, ...args], {
    env: { ...process.env, COREDX_BENCH_RSS: rssFile, NO_COLOR: '1', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${PRELOAD}`.trim() },
    stdio: ['ignore', out, 'pipe'],
    maxBuffer: 64 << 20,
  });
  if (typeof out === 'number') closeSync(out);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let rssMb = NaN;
  let workersMb = [];
  try {
    const peaks = readFileSync(rssFile, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number));
    rssMb = (peaks.find(([pid]) => pid === r.pid)?.[1] ?? NaN) / 1024;
    workersMb = peaks.filter(([pid]) => pid !== r.pid).map(([, kb]) => kb / 1024);
  } catch {
    // killed before it could write it
  }
  return { code: r.status, signal: r.signal, stderr: String(r.stderr).trim().split('\n').slice(-3).join(' | '), rssMb, workersMb, seconds };
}

/**
 * Checks a file is one valid JSON document, a chunk at a time (never a string of the whole file:
 * the outputs can be larger than a JavaScript string), and counts the elements of the array found
 * at `path` (keys from the root, `*` for any array element, e.g. ['runs', '*', 'results']).
 */
export async function checkJson(file, path) {
  const want = path.join('\u0000');
  let count = 0;
  // Containers open: { array, key (object: the current key), empty }.
  const stack = [];
  // 'value' | 'key' | 'colon' | 'next' (a comma or the end of the container) | 'done'
  let expect = 'value';
  let string = null; // null, or { key: boolean, text, escape }
  let literal = '';
  const fail = (why) => {
    throw new Error(`not valid JSON (${why})`);
  };
  const here = () => stack.map((c) => (c.array ? '*' : c.key)).join('\u0000');
  const afterValue = () => {
    expect = stack.length ? 'next' : 'done';
  };
  const startValue = () => {
    const top = stack[stack.length - 1];
    if (top) top.empty = false;
    if (top?.array && here().slice(0, -2) === want) count++;
  };
  const endLiteral = () => {
    if (!/^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)$/.test(literal)) fail(`bad literal "${literal.slice(0, 20)}"`);
    literal = '';
    afterValue();
  };
  for await (const text of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (string) {
        if (string.escape) {
          if (!'"\\/bfnrtu'.includes(c)) fail(`bad escape \\${c}`);
          string.escape = false;
          if (string.key) string.text += c;
        } else if (c === '\\') string.escape = true;
        else if (c === '"') {
          if (string.key) {
            stack[stack.length - 1].key = string.text;
            expect = 'colon';
          } else afterValue();
          string = null;
        } else if (c < ' ') fail('a control character in a string');
        else if (string.key) string.text += c;
        continue;
      }
      if (literal) {
        if (/[-+.\w]/.test(c)) {
          literal += c;
          continue;
        }
        endLiteral();
      }
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
      const top = stack[stack.length - 1];
      switch (expect) {
        case 'done':
          fail('text after the document');
        case 'colon':
          if (c !== ':') fail('expected ":"');
          expect = 'value';
          break;
        case 'key':
          if (c === '"') string = { key: true, text: '', escape: false };
          else if (c === '}' && top.empty) (stack.pop(), afterValue());
          else fail(`expected a key, got "${c}"`);
          break;
        case 'next':
          if (c === ',') expect = top.array ? 'value' : 'key';
          else if (c === (top.array ? ']' : '}')) (stack.pop(), afterValue());
          else fail(`unexpected "${c}"`);
          if (!top.array && expect === 'key') top.empty = false;
          break;
        case 'value':
          if (c === ']' && top?.array && top.empty) {
            stack.pop();
            afterValue();
            break;
          }
          startValue();
          if (c === '{') (stack.push({ array: false, key: null, empty: true }), (expect = 'key'));
          else if (c === '[') stack.push({ array: true, key: null, empty: true });
          else if (c === '"') string = { key: false, text: '', escape: false };
          else if (/[-0-9tfn]/.test(c)) literal = c;
          else fail(`unexpected "${c}"`);
          break;
      }
    }
  }
  if (literal) endLiteral();
  if (string || expect !== 'done') fail('cut short');
  return count;
}

/** (a) `coredx analyze --format json` of one log holding n Valgrind errors. */
async function benchAnalyze(dir, n, nodeOptions) {
  const logFile = join(dir, 'valgrind.log');
  await writeFile(logFile, n, valgrindError);
  const out = join(dir, 'analyze.json');
  return {
    name: `analyze --format json: ${n.toLocaleString('en')} Valgrind errors in one log (${mb(statSync(logFile).size)} MB)`,
    run: measure(['analyze', '--format', 'json', '--', logFile], dir, out, nodeOptions),
    outputs: [{ file: out, path: ['reports'], expect: n }],
  };
}

/** The tree of 100 files holding n distinct crash groups in all (made once, for every scan). */
async function makeTree(dir, n) {
  const tree = join(dir, 'tree');
  mkdirSync(tree);
  const files = 100;
  const per = Math.ceil(n / files);
  for (let f = 0, done = 0; done < n; f++, done += per) await writeFile(join(tree, `crash-${String(f).padStart(3, '0')}.log`), Math.min(per, n - done), gdbTrace, done);
  return { tree, files };
}

/** (b) `coredx scan --jobs J -f json=... -f sarif=...` of a tree of 100 files holding n distinct crash groups in all. */
async function benchScan(dir, n, nodeOptions, jobs, made) {
  const { tree, files } = made;
  const json = join(dir, `scan-j${jobs}.json`);
  const sarif = join(dir, `scan-j${jobs}.sarif`);
  return {
    name: `scan --jobs ${jobs} -f json -f sarif: ${n.toLocaleString('en')} distinct crash groups in ${files} files`,
    run: measure(['scan', '-q', '--jobs', String(jobs), '--fail-on', 'none', '-f', `json=${json}`, '-f', `sarif=${sarif}`, tree], dir, null, nodeOptions),
    outputs: [
      { file: json, path: ['groups'], expect: n },
      { file: sarif, path: ['runs', '*', 'results'], expect: n },
    ],
    json,
  };
}

/** (c) `coredx merge SCAN.json --baseline SCAN.json -f json=...`: a scan's JSON report (larger than a JavaScript string at n = 100,000) read back, a group at a time. */
function benchMerge(dir, n, nodeOptions, json) {
  const out = join(dir, 'merged.json');
  return {
    name: `merge --baseline (the same report) -f json: the ${mb(statSize(json))} MB report of ${n.toLocaleString('en')} groups`,
    run: measure(['merge', '-q', '--fail-on', 'new', '--baseline', json, '-f', `json=${out}`, json], dir, null, nodeOptions),
    outputs: [{ file: out, path: ['groups'], expect: n }],
    // Nothing is new: every group is in the baseline (exit 0).
    exit: 0,
  };
}

/**
 * Runs them all (or `only` 'analyze', 'scan' or 'merge': the first scan of `jobs` and the merge of its report), prints the figures and returns them with `ok`
 * (every output valid and complete, every peak under `goalMb`). `heapMb` caps the measured
 * process's V8 heap (--max-old-space-size), to tell live memory from garbage not yet collected.
 */
export async function runMemoryBench({ n = 100_000, goalMb = 300, keep = false, only = null, heapMb = null, jobs = [1, 2], log = console.log } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'coredx-memory-bench-'));
  const nodeOptions = heapMb ? [`--max-old-space-size=${heapMb}`] : [];
  const results = [];
  let ok = true;
  const report = async (r) => {
    results.push(r);
    const checks = [];
    for (const o of r.outputs) {
      let counted;
      try {
        counted = await checkJson(o.file, o.path);
      } catch (err) {
        counted = String(err.message);
      }
      const good = counted === o.expect;
      ok &&= good;
      checks.push(`${o.file.split('/').pop()}: ${good ? `valid JSON, ${counted.toLocaleString('en')} entries, ${mb(statSize(o.file))} MB` : `BAD (${counted})`}`);
    }
    const exited = r.exit === undefined ? r.run.code !== null && r.run.code <= 1 : r.run.code === r.exit;
    const under = r.run.rssMb < goalMb && r.run.workersMb.every((m) => m < goalMb);
    ok &&= under && exited;
    log(
      `${r.name}${heapMb ? ` (--max-old-space-size=${heapMb})` : ''}\n  peak RSS ${r.run.rssMb.toFixed(0)} MB (goal < ${goalMb} MB: ${under ? 'met' : 'NOT met'})${r.run.workersMb.length ? `, its worker process${r.run.workersMb.length > 1 ? 'es' : ''} ${r.run.workersMb.map((m) => m.toFixed(0)).join(', ')} MB` : ''}, ${r.run.seconds.toFixed(1)} s, exit ${r.run.code ?? r.run.signal}${exited ? '' : ' (UNEXPECTED)'}${r.run.code === 2 ? ` (${r.run.stderr})` : ''}\n  ${checks.join('\n  ')}`,
    );
  };
  try {
    if (!only || only === 'analyze') await report(await benchAnalyze(dir, n, nodeOptions));
    if (!only || only === 'scan' || only === 'merge') {
      const made = await makeTree(dir, n);
      let json = null;
      for (const j of only === 'merge' ? [jobs[0]] : jobs) {
        const r = await benchScan(dir, n, nodeOptions, j, made);
        await report(r);
        json = r.json;
      }
      rmSync(made.tree, { recursive: true, force: true });
      if (only !== 'scan') await report(benchMerge(dir, n, nodeOptions, json));
    }
    return { ok, results: results.map((r) => ({ name: r.name, rssMb: Math.round(r.run.rssMb), seconds: r.run.seconds, exit: r.run.code })) };
  } finally {
    if (keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** For bench/bench.js: `await (await import('./memory-bench.js')).run();` */
export const run = (options) => runMemoryBench(options);

const mb = (bytes) => (bytes / (1 << 20)).toFixed(1);
const statSize = (file) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
  const jobs = args.includes('--jobs') ? args[args.indexOf('--jobs') + 1].split(',').map(Number) : undefined;
  const { ok } = await runMemoryBench({ n: opt('--n', 100_000), goalMb: opt('--goal-mb', 300), keep: args.includes('--keep'), only, heapMb: opt('--heap-mb', null), ...(jobs ? { jobs } : {}) });
  process.exitCode = ok ? 0 : 1;
}
