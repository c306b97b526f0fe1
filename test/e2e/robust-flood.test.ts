// Issue 16: a debugger that floods its output (a loop in its unwinder) is stopped at 64 MB, the
// report says so, and coredx's memory stays bounded (it was 1.5 GB before). The "gdb" is a stand-in
// script on PATH that prints frames without end.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCore, EM_X86_64, prpsinfo, prstatus, siginfo } from '../support/elfcore.js';
import { tempDir } from '../support/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');
const time = spawnSync('sh', ['-c', 'command -v /usr/bin/time'], { encoding: 'utf8' }).status === 0;

describe('a debugger that floods its output', () => {
  it('is stopped at 64 MB, the report says so, and peak memory stays bounded', () => {
    const dir = tempDir('robust-flood');
    const core = join(dir, 'core.1');
    writeFileSync(core, buildCore({ machine: EM_X86_64, notes: [prpsinfo(4242, 'prog', './prog'), prstatus(EM_X86_64, 4242, 11, 0x401000n, 0x7ffe0000n), siginfo(11, 1, 0n)] }));
    writeFileSync(join(dir, 'prog'), 'not really a program\n');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    // A session header, then the same frame forever.
    writeFileSync(join(bin, 'gdb'), `#!/bin/sh\necho "Program terminated with signal SIGSEGV, Segmentation fault."\nyes "#0  0x0000555555555169 in spin (n=1) at loop.c:3"\n`);
    chmodSync(join(bin, 'gdb'), 0o755);
    const args = [process.execPath, '--max-old-space-size=400', BIN, 'analyze', core, '--exe', join(dir, 'prog'), '--debugger', 'gdb', '--format', 'json'];
    const r = time
      ? spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', ...args], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeout: 120_000, maxBuffer: 64 << 20 })
      : spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeout: 120_000, maxBuffer: 64 << 20 });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout).reports[0];
    expect(report.warnings.join('\n')).toMatch(/gdb printed more than 64 MB and was stopped there/);
    if (time) {
      const kb = Number(/maxrss=(\d+)/.exec(r.stderr)![1]);
      expect(kb / 1024).toBeLessThan(600);
    }
  }, 150_000);

  // Class: distinct thread headers without end (~390,000 threads in 64 MB): the thread list is
  // capped (MAX_THREADS_PER_TRACE), the report says how many threads went (it held ~1 KB each: 2.6 GB).
  it('printing thread after thread: the thread list is capped, the report says so, memory stays bounded', () => {
    const dir = tempDir('robust-flood-threads');
    const core = join(dir, 'core.1');
    writeFileSync(core, buildCore({ machine: EM_X86_64, notes: [prpsinfo(4242, 'prog', './prog'), prstatus(EM_X86_64, 4242, 11, 0x401000n, 0x7ffe0000n), siginfo(11, 1, 0n)] }));
    writeFileSync(join(dir, 'prog'), 'not really a program\n');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'gdb'), `#!/bin/sh\necho "Program terminated with signal SIGSEGV, Segmentation fault."\nawk 'BEGIN { for (i = 1; ; i++) printf "\\nThread %d (Thread 0x7f%010x (LWP %d) \\"worker-%d\\"):\\n#0  0x0000555555555169 in work_%d (n=1) at w.c:3\\n", i, i, i, i, i % 50 }'\n`);
    chmodSync(join(bin, 'gdb'), 0o755);
    const args = [process.execPath, BIN, 'analyze', core, '--exe', join(dir, 'prog'), '--debugger', 'gdb', '--format', 'json'];
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const r = time
      ? spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', ...args], { encoding: 'utf8', env, timeout: 120_000, maxBuffer: 256 << 20 })
      : spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', env, timeout: 120_000, maxBuffer: 256 << 20 });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout).reports[0];
    const warnings = report.warnings.join('\n');
    expect(warnings).toMatch(/gdb printed more than 64 MB and was stopped there/);
    expect(warnings).toMatch(/\d+ threads beyond the first 10000 were read but not kept \(the thread list was capped\)/);
    expect(report.threads.length).toBeLessThanOrEqual(10_001);
    if (time) {
      const kb = Number(/maxrss=(\d+)/.exec(r.stderr)![1]);
      expect(kb / 1024).toBeLessThan(400);
    }
  }, 150_000);
});

describe('a gzip file that inflates beyond the limit', () => {
  it('is read up to COREDX_GZIP_LIMIT_MB: the crash before it is reported, the cut is a warning', () => {
    const dir = tempDir('robust-gzip-limit');
    const text = 'Program received signal SIGSEGV, Segmentation fault.\n#0  0x0000555555555169 in parse (buf=0x0) at a.c:3\n' + `${'a'.repeat(99)}\n`.repeat(60_000);
    writeFileSync(join(dir, 'big.log.gz'), gzipSync(text));
    const r = spawnSync(process.execPath, [BIN, 'analyze', join(dir, 'big.log.gz'), '--format', 'json'], { encoding: 'utf8', env: { ...process.env, COREDX_GZIP_LIMIT_MB: '2' }, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).reports[0].signatureFrames).toEqual(['parse']);
    expect(r.stderr).toMatch(/gzip content cut at 2 MB decompressed \(COREDX_GZIP_LIMIT_MB\): the rest was not read/);
    const full = spawnSync(process.execPath, [BIN, 'analyze', join(dir, 'big.log.gz'), '--format', 'json'], { encoding: 'utf8', timeout: 60_000 });
    expect(full.stderr).not.toMatch(/gzip content cut/);
  }, 90_000);
});
