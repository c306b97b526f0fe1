// Issue 16, "nothing left behind": coredx interrupted (SIGINT, SIGTERM, SIGHUP) while a debugger
// analyzes a core kills the debugger's whole process group (SIGTERM, then SIGKILL for what ignores
// it) and exits with the shell's code for the signal. The "gdb" is a stand-in script on PATH that
// starts children (one ignoring SIGTERM) and sleeps.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCore, EM_X86_64, prpsinfo, prstatus, siginfo } from '../support/elfcore.js';
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
