// Issue 16, "nothing left behind": coredx interrupted (SIGINT, SIGTERM, SIGHUP) while a debugger
// analyzes a core kills the debugger's whole process group (SIGTERM, then SIGKILL for what ignores
// it) and exits with the shell's code for the signal. The "gdb" is a stand-in script on PATH that
// starts children (one ignoring SIGTERM) and sleeps.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCore, EM_X86_64, fileNote, prpsinfo, prstatus, siginfo } from '../support/elfcore.js';
import { tempDir } from '../support/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Live (not zombie) processes whose process group is `pgid`, from /proc. */
function groupMembers(pgid: number): number[] {
  const live: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') live.push(Number(entry));
  }
  return live;
}

describe('an interrupted core analysis leaves no debugger process behind', () => {
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]] as const) {
    it(`${signal}: the debugger's process group is killed and coredx exits ${code}`, async () => {
      const dir = tempDir('robust-signal');
      const core = join(dir, 'core.1');
      writeFileSync(core, buildCore({ machine: EM_X86_64, notes: [prpsinfo(4242, 'prog', './prog'), prstatus(EM_X86_64, 4242, 11, 0x401000n, 0x7ffe0000n), siginfo(11, 1, 0n)] }));
      writeFileSync(join(dir, 'prog'), 'not really a program\n');
      const bin = join(dir, 'bin');
      const pidFile = join(dir, 'gdb.pid');
      // A child that ignores SIGTERM (so SIGKILL is needed), a plain child, and the "gdb" sleeping.
      mkdirSync(bin);
      writeFileSync(join(bin, 'gdb'), `#!/bin/sh\n(trap '' TERM; sleep 300) &\nsleep 300 &\necho $$ > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}\nsleep 300\n`);
      chmodSync(join(bin, 'gdb'), 0o755);
      const child = spawn(process.execPath, [BIN, 'analyze', core, '--exe', join(dir, 'prog'), '--debugger', 'gdb'], {
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
      for (let i = 0; i < 200 && !existsSync(pidFile); i++) await sleep(50);
      expect(existsSync(pidFile), stderr).toBe(true);
      const pgid = Number(readFileSync(pidFile, 'utf8'));
      // The debugger leads its own group (its own session), apart from coredx's.
      for (let i = 0; i < 40 && groupMembers(pgid).length < 4; i++) await sleep(50);
      expect(groupMembers(pgid).length).toBeGreaterThanOrEqual(4);
      child.kill(signal);
      expect(await exited).toBe(code);
      for (let i = 0; i < 40 && groupMembers(pgid).length > 0; i++) await sleep(50);
      const left = groupMembers(pgid);
      for (const pid of left) process.kill(pid, 'SIGKILL'); // never leave them to the next test
      expect(left).toEqual([]);
    }, 30_000);
  }
});

