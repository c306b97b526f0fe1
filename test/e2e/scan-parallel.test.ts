// scan over worker processes or threads (--jobs N): the same result as a serial scan, byte for
// byte: same groups in the same order, same occurrences, diagnoses, skipped files and totals.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';

const DIST = join(import.meta.dirname, '..', '..', 'dist');
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');

const crash = (fn: string, signal = 'SIGSEGV, Segmentation fault', before = '') =>
  `${before}Program terminated with signal ${signal}.\n#0  0x0000000000401136 in ${fn} (p=0x0) at src/${fn}.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n`;

let top: string;
beforeAll(() => {
  top = mkdtempSync(join(tmpdir(), 'coredx-parallel-'));
  const tree = join(top, 'tree');
  for (let i = 0; i < 60; i++) {
    const dir = join(tree, `d${i % 5}`);
    mkdirSync(dir, { recursive: true });
    let text = '';
    for (let k = 0; k < 1 + (i % 4); k++) text += `[INFO] ${k}\n`.repeat(k * 3) + crash(`fn_${(i * k) % 9}`);
    if (i % 6 === 0) text += crash('handle', '6, Aborted');
    if (i === 41) text += crash('handle', '6, Aborted', '*** stack smashing detected ***: terminated\n');
    writeFileSync(join(dir, `run-${i}.log`), text);
  }
  writeFileSync(join(tree, 'd1', 'packed.log.gz'), gzipSync(crash('fn_1') + crash('gz_fn')));
  writeFileSync(join(tree, 'd2', 'blob.bin'), Buffer.from([0, 1, 2, 3, 0, 0, 7]));
  writeFileSync(join(tree, 'd3', 'clean.log'), '[INFO] nothing\n');
  mkdirSync(join(tree, '.hidden'));
  symlinkSync('missing', join(tree, 'd4', 'dangling.log'));
});
afterAll(() => rmSync(top, { recursive: true, force: true }));

it.each(['processes', 'threads'])('gives what a serial scan gives, whatever the number of workers (%s)', async (workers) => {
  const { scan } = await import(join(DIST, 'scan', 'scan.js'));
  const { scanParallel } = await import(join(DIST, 'scan', 'parallel.js'));
  const tree = join(top, 'tree');
  const serial = JSON.stringify(await scan([tree], { jobs: 1 }));
  expect(JSON.parse(serial).totals, JSON.stringify(JSON.parse(serial).files.skipped.slice(0, 3))).toMatchObject({ groups: 11, errors: 1 });
  for (const threads of [1, 2, 3]) {
    expect(JSON.stringify(await scanParallel([tree], { jobs: 8, threads, ruleSource: {}, workers })), `${threads} lanes`).toBe(serial);
  }
  // One file per batch: a process is handed batch after batch by message, two ahead.
  expect(JSON.stringify(await scanParallel([tree], { jobs: 1, threads: 3, ruleSource: {}, workers })), 'one file at a time').toBe(serial);
  // This thread stopping its own reading after its first batch (as it does past 20,000 groups).
  expect(JSON.stringify(await scanParallel([tree], { jobs: 8, threads: 2, ruleSource: {}, foldOnlyAfter: 1, workers })), 'fold only').toBe(serial);
  // A shard in parallel is that shard of a serial scan.
  const shard = { index: 2, total: 3 };
  expect(JSON.stringify(await scanParallel([tree], { jobs: 8, threads: 2, shard, workers }))).toBe(JSON.stringify(await scan([tree], { jobs: 1, shard })));
}, 120_000);

it('coredx scan --jobs N writes the same reports as --jobs 1, with threads or processes; a bad --workers is one line, exit 2', () => {
  const run = (jobs: string, workers = 'threads') => {
    const r = spawnSync(process.execPath, [BIN, 'scan', 'tree', '--jobs', jobs, '--workers', workers, '--quiet', '-f', `json=j${jobs}.json`, '-f', `text=j${jobs}.txt`], { cwd: top, encoding: 'utf8', timeout: 60000 });
    expect(r.status).toBe(2); // the dangling symlink
    return readFileSync(join(top, `j${jobs}.json`), 'utf8') + readFileSync(join(top, `j${jobs}.txt`), 'utf8');
  };
  const serial = run('1');
  expect(run('8')).toBe(serial);
  expect(run('8', 'processes')).toBe(serial);
  const bad = spawnSync(process.execPath, [BIN, 'scan', 'tree', '--workers', 'fibers'], { cwd: top, encoding: 'utf8', timeout: 60000 });
  expect([bad.status, bad.stderr]).toEqual([2, 'coredx: --workers must be threads or processes, got "fibers"\n']);
}, 120_000);

