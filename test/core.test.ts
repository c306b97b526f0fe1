// Core files: the native ELF notes reader checked against what gdb reports on the same real cores,
// the debugger-backed path, and bad input (truncated, corrupted, foreign, missing executable, hung debugger).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, realpathSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../src/analyze.js';
import { analyzeCore } from '../src/core/analyze-core.js';
import { readCoreFacts } from '../src/core/native.js';
import { CoredxInputError } from '../src/errors.js';
import { buildProgram, haveCompiler, haveGdb, haveLldb, makeCore } from './support/debuggers.js';

const ready = [haveCompiler(), haveGdb()].filter((p) => !p.ok);
if (ready.length) console.log(`skipping core tests: ${ready.map((p) => p.reason).join('; ')}`);
const tcmalloc = ['/usr/lib/x86_64-linux-gnu/libtcmalloc.so', '/usr/lib/aarch64-linux-gnu/libtcmalloc.so'].some(existsSync);
if (!tcmalloc) console.log('skipping tcmalloc core test: libtcmalloc not installed (apt-get install libgoogle-perftools-dev)');
const BIN = join(import.meta.dirname, '..', 'bin', 'coredx.js');

/** What gdb itself says about a core: threads, LWPs, fault address, shared libraries. */
function gdbFacts(dir: string, bin: string, core: string) {
  const r = spawnSync('gdb', ['-q', '-batch', '-nx', '-iex', 'set debuginfod enabled off', '-ex', 'info threads', '-ex', 'p $_siginfo._sifields._sigfault', '-ex', 'info sharedlibrary', `./${bin}`, core], { cwd: dir, encoding: 'utf8' });
  const out = r.stdout + r.stderr;
  const threadLines = out.split('\n').filter((l) => /^\*?\s+\d+\s+Thread 0x/.test(l) || /^\*?\s+\d+\s+LWP \d+/.test(l));
  return {
    signal: /Program terminated with signal (SIG[A-Z]+)/.exec(out)?.[1],
    lwps: threadLines.map((l) => Number(/LWP (\d+)/.exec(l)![1])).sort(),
    faultAddress: /si_addr = (0x[0-9a-f]+)/.exec(out)?.[1],
    libraries: [...out.matchAll(/(\/\S+\.so[.\d]*)\s*$/gm)].map((m) => m[1]!),
  };
}