// A scan's worker processes run debuggers of their own: the scan interrupted, each worker (its
// channel to the scan closed) kills its debuggers' groups before it ends.
describe('an interrupted scan of cores over workers leaves no debugger process behind', () => {
  for (const [signal, code, workers] of [['SIGTERM', 143, 'processes'], ['SIGINT', 130, 'processes'], ['SIGTERM', 143, 'threads']] as const) {
    it(`${signal}, ${workers}: every debugger's group is killed, the main thread's and the workers'`, async () => {
      const dir = tempDir('robust-signal-scan');
      const cores = join(dir, 'cores');
      mkdirSync(cores);
      for (let i = 0; i < 8; i++) {
        // The program is mapped as /opt/prog: the one beside the cores is used (a core names its own executable).
        const mapped = fileNote([{ start: 0x400000n, end: 0x401000n, offset: 0n, path: '/opt/prog' }]);
        writeFileSync(join(cores, `core.${i}`), buildCore({ machine: EM_X86_64, notes: [prpsinfo(4242 + i, 'prog', '/opt/prog'), prstatus(EM_X86_64, 4242 + i, 11, 0x401000n, 0x7ffe0000n), siginfo(11, 1, 0n), mapped] }));
      }
      writeFileSync(join(cores, 'prog'), 'not really a program\n');
      const bin = join(dir, 'bin');
      const pids = join(dir, 'pids');
      mkdirSync(bin);
      mkdirSync(pids);
      writeFileSync(join(bin, 'gdb'), `#!/bin/sh\n(trap '' TERM; sleep 300) &\necho $$ > ${pids}/$$.tmp && mv ${pids}/$$.tmp ${pids}/$$\nsleep 300\n`);
      chmodSync(join(bin, 'gdb'), 0o755);
      const child = spawn(process.execPath, [BIN, 'scan', cores, '--jobs', '2', '--workers', workers, '--debugger', 'gdb', '--quiet'], {
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
      try {
        // A file at a time on each of two lanes (8 files: batches of one): one debugger the main
        // thread runs, one a worker runs.
        for (let i = 0; i < 300 && readdirSync(pids).filter((f) => !f.endsWith('.tmp')).length < 2; i++) await sleep(50);
        const groups = readdirSync(pids).filter((f) => !f.endsWith('.tmp')).map(Number);
        expect(groups.length, stderr).toBe(2);
        const parents = new Set(groups.map((g) => readFileSync(`/proc/${g}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]));
        // Worker threads' debuggers are the scan process's children; a worker process's are its own.
        expect(parents.size, 'debuggers of the main process and of a worker process').toBe(workers === 'processes' ? 2 : 1);
        child.kill(signal);
        expect(await exited).toBe(code);
        const left = () => groups.flatMap(groupMembers);
        for (let i = 0; i < 60 && left().length > 0; i++) await sleep(50);
        const still = left();
        for (const pid of still) process.kill(pid, 'SIGKILL'); // never leave them to the next test
        expect(still).toEqual([]);
      } finally {
        child.kill('SIGKILL');
      }
    }, 40_000);
  }
});

/** Live (not zombie) processes whose command line holds `marker`, from /proc. */
function withMarker(marker: string): number[] {
  const live: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(marker)) live.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return live;
}

describe('a debugger child that leaves the process group (setsid)', () => {
  const hasSetsid = spawnSync('sh', ['-c', 'command -v setsid'], { encoding: 'utf8' }).status === 0;
  // Sleep lengths no other process uses: the children are found by their command line.
  const make = (dir: string, seconds: number, stdio: string) => {
    const core = join(dir, 'core.1');
    writeFileSync(core, buildCore({ machine: EM_X86_64, notes: [prpsinfo(4242, 'prog', './prog'), prstatus(EM_X86_64, 4242, 11, 0x401000n, 0x7ffe0000n), siginfo(11, 1, 0n)] }));
    writeFileSync(join(dir, 'prog'), 'not really a program\n');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'gdb'), `#!/bin/sh\nsetsid sleep ${seconds} ${stdio} &\nsetsid sh -c 'trap "" TERM; sleep ${seconds + 1}' ${stdio} &\necho started > ${join(dir, 'started')}\nsleep 300\n`);
    chmodSync(join(dir, 'bin', 'gdb'), 0o755);
    return { core, env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` } };
  };
  const cleanUp = (seconds: number) => {
    const left = [...withMarker(String(seconds)), ...withMarker(String(seconds + 1))];
    for (const pid of left) process.kill(pid, 'SIGKILL'); // never leave them to the next test
    return left;
  };

  it.skipIf(!hasSetsid)('is killed too when coredx is interrupted', async () => {
    const dir = tempDir('robust-setsid');
    const seconds = 3000 + (process.pid % 500);
    const { core, env } = make(dir, seconds, '> /dev/null 2>&1');
    const child = spawn(process.execPath, [BIN, 'analyze', core, '--exe', join(dir, 'prog'), '--debugger', 'gdb'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    for (let i = 0; i < 200 && !existsSync(join(dir, 'started')); i++) await sleep(50);
    for (let i = 0; i < 40 && withMarker(String(seconds)).length + withMarker(String(seconds + 1)).length < 2; i++) await sleep(50);
    expect(withMarker(String(seconds)).length + withMarker(String(seconds + 1)).length).toBe(2);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    await sleep(200);
    expect(cleanUp(seconds)).toEqual([]);
  }, 30_000);

  it.skipIf(!hasSetsid)("spares a process carrying another coredx's marker with this coredx's pid (another PID namespace)", async () => {
    const dir = tempDir('robust-setsid');
    const seconds = 4600 + (process.pid % 500);
    const { core, env } = make(dir, seconds, '> /dev/null 2>&1');
    const child = spawn(process.execPath, [BIN, 'analyze', core, '--exe', join(dir, 'prog'), '--debugger', 'gdb'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    // A container's coredx whose in-namespace pid is this coredx's: its debugger's offspring, with
    // markers as an older coredx (no nonce) and as this one (a nonce of its own) write them.
    const decoys = [`${child.pid}.0.1`, `0123456789abcdef.${child.pid}.0.1`].map((value, i) =>
      spawn('sleep', [String(seconds + 2 + i)], { env: { ...process.env, COREDX_DEBUGGER_RUN: value }, stdio: 'ignore' }));
    try {
      for (let i = 0; i < 200 && !existsSync(join(dir, 'started')); i++) await sleep(50);
      for (let i = 0; i < 40 && withMarker(String(seconds)).length + withMarker(String(seconds + 1)).length < 2; i++) await sleep(50);
      child.kill('SIGTERM');
      expect(await exited).toBe(143);
      await sleep(200);
      expect(cleanUp(seconds)).toEqual([]);
      // Alive: neither a zombie (killed, not yet reaped) nor gone.
      for (const d of decoys) expect(readFileSync(`/proc/${d.pid}/stat`, 'utf8').split(') ')[1]![0]).not.toBe('Z');
    } finally {
      for (const d of decoys) d.kill('SIGKILL');
    }
  }, 30_000);

  it.skipIf(!hasSetsid)('is killed at the time limit, also after the debugger itself has exited, while it holds the output pipe', () => {
    const dir = tempDir('robust-setsid');
    const seconds = 3600 + (process.pid % 500);
    const { core, env } = make(dir, seconds, '');
    // This "gdb" exits at once; its setsid children keep its output pipe open.
    writeFileSync(join(dir, 'bin', 'gdb'), readFileSync(join(dir, 'bin', 'gdb'), 'utf8').replace('sleep 300\n', ''));
    const r = spawnSync(process.execPath, [BIN, 'analyze', core, '--exe', join(dir, 'prog'), '--debugger', 'gdb', '--debugger-timeout', '2'], { env, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).not.toBeNull();
    expect(cleanUp(seconds)).toEqual([]);
  }, 40_000);

  it.skipIf(!hasSetsid)('is killed when the debugger finishes, also with its output sent elsewhere', () => {
    const dir = tempDir('robust-setsid');
    const seconds = 4200 + (process.pid % 500);
    const { core, env } = make(dir, seconds, '> /dev/null 2>&1');
    writeFileSync(join(dir, 'bin', 'gdb'), readFileSync(join(dir, 'bin', 'gdb'), 'utf8').replace('sleep 300\n', 'sleep 1\n'));
    const r = spawnSync(process.execPath, [BIN, 'analyze', core, '--exe', join(dir, 'prog'), '--debugger', 'gdb'], { env, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).not.toBeNull();
    expect(cleanUp(seconds)).toEqual([]);
  }, 40_000);
});

describe('a named pipe (FIFO) given to analyze', () => {
  const hasMkfifo = spawnSync('sh', ['-c', 'command -v mkfifo'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasMkfifo)('that nobody writes to is interrupted by SIGTERM (it held the main thread: only SIGKILL stopped it)', async () => {
    const dir = tempDir('robust-fifo');
    const fifo = join(dir, 'crash.pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const child = spawn(process.execPath, [BIN, 'analyze', '--no-builtin', fifo], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    await sleep(1500);
    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(5000).then(() => 'still running')]);
    if (code === 'still running') child.kill('SIGKILL');
    expect(code).toBe(143);
  }, 20_000);
  it.skipIf(!hasMkfifo)('is read when written to, under its own name', () => {
    const dir = tempDir('robust-fifo');
    const fifo = join(dir, 'crash.pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const trace = 'Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in parse_header (p=0x0) at src/parse.c:5\n';
    writeFileSync(join(dir, 'crash.txt'), trace);
    const r = spawnSync('sh', ['-c', `(sleep 0.5; cat crash.txt > crash.pipe) & exec "${process.execPath}" "${BIN}" analyze --no-builtin --format json crash.pipe`], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout).reports[0];
    expect([report.source.path, report.signatureFrames]).toEqual(['crash.pipe', ['parse_header']]);
  }, 30_000);
});