it('threads of a CLI run from its bundle run the bundle too (not dist/ modules), with the same reports', () => {
  // A preload records how each Worker is started (the bundle's require of worker_threads sees it).
  const log = join(top, 'workers.log');
  const preload = join(top, 'record-workers.cjs');
  writeFileSync(
    preload,
    `const wt = require('node:worker_threads'); const fs = require('node:fs'); const Base = wt.Worker;
wt.Worker = class extends Base { constructor(what, opts) { fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ eval: !!(opts && opts.eval), bundle: opts && opts.workerData && opts.workerData.bundle, script: opts && opts.eval ? null : String(what) }) + '\\n'); super(what, opts); } };`,
  );
  // --input-type=module, which threads inherit, made a thread given its code as text an ES module without `require`.
  // (as bench/scan-bench.js runs the CLI: code given with -e, which imports bin/coredx.js).
  const asModule = `process.argv = [process.argv[0], ${JSON.stringify(BIN)}, ...process.argv.slice(1)]; await import(${JSON.stringify(pathToFileURL(BIN).href)});`;
  for (const run of [[BIN], ['--input-type=module', '-e', asModule]]) {
    rmSync(log, { force: true });
    const r = spawnSync(process.execPath, ['--require', preload, ...run, 'scan', 'tree', '--jobs', '2', '--quiet', '-f', 'json=b2.json'], { cwd: top, encoding: 'utf8', timeout: 60000 });
    expect(r.status, r.stderr).toBe(2); // the dangling symlink
    expect(r.stderr).not.toMatch(/require is not defined|scan worker/);
    const started = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(started.length).toBeGreaterThan(0);
    for (const w of started) expect(w).toEqual({ eval: false, bundle: join(DIST, 'cli-bundle', 'coredx-cli.cjs'), script: join(import.meta.dirname, '..', '..', 'bin', 'scan-thread.cjs') });
    spawnSync(process.execPath, [BIN, 'scan', 'tree', '--jobs', '1', '--quiet', '-f', 'json=b1.json'], { cwd: top, encoding: 'utf8', timeout: 60000 });
    expect(readFileSync(join(top, 'b2.json'), 'utf8')).toBe(readFileSync(join(top, 'b1.json'), 'utf8'));
  }
}, 120_000);

it('worker processes of a CLI run from its bundle run the bundle too (not dist/ modules), with the same reports', () => {
  // A preload records how each worker process is started (the bundle's require of child_process sees it).
  const log = join(top, 'workers.log');
  const preload = join(top, 'record-workers.cjs');
  writeFileSync(
    preload,
    `const cp = require('node:child_process'); const fs = require('node:fs'); const fork = cp.fork;
cp.fork = (script, args, opts) => { fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ script: String(script), args, execArgv: opts && opts.execArgv }) + '\\n'); return fork(script, args, opts); };`,
  );
  // Flags of the scan's process are not its workers' (as bench/scan-bench.js runs the CLI: code
  // given with -e under --input-type=module, which imports bin/coredx.js).
  const asModule = `process.argv = [process.argv[0], ${JSON.stringify(BIN)}, ...process.argv.slice(1)]; await import(${JSON.stringify(pathToFileURL(BIN).href)});`;
  for (const run of [[BIN], ['--input-type=module', '-e', asModule]]) {
    rmSync(log, { force: true });
    const r = spawnSync(process.execPath, ['--require', preload, ...run, 'scan', 'tree', '--jobs', '2', '--workers', 'processes', '--quiet', '-f', 'json=b2.json'], { cwd: top, encoding: 'utf8', timeout: 60000 });
    expect(r.status, r.stderr).toBe(2); // the dangling symlink
    expect(r.stderr).not.toMatch(/scan worker/);
    const started = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(started.length).toBeGreaterThan(0);
    for (const w of started) expect(w).toEqual({ script: join(import.meta.dirname, '..', '..', 'bin', 'scan-process.cjs'), args: [join(DIST, 'cli-bundle', 'coredx-cli.cjs')], execArgv: [] });
    spawnSync(process.execPath, [BIN, 'scan', 'tree', '--jobs', '1', '--quiet', '-f', 'json=b1.json'], { cwd: top, encoding: 'utf8', timeout: 60000 });
    expect(readFileSync(join(top, 'b2.json'), 'utf8')).toBe(readFileSync(join(top, 'b1.json'), 'utf8'));
  }
}, 120_000);

