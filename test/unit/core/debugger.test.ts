// Killing what a debugger left behind must not reach processes that are not the debugger's: a
// container's coredx (another PID namespace, visible in /proc) whose pid, thread and run numbers
// equal this one's, or whatever reuses the debugger's pid once it has exited and been reaped.
// Starts `sleep`s and a stand-in "gdb" script (sh, setsid): the odd process in the unit project.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { offspring, parentageRoots, runDebugger } from '../../../src/core/debugger.js';
import { tempDir } from '../../support/tmp.js';

const hasSetsid = spawnSync('sh', ['-c', 'command -v setsid'], { encoding: 'utf8' }).status === 0;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** /proc/PID/stat after "pid (comm) ". */
const stat = (pid: number) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ');
};
function alive(pid: number): boolean {
  try {
    return stat(pid)[0] !== 'Z';
  } catch {
    return false;
  }
}
/** Live processes whose command line holds `arg` (a sleep length no other process uses). */
function withArg(arg: string): number[] {
  const live: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (stat(Number(entry))[0] !== 'Z' && readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(arg)) live.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return live;
}

const started: ChildProcess[] = [];
const lengths: string[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.kill('SIGKILL');
  for (const arg of lengths.splice(0)) for (const pid of withArg(arg)) process.kill(pid, 'SIGKILL');
});

/** A `sleep` carrying COREDX_DEBUGGER_RUN=`value` in its environment, as a debugger's offspring would. */
function decoy(seconds: number, value: string): ChildProcess {
  lengths.push(String(seconds));
  const c = spawn('sleep', [String(seconds)], { env: { ...process.env, COREDX_DEBUGGER_RUN: value }, stdio: 'ignore' });
  started.push(c);
  return c;
}

describe('parentageRoots: the debugger is a root of parentage only while its pid is still its own', () => {
  it('takes a leader whose start time is the one recorded at spawn', () => {
    expect(parentageRoots([{ pid: 4242, start: '1000' }], () => '1000')).toEqual([4242]);
  });
  it('refuses a reused pid (another start time), a pid gone, and a leader whose start time was never known', () => {
    expect(parentageRoots([{ pid: 4242, start: '1000' }], () => '2000')).toEqual([]);
    expect(parentageRoots([{ pid: 4242, start: '1000' }], () => null)).toEqual([]);
    expect(parentageRoots([{ pid: 4242, start: '1000' }], () => undefined)).toEqual([]);
    expect(parentageRoots([{ pid: 4242, start: null }], () => '1000')).toEqual([]);
  });
});

describe('offspring: what the debugger started', () => {
  it('walks the descendants of a leader only while its start time matches the one recorded', async () => {
    const seconds = 5100 + (process.pid % 500);
    lengths.push(String(seconds));
    const parent = spawn('sh', ['-c', `sleep ${seconds} & wait`], { stdio: 'ignore' });
    started.push(parent);
    for (let i = 0; i < 100 && withArg(String(seconds)).length === 0; i++) await sleep(20);
    const [kid] = withArg(String(seconds));
    expect(kid).toBeDefined();
    const start = stat(parent.pid!)[19]!;
    expect(offspring([{ pid: parent.pid!, start }]).map((p) => p.pid)).toContain(kid);
    // The same pid as another process (the debugger reaped, its pid reused): not the debugger's.
    expect(offspring([{ pid: parent.pid!, start: String(Number(start) + 1) }]).map((p) => p.pid)).not.toContain(kid);
    expect(offspring([{ pid: parent.pid!, start: null }]).map((p) => p.pid)).not.toContain(kid);
  });
});

describe.skipIf(!hasSetsid)('runDebugger kills what its debugger left, and only that', () => {
  it("spares a process whose marker has this process's pid, thread and run but another nonce (another PID namespace)", async () => {
    const dir = tempDir('unit-debugger-marker');
    const base = 5700 + (process.pid % 500);
    const [own, oldFormat, otherNonce] = [base, base + 1, base + 2];
    lengths.push(String(own));
    mkdirSync(join(dir, 'bin'));
    // This "gdb" leaves a setsid child (its own: must go) and exits.
    writeFileSync(join(dir, 'bin', 'gdb'), `#!/bin/sh\nsetsid sleep ${own} > /dev/null 2>&1 &\nexit 0\n`);
    chmodSync(join(dir, 'bin', 'gdb'), 0o755);
    // A container coredx with this pid and thread, at its first run: markers as an older coredx
    // (no nonce) and as this one (another nonce) write them.
    const a = decoy(oldFormat, `${process.pid}.${threadId}.1`);
    const b = decoy(otherNonce, `${randomBytes(8).toString('hex')}.${process.pid}.${threadId}.1`);
    const path = process.env.PATH;
    process.env.PATH = `${join(dir, 'bin')}:${path}`;
    try {
      const run = await runDebugger('gdb', join(dir, 'core'), null, { timeoutMs: 20_000 });
      expect(run.error).toBeNull();
    } finally {
      process.env.PATH = path;
    }
    await sleep(200);
    expect(withArg(String(own))).toEqual([]);
    expect(alive(a.pid!)).toBe(true);
    expect(alive(b.pid!)).toBe(true);
  }, 30_000);

  it("gives the debugger a marker led by this process's nonce (shared with worker threads), and not the nonce's variable", async () => {
    const dir = tempDir('unit-debugger-marker');
    mkdirSync(join(dir, 'bin'));
    const out = join(dir, 'env');
    writeFileSync(join(dir, 'bin', 'gdb'), `#!/bin/sh\necho "$COREDX_DEBUGGER_RUN,\${COREDX_DEBUGGER_NONCE-unset}" > ${out}\n`);
    chmodSync(join(dir, 'bin', 'gdb'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${join(dir, 'bin')}:${path}`;
    try {
      await runDebugger('gdb', join(dir, 'core'), null, { timeoutMs: 20_000 });
    } finally {
      process.env.PATH = path;
    }
    const shared = /^(\d+)\.([0-9a-f]{16})$/.exec(process.env.COREDX_DEBUGGER_NONCE ?? '');
    expect(shared?.[1]).toBe(String(process.pid));
    const [marker, nonceVar] = readFileSync(out, 'utf8').trim().split(',');
    expect(marker).toMatch(new RegExp(`^${shared![2]}\\.${process.pid}\\.${threadId}\\.\\d+$`));
    expect(nonceVar).toBe('unset');
  }, 30_000);
});