describe.skipIf(ready.length > 0)('native core reading vs gdb', () => {
  const cases: Record<string, { bin: string; core: string; dir: string }> = {};
  beforeAll(() => {
    for (const program of ['null_deref', 'threads', 'double_free', ...(tcmalloc ? ['brpc_reenact_tcmalloc'] : [])]) {
      const dir = mkdtempSync(join(tmpdir(), `coredx-core-${program}-`));
      const bin = buildProgram(program, dir);
      cases[program] = { bin, core: join(dir, makeCore(bin, dir)), dir };
    }
  }, 120_000);

  it.each(['null_deref', 'threads', 'double_free'])('%s: signal, fault address, threads, LWPs and modules agree with gdb', (program) => {
    const { bin, core, dir } = cases[program]!;
    const facts = readCoreFacts(core);
    const gdb = gdbFacts(dir, bin, core);
    expect(facts.machine).toBe(process.arch === 'arm64' ? 'aarch64' : 'x86-64');
    expect(facts.signalName).toBe(gdb.signal);
    expect(facts.threads.map((t) => t.lwp).sort()).toEqual(gdb.lwps);
    expect(facts.threads.length).toBe(program === 'threads' ? 4 : 1);
    if (program === 'double_free') expect(facts.faultAddress).toBeNull(); // SIGABRT: sent, not a fault
    else expect(facts.faultAddress).toBe(gdb.faultAddress);
    // gdb names libraries by their load name (/lib/...), the kernel by the opened file (/usr/lib/...).
    const real = (p: string) => (existsSync(p) ? realpathSync(p) : p);
    expect(gdb.libraries.length).toBeGreaterThan(0);
    for (const lib of gdb.libraries) expect(facts.modules.map(real)).toContain(real(lib));
    expect(facts.modules.some((m) => m.endsWith(`/${bin}`))).toBe(true);
    expect(facts.process?.fname).toBe(bin.slice(0, 15));
    // The crashing thread's pc is in the program (null_deref, threads) or libc (abort).
    const crashed = facts.threads[facts.crashed!]!;
    expect(crashed.module).toMatch(program === 'double_free' ? /libc\.so/ : new RegExp(`/${bin}$`));
  });

  it.skipIf(!tcmalloc)('sees libtcmalloc among the modules, and the brpc rule counts it as evidence', async () => {
    const { core } = cases.brpc_reenact_tcmalloc!;
    const facts = readCoreFacts(core);
    expect(facts.modules.some((m) => /libtcmalloc/.test(m))).toBe(true);
    const native = (await analyzeCore(core, { debugger: 'none' })).reports[0]!;
    expect(native.format).toBe('core');
    const full = (await analyzeCore(core)).reports[0]!;
    expect(full.format).toBe('core+gdb');
    const top = full.diagnoses[0]!;
    expect(top.ruleId).toBe('brpc/controller-destroyed-in-flight');
    expect(top.evidence.some((e) => e.condition === 'evidence: modules' && /libtcmalloc/.test(e.text))).toBe(true);
  });

  it('the debugger-backed path gives symbols and keeps the native facts', async () => {
    const { core } = cases.null_deref!;
    const r = (await analyzeFile(core)).reports[0]!;
    expect(r.format).toBe('core+gdb');
    expect(r.signatureFrames.slice(0, 2)).toEqual(['apply_config', 'load_config']);
    expect(r.faultAddress).toBe('0x0');
    expect(r.modules!.some((m) => /libc\.so/.test(m))).toBe(true);
    expect(r.diagnoses[0]!.ruleId).toBe('generic/null-deref');
  });

  it.skipIf(!haveLldb().ok)('runs lldb when asked', async () => {
    const { core } = cases.threads!;
    const r = (await analyzeCore(core, { debugger: 'lldb' })).reports[0]!;
    expect(r.format).toBe('core+lldb');
    expect(r.threads).toHaveLength(4);
    expect(r.signatureFrames[0]).toBe('pool::run_job');
    expect(r.faultAddress).toBe('0x0'); // lldb prints none for cores; the native reading adds it
  });

  it('a missing executable still gives the native summary, and says what to pass', async () => {
    const { core, dir, bin } = cases.null_deref!;
    const moved = mkdtempSync(join(tmpdir(), 'coredx-moved-'));
    const copy = join(moved, 'core');
    copyFileSync(core, copy);
    renameSync(join(dir, bin), join(dir, `${bin}.gone`));
    try {
      const r = (await analyzeCore(copy)).reports[0]!;
      expect(r.format).toBe('core');
      expect(r.signal).toBe('SIGSEGV');
      expect(r.warnings!.join('\n')).toMatch(/executable .*null_deref not found: pass --exe PATH/);
      const withExe = (await analyzeCore(copy, { exe: join(dir, `${bin}.gone`) })).reports[0]!;
      expect(withExe.signatureFrames[0]).toBe('apply_config');
    } finally {
      renameSync(join(dir, `${bin}.gone`), join(dir, bin));
    }
  });

  it('a debugger that hangs is stopped at the timeout; the native summary remains', async () => {
    const { core } = cases.null_deref!;
    const fake = mkdtempSync(join(tmpdir(), 'coredx-fakegdb-'));
    writeFileSync(join(fake, 'gdb'), '#!/bin/sh\nsleep 30\n');
    chmodSync(join(fake, 'gdb'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${fake}:${path}`;
    try {
      const r = (await analyzeCore(core, { timeoutMs: 300 })).reports[0]!;
      expect(r.format).toBe('core');
      expect(r.warnings!.join('\n')).toMatch(/gdb did not finish in time/);
      expect(r.signal).toBe('SIGSEGV');
    } finally {
      process.env.PATH = path;
    }
  });

  it('truncated, corrupted and foreign cores get one clear message, never a crash of ours', () => {
    const { core } = cases.threads!;
    const bytes = readFileSync(core);
    const dir = mkdtempSync(join(tmpdir(), 'coredx-bad-core-'));
    const write = (name: string, data: Buffer) => (writeFileSync(join(dir, name), data), join(dir, name));
    expect(() => readCoreFacts(write('tiny', bytes.subarray(0, 40)))).toThrow(/not an ELF file/);
    const foreign = Buffer.from(bytes.subarray(0, 1 << 20));
    foreign.writeUInt16LE(40, 18); // EM_ARM
    expect(() => readCoreFacts(write('arm', foreign))).toThrow(/unsupported architecture \(e_machine 40\)/);
    // Cut inside the notes (gdb writes them at the end of the file): what was read is kept, with a warning.
    const phoff = Number(bytes.readBigUInt64LE(32));
    let noteOffset = 0;
    let noteSize = 0;
    for (let i = 0; i < bytes.readUInt16LE(56); i++) {
      const o = phoff + i * bytes.readUInt16LE(54);
      if (bytes.readUInt32LE(o) === 4) {
        noteOffset = Number(bytes.readBigUInt64LE(o + 8));
        noteSize = Number(bytes.readBigUInt64LE(o + 32));
      }
    }
    const cut = readCoreFacts(write('cut', bytes.subarray(0, noteOffset + Math.floor(noteSize / 2))));
    expect(cut.warnings.join('\n')).toMatch(/cut short/);
    expect(cut.threads.length).toBeGreaterThan(0);
    expect(() => readCoreFacts(write('no-notes', bytes.subarray(0, noteOffset)))).toThrow(CoredxInputError);
    // Random byte flips in the headers and notes: a result or a CoredxInputError, nothing else.
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let k = 0; k < 200; k++) {
      const b = Buffer.from(bytes);
      for (let j = 0; j < 8; j++) {
        const at = rand() < 0.3 ? Math.floor(rand() * 64 + rand() * 56 * 4) : noteOffset + Math.floor(rand() * noteSize);
        b[at] = Math.floor(rand() * 256);
      }
      try {
        readCoreFacts(write('flipped', b));
      } catch (err) {
        expect(err).toBeInstanceOf(CoredxInputError);
      }
    }
  });

  it('coredx analyze and scan take a core by its header, not its name', () => {
    const { core } = cases.threads!;
    const dir = mkdtempSync(join(tmpdir(), 'coredx-scan-core-'));
    mkdirSync(join(dir, 'artifacts'));
    copyFileSync(core, join(dir, 'artifacts', 'dump.bin'));
    const a = spawnSync(process.execPath, [BIN, 'analyze', '--debugger', 'none', '--format', 'json', join(dir, 'artifacts', 'dump.bin')], { encoding: 'utf8' });
    expect(a.status).toBe(0);
    const report = JSON.parse(a.stdout).reports[0];
    expect(report).toMatchObject({ format: 'core', signal: 'SIGSEGV', faultAddress: '0x0', crashedThreadReason: 'core-signal' });
    expect(report.threads).toHaveLength(4);
    const s = spawnSync(process.execPath, [BIN, 'scan', join(dir, 'artifacts'), '-f', 'json', '--quiet'], { encoding: 'utf8' });
    const result = JSON.parse(s.stdout);
    expect(result.totals.crashes).toBe(1);
    expect(result.groups[0].report.format).toMatch(/^core/);
    const bad = spawnSync(process.execPath, [BIN, 'analyze', '--debugger', 'gdbx', join(dir, 'artifacts', 'dump.bin')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown --debugger "gdbx"/);
  });
});