it('threads started from the bundle run the bundle too (bin/scan-thread.cjs), with the same reports', async () => {
  // The library's threads, in a process that runs the bundle (its exports: scanWorker for threads).
  const script = join(top, 'bundle-threads.cjs');
  writeFileSync(
    script,
    `const { runBundle } = require(${JSON.stringify(join(import.meta.dirname, '..', '..', 'bin', 'run-bundle.cjs'))});
const wt = require('node:worker_threads'); const Base = wt.Worker; const started = [];
wt.Worker = class extends Base { constructor(what, opts) { started.push({ eval: !!(opts && opts.eval), script: String(what), bundle: opts.workerData.bundle }); super(what, opts); } };
runBundle(${JSON.stringify(join(DIST, 'cli-bundle', 'coredx-cli.cjs'))});
import(${JSON.stringify(pathToFileURL(join(DIST, 'scan', 'parallel.js')).href)}).then(async ({ scanParallel }) => {
  const r = await scanParallel([${JSON.stringify(join(top, 'tree'))}], { jobs: 8, threads: 2, ruleSource: {}, workers: 'threads' });
  process.stdout.write(JSON.stringify({ started, totals: r.totals }));
});`,
  );
  const r = spawnSync(process.execPath, ['--input-type=commonjs', script], { encoding: 'utf8', timeout: 60000 });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.started).toEqual([{ eval: false, script: join(import.meta.dirname, '..', '..', 'bin', 'scan-thread.cjs'), bundle: join(DIST, 'cli-bundle', 'coredx-cli.cjs') }]);
  expect(out.totals).toMatchObject({ groups: 11, errors: 1 });
}, 120_000);

it('a worker process outlives no scan: when the scan is killed, its workers end', async () => {
  const dir = join(top, 'long');
  mkdirSync(dir, { recursive: true });
  // Enough to read for a few seconds, in files enough for two lanes.
  const filler = `${'[INFO] request served in 3 ms from the cache of the front end\n'.repeat(20_000)}`;
  for (let i = 0; i < 40; i++) writeFileSync(join(dir, `f${i}.log`), filler.repeat(3) + crash(`fn_${i % 7}`));
  const scanProc = spawn(process.execPath, [BIN, 'scan', dir, '--jobs', '2', '--workers', 'processes', '--quiet', '-f', `json=${join(top, 'killed.json')}`], { stdio: 'ignore' });
  const childrenOf = (pid: number) =>
    readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1] === String(pid);
      } catch {
        return false;
      }
    });
  let workers: string[] = [];
  for (let i = 0; i < 100 && workers.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    workers = childrenOf(scanProc.pid!).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('scan-process'));
  }
  expect(workers.length).toBe(1);
  scanProc.kill('SIGKILL');
  await new Promise((resolve) => scanProc.once('exit', resolve));
  for (let i = 0; i < 100 && existsSync(`/proc/${workers[0]}`); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(existsSync(`/proc/${workers[0]}`)).toBe(false);
}, 120_000);

it.each(['processes', 'threads'])('workers started ahead (while the rules load and the tree is walked) are taken, and the ones a small tree does not need are stopped (%s)', async (workers) => {
  const { scan } = await import(join(DIST, 'scan', 'scan.js'));
  const { scanParallel } = await import(join(DIST, 'scan', 'parallel.js'));
  const { startScanThreads } = await import(join(DIST, 'scan', 'threads.js'));
  const tree = join(top, 'tree');
  const serial = JSON.stringify(await scan([tree], { jobs: 1 }));
  const ahead = startScanThreads(2, { rules: {}, analyze: {} }, workers);
  expect(ahead.size).toBe(2);
  expect(JSON.stringify(await scanParallel([tree], { jobs: 8, threads: 3, ruleSource: {}, threadsStarted: ahead }))).toBe(serial);
  expect(ahead.size).toBe(0);
  // One file: no thread is used; those started are stopped (not left holding the process).
  const one = join(top, 'tree', 'd3', 'clean.log');
  const few = startScanThreads(1, { rules: {}, analyze: {} }, workers);
  const r = await scanParallel([one], { jobs: 8, threads: 2, ruleSource: {}, threadsStarted: few });
  expect(r.totals).toMatchObject({ files: 1, crashes: 0 });
  expect(few.size).toBe(0);
}, 120_000);

it.each(['processes', 'threads'])('a worker that failed while starting (before the walk ended) fails the scan with its error instead of leaving it waiting (%s)', async (workers) => {
  const { scanParallel } = await import(join(DIST, 'scan', 'parallel.js'));
  const { startScanThreads } = await import(join(DIST, 'scan', 'threads.js'));
  // A rule source its loader cannot read (dirs not a list): the thread throws as it starts.
  const broken = startScanThreads(1, { rules: { dirs: 42 }, analyze: {} }, workers);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await expect(scanParallel([join(top, 'tree')], { jobs: 8, threads: 2, ruleSource: {}, threadsStarted: broken })).rejects.toThrow(/not iterable/);
}, 120_000);
