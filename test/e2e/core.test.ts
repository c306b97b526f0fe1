// Core files: the native ELF notes reader checked against what gdb reports on the same real cores
// (written by gdb's generate-core-file, and by the kernel where this machine lets a test make one),
// hand-built cores for what this machine cannot produce (AArch64, PN_XNUM), the debugger-backed
// path, and bad input (truncated, corrupted, foreign, mismatched or missing executable, a debugger
// that hangs or crashes). Every core is made at test time in a temp dir.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, analyzeFile } from '../../src/pipeline.js';
import { lldbEnv, readCoreFacts, readElfCore } from '../../src/core/index.js';
import { analyzeCore } from '../../src/pipeline.js';
import { CoredxInputError } from '../../src/errors.js';
import { scan } from '../../src/scan/scan.js';
import { buildProgram, haveCompiler, haveGdb, haveLldb, lldbCore, makeCore } from '../support/debuggers.js';
import { buildCore, EM_AARCH64, EM_X86_64, fileNote, prpsinfo, prstatus, siginfo } from '../support/elfcore.js';
import { tempDir } from '../support/tmp.js';

const ready = [haveCompiler(), haveGdb()].filter((p) => !p.ok);
if (ready.length) console.log(`skipping core tests: ${ready.map((p) => p.reason).join('; ')}`);
const tcmalloc = ['/usr/lib/x86_64-linux-gnu/libtcmalloc.so', '/usr/lib/aarch64-linux-gnu/libtcmalloc.so'].some(existsSync);
if (!tcmalloc) console.log('skipping tcmalloc core test: libtcmalloc not installed (apt-get install libgoogle-perftools-dev)');
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');
const PROGRAMS = join(import.meta.dirname, '..', 'programs');
const X86 = process.arch === 'x64';

const temp = (what: string) => tempDir(`${what}`);

/** Builds a program test/support/debuggers.ts does not list (wild_pointer). */
function buildLocal(source: string, dir: string): string {
  const name = source.replace(/\.c$/, '');
  copyFileSync(join(PROGRAMS, source), join(dir, source));
  const r = spawnSync('gcc', ['-g', '-O0', source, '-o', name], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`gcc ${source}: ${r.stderr}`);
  return name;
}

/**
 * A core written by the kernel itself (ulimit -c unlimited, core_pattern writing into the working
 * directory), or the reason this machine cannot make one here (a pipe to systemd-coredump or
 * apport, an absolute path, a hard limit of 0).
 */
function kernelCore(bin: string, dir: string): { core: string } | { skip: string } {
  const pattern = existsSync('/proc/sys/kernel/core_pattern') ? readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim() : '';
  if (!pattern || pattern.startsWith('|') || pattern.includes('/')) return { skip: `core_pattern "${pattern}" does not write into the working directory` };
  const before = new Set(readdirSync(dir));
  const r = spawnSync('sh', ['-c', `ulimit -c unlimited 2>/dev/null || exit 99; exec ./${bin}`], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (r.status === 99) return { skip: 'ulimit -c unlimited is not allowed here' };
  const made = readdirSync(dir).filter((f) => !before.has(f) && f.startsWith(pattern.split('%')[0]!));
  return made.length ? { core: join(dir, made[0]!) } : { skip: `the kernel wrote no core (pattern "${pattern}")` };
}

interface GdbView {
  signal: string | undefined;
  siCode: number | undefined;
  faultAddress: string | undefined;
  /** LWP -> [pc, sp] as gdb reads them from the core. */
  regs: Map<number, [bigint, bigint]>;
  libraries: string[];
}

/** What gdb itself says about a core: signal, si_code, si_addr, every thread's pc and sp, shared libraries. */
function gdbView(dir: string, bin: string, core: string): GdbView {
  const r = spawnSync('gdb', ['-q', '-batch', '-nx', '-iex', 'set debuginfod enabled off',
    '-ex', 'p $_siginfo.si_code', '-ex', 'p $_siginfo._sifields._sigfault',
    '-ex', 'thread apply all printf "REGS %#lx %#lx\\n", $pc, $sp', '-ex', 'info sharedlibrary', `./${bin}`, core], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
  const out = r.stdout + r.stderr;
  const regs = new Map<number, [bigint, bigint]>();
  for (const m of out.matchAll(/^Thread \d+ \((?:Thread 0x[0-9a-f]+ \()?LWP (\d+)\)?(?: "[^"]*")?\):\n(?:warning:.*\n)*REGS (0x[0-9a-f]+|0) (0x[0-9a-f]+|0)$/gm)) {
    regs.set(Number(m[1]), [BigInt(m[2]!), BigInt(m[3]!)]);
  }
  return {
    signal: /Program terminated with signal (SIG[A-Z]+)/.exec(out)?.[1],
    siCode: Number(/^\$1 = (-?\d+)$/m.exec(out)?.[1]),
    faultAddress: /si_addr = (0x[0-9a-f]+)/.exec(out)?.[1],
    regs,
    libraries: [...out.matchAll(/(\/\S+\.so[.\d]*)\s*$/gm)].map((m) => m[1]!),
  };
}

/** The checks every real core gets: the native reading must agree with gdb on the same core. */
function expectAgreesWithGdb(core: string, dir: string, bin: string, threads: number): void {
  const facts = readCoreFacts(core);
  const gdb = gdbView(dir, bin, core);
  expect(facts.machine).toBe(X86 ? 'x86-64' : 'aarch64');
  expect(facts.signalName).toBe(gdb.signal);
  expect(facts.signal?.code).toBe(gdb.siCode);
  // Fault address: gdb prints the union's si_addr whatever the signal; only real faults have one.
  if (facts.faultAddress !== null) expect(facts.faultAddress).toBe(gdb.faultAddress);
  // Threads: the same LWPs, and for each the same pc and sp as gdb reads from the registers.
  expect(facts.threads).toHaveLength(threads);
  expect(gdb.regs.size).toBe(threads);
  for (const t of facts.threads) expect([t.lwp, gdb.regs.get(t.lwp)]).toEqual([t.lwp, [t.pc, t.sp]]);
  // Modules: every library gdb loaded is a mapped file (gdb says /lib/..., the kernel /usr/lib/...).
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : p);
  expect(gdb.libraries.length).toBeGreaterThan(0);
  const mapped = facts.modules.map(real);
  for (const lib of gdb.libraries) expect(mapped).toContain(real(lib));
  expect(facts.executable && realpathSync(facts.executable)).toBe(realpathSync(join(dir, bin)));
  // pr_fname: the name cut to 15 bytes (kernel) or 16 with no NUL (gdb).
  expect(bin.startsWith(facts.process!.fname) && facts.process!.fname.length >= Math.min(bin.length, 15)).toBe(true);
  // Each pc lies in the mapping the native reader placed it in, at the right file offset.
  for (const t of facts.threads) {
    const m = facts.mappings.find((x) => t.pc >= x.start && t.pc < x.end);
    expect(t.module).toBe(m?.path ?? null);
    if (m) expect(t.moduleOffset).toBe(t.pc - m.start + m.offset);
  }
}

describe.skipIf(ready.length > 0)('native core reading vs gdb (cores written by gdb generate-core-file)', () => {
  const cases: Record<string, { bin: string; core: string; dir: string }> = {};
  const programs = ['null_deref', 'threads', 'double_free', 'wild_pointer', 'stripped', ...(tcmalloc ? ['brpc_reenact_tcmalloc'] : [])];
  beforeAll(() => {
    for (const program of programs) {
      const dir = temp(`core-${program}`);
      const bin = program === 'wild_pointer' ? buildLocal('wild_pointer.c', dir) : buildProgram(program, dir);
      cases[program] = { bin, core: join(dir, makeCore(bin, dir)), dir };
    }
  }, 180_000);

  const THREADS: Record<string, number> = { threads: 4, brpc_reenact_tcmalloc: 2 };
  it.each(programs)('%s: signal, si_code, fault address, LWPs, pc/sp and modules agree with gdb', (program) => {
    const { bin, core, dir } = cases[program]!;
    expectAgreesWithGdb(core, dir, bin, THREADS[program] ?? 1);
    const facts = readCoreFacts(core);
    const crashed = facts.threads[facts.crashed!]!;
    expect(facts.warnings).toEqual([]);
    expect(facts.crashed).toBe(0); // the thread that took the signal comes first
    if (program === 'double_free') {
      expect(facts.faultAddress).toBeNull(); // SIGABRT: sent by raise(), not a fault
      expect(facts.signalDescription).toMatch(/sent by tkill\(\)\/raise\(\) from pid \d+/);
      expect(crashed.module).toMatch(/libc\.so/);
    } else expect(crashed.module).toMatch(new RegExp(`/${bin}$`));
    if (program === 'null_deref' || program === 'threads') expect([facts.faultAddress, facts.signalDescription]).toEqual(['0x0', 'Segmentation fault, address not mapped']);
    if (program === 'wild_pointer' && X86) {
      // General protection fault: the kernel gives si_code SI_KERNEL and si_addr 0, which is no address.
      expect(facts.signal?.code).toBe(128);
      expect(facts.faultAddress).toBeNull();
      expect(facts.signalDescription).toMatch(/general protection/);
    }
    if (program === 'brpc_reenact_tcmalloc') expect(facts.modules.some((m) => /\/libtcmalloc\.so/.test(m))).toBe(true);
  });

  it('the native summary is a Report: one frame per thread at its pc, the crashed thread, modules, advice', async () => {
    const { core } = cases.threads!;
    const r = (await analyzeCore(core, { debugger: 'none' })).reports[0]!;
    const facts = readCoreFacts(core);
    expect(r).toMatchObject({ format: 'core', signal: 'SIGSEGV', faultAddress: '0x0', crashedThread: 0, crashedThreadReason: 'core-signal' });
    expect(r.program, JSON.stringify(r.program)).toMatch(/\/threads$/); // gdb ran it by its full path
    // No names: the module of the pc and the pc's offset inside it (stable under ASLR).
    expect(r.signatureText).toBe(`SIGSEGV | threads!+0x${facts.threads[0]!.moduleOffset!.toString(16)}`);
    expect(r.threads).toHaveLength(4);
    r.threads.forEach((t, i) => {
      expect(t.lwp).toBe(facts.threads[i]!.lwp);
      expect(t.frames).toHaveLength(1);
      expect(BigInt(t.frames[0]!.address!)).toBe(facts.threads[i]!.pc);
      expect(t.frames[0]!.module).toBe(facts.threads[i]!.module);
    });
    expect(r.threads[0]!.crashed).toBe(true);
    expect(r.modules).toEqual(facts.modules);
    expect(r.warnings!.join('\n')).toMatch(/program counters only \(--debugger none\); run with gdb or lldb/);
  });

  it.skipIf(!tcmalloc)('sees libtcmalloc among the modules, and the brpc rule counts it as evidence', async () => {
    const { core } = cases.brpc_reenact_tcmalloc!;
    const native = (await analyzeCore(core, { debugger: 'none' })).reports[0]!;
    expect(native.format).toBe('core');
    expect(native.modules!.some((m) => /libtcmalloc/.test(m))).toBe(true);
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
    expect(r.source).toEqual({ path: core, line: 1, endLine: 1 });
    expect(r.signatureFrames.slice(0, 2)).toEqual(['apply_config', 'load_config']);
    expect(r.faultAddress).toBe('0x0');
    expect(r.signalDescription).toBe('Segmentation fault, address not mapped');
    expect(r.modules!.some((m) => /libc\.so/.test(m))).toBe(true);
    expect(r.diagnoses[0]!.ruleId).toBe('generic/null-deref');
    expect(r.warnings ?? []).toEqual([]);
  });

  it('multi-threaded: every thread with its LWP, the crashing one from the core', async () => {
    const { core } = cases.threads!;
    const facts = readCoreFacts(core);
    const r = (await analyzeCore(core, { debugger: 'gdb' })).reports[0]!;
    expect(r.threads).toHaveLength(4);
    expect(r.threads.map((t) => t.lwp).sort()).toEqual(facts.threads.map((t) => t.lwp).sort());
    expect(r.threads[r.crashedThread!]!.lwp).toBe(facts.threads[facts.crashed!]!.lwp);
    expect(r.signatureFrames[0]).toBe('pool::run_job');
  });

  it('gdb\'s si_addr of a SIGABRT (the sender\'s pid) and of a general protection fault are not fault addresses', async () => {
    const abort = (await analyzeCore(cases.double_free!.core)).reports[0]!;
    expect(abort).toMatchObject({ format: 'core+gdb', signal: 'SIGABRT', faultAddress: null, abortMessage: null });
    expect(abort.signatureFrames[0]).toBe('release_buffer');
    if (!X86) return;
    const gp = (await analyzeCore(cases.wild_pointer!.core)).reports[0]!;
    expect(gp).toMatchObject({ format: 'core+gdb', signal: 'SIGSEGV', faultAddress: null });
    expect(gp.warnings!.join('\n')).toMatch(/gdb shows fault address 0x0, but the kernel reported none for this SIGSEGV \(si_code 128\)/);
    expect(gp.diagnoses.map((d) => d.ruleId)).not.toContain('generic/null-deref');
    expect(gp.signatureFrames[0]).toBe('sum_list');
  });

  it.skipIf(!haveLldb().ok)('runs lldb when asked, and adds the LWPs and fault address lldb does not print for cores', async () => {
    const { core } = cases.threads!;
    const facts = readCoreFacts(core);
    const r = (await analyzeCore(core, { debugger: 'lldb' })).reports[0]!;
    expect(r.format).toBe('core+lldb');
    expect(r.threads).toHaveLength(4);
    expect(r.threads.map((t) => t.lwp)).toEqual(facts.threads.map((t) => t.lwp));
    // That holds because lldb numbers a core's threads in note order; its `thread list` shows it.
    const list = spawnSync('lldb', ['--batch', '--no-lldbinit', '-c', core, '-o', 'thread list'], { encoding: 'utf8', env: { ...process.env, ...lldbEnv() }, timeout: 60_000 }).stdout;
    expect([...list.matchAll(/thread #\d+: tid = (\d+)/g)].map((m) => Number(m[1]))).toEqual(facts.threads.map((t) => t.lwp));
    expect(r.signatureFrames[0]).toBe('pool::run_job');
    expect(r.faultAddress).toBe('0x0');
  });

  it('a stripped executable: gdb has no names for the crash, and the report says what to do', async () => {
    const r = (await analyzeCore(cases.stripped!.core)).reports[0]!;
    expect(r).toMatchObject({ format: 'core+gdb', signal: 'SIGSEGV', faultAddress: '0x3' });
    const warnings = r.warnings!.join('\n');
    expect(warnings).toMatch(/no symbols for \d+ frames? near the crash \(in the executable \S*stripped\): pass the unstripped binary with --exe, or build with -g/);
    // Unnamed frames are placed by the core's own mappings, so the signature still tells crashes
    // of stripped binaries apart: module and pc offset, as in a native reading.
    const top = r.threads[r.crashedThread!]!.frames[0]!;
    const facts = readCoreFacts(cases.stripped!.core);
    expect(top.moduleOffset).toBe(`0x${facts.threads[facts.crashed!]!.moduleOffset!.toString(16)}`);
    expect(r.signatureText).toMatch(/^SIGSEGV \| stripped!\+0x[0-9a-f]+/);
    const native = (await analyzeCore(cases.stripped!.core, { debugger: 'none' })).reports[0]!;
    expect(r.signatureText.split(' | ').slice(0, 2)).toEqual(native.signatureText.split(' | ').slice(0, 2));
  });

  it('a missing executable still gives the native summary, and says what to pass', async () => {
    const { core, dir, bin } = cases.null_deref!;
    const copy = join(temp('moved'), 'core');
    copyFileSync(core, copy);
    renameSync(join(dir, bin), join(dir, `${bin}.gone`));
    try {
      const r = (await analyzeCore(copy)).reports[0]!;
      expect(r.format).toBe('core');
      expect(r.signal).toBe('SIGSEGV');
      expect(r.warnings!.join('\n')).toMatch(/the executable .*null_deref was not found; pass --exe PATH/);
      const withExe = (await analyzeCore(copy, { exe: join(dir, `${bin}.gone`) })).reports[0]!;
      expect(withExe.signatureFrames[0]).toBe('apply_config');
      const wrongExe = (await analyzeCore(copy, { exe: join(dir, 'nope') })).reports[0]!;
      expect(wrongExe.warnings!.join('\n')).toMatch(/--exe .*nope: no such file/);
    } finally {
      renameSync(join(dir, `${bin}.gone`), join(dir, bin));
    }
  });

  it('an executable beside a copied core is found by name', async () => {
    const { core, dir, bin } = cases.null_deref!;
    const elsewhere = temp('beside');
    copyFileSync(core, join(elsewhere, 'core'));
    copyFileSync(join(dir, bin), join(elsewhere, bin));
    renameSync(join(dir, bin), join(dir, `${bin}.away`));
    try {
      const r = (await analyzeCore(join(elsewhere, 'core'))).reports[0]!;
      expect(r.format).toBe('core+gdb');
      expect(r.signatureFrames[0]).toBe('apply_config');
    } finally {
      renameSync(join(dir, `${bin}.away`), join(dir, bin));
    }
  });

  it('a mismatched executable is reported, the native facts still stand', async () => {
    const r = (await analyzeCore(cases.threads!.core, { exe: join(cases.null_deref!.dir, cases.null_deref!.bin) })).reports[0]!;
    expect(r.warnings!.join('\n')).toMatch(/gdb: the core may not match the executable .*pass the exact binary that crashed with --exe/);
    expect(r).toMatchObject({ signal: 'SIGSEGV', faultAddress: '0x0' });
    expect(r.threads.map((t) => t.lwp).sort()).toEqual(readCoreFacts(cases.threads!.core).threads.map((t) => t.lwp).sort());
  });

  it('--sysroot without the libraries: gdb says it could not load them, coredx says what to pass', async () => {
    const empty = temp('sysroot');
    const r = (await analyzeCore(cases.threads!.core, { sysroot: empty })).reports[0]!;
    expect(r.warnings!.join('\n')).toMatch(/gdb could not load \d+ shared librar(y|ies) \(e\.g\. .*\): --sysroot .* must hold the crashed machine's libraries at their paths/);
    expect(r.signatureFrames[0]).toBe('pool::run_job');
  });

  function fakeDebugger(script: string): string {
    const dir = temp('fakegdb');
    writeFileSync(join(dir, 'gdb'), `#!/bin/sh\n${script}\n`);
    chmodSync(join(dir, 'gdb'), 0o755);
    return dir;
  }
  async function withPath<T>(dir: string, fn: () => Promise<T>): Promise<T> {
    const path = process.env.PATH;
    process.env.PATH = `${dir}:${path}`;
    try {
      return await fn();
    } finally {
      process.env.PATH = path;
    }
  }

  it('a debugger that hangs is killed at the timeout (even when a child of it holds the output open)', async () => {
    const { core } = cases.null_deref!;
    const pidFile = join(temp('hang'), 'child.pid');
    const fake = fakeDebugger(`echo "Reading symbols..."\nsleep 30 &\necho $! > ${pidFile}\nsleep 30`);
    const t0 = Date.now();
    const r = (await withPath(fake, () => analyzeCore(core, { timeoutMs: 300 }))).reports[0]!;
    expect(Date.now() - t0).toBeLessThan(5_000);
    // The debugger's own children go with it (its whole process group is killed), none is left running.
    const child = Number(readFileSync(pidFile, 'utf8'));
    // Killed means gone, or a zombie nobody has reaped yet (a container's PID 1 may be slow to).
    const gone = () => {
      try {
        process.kill(child, 0);
      } catch {
        return true;
      }
      return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${child}/stat`, 'utf8'));
    };
    for (let i = 0; i < 30 && !gone(); i++) await new Promise((done) => setTimeout(done, 100));
    expect(gone()).toBe(true);
    expect(r.format).toBe('core');
    expect(r.warnings!.join('\n')).toMatch(/gdb did not finish in time and was stopped/);
    expect(r.signal).toBe('SIGSEGV');
    expect(r.threads).toHaveLength(1);
  });

  it('a debugger that crashes, or prints nothing useful, leaves the native summary with the reason', async () => {
    const { core } = cases.null_deref!;
    const crashing = (await withPath(fakeDebugger('echo "Fatal signal: Segmentation fault"\nkill -SEGV $$'), () => analyzeCore(core))).reports[0]!;
    expect(crashing.format).toBe('core');
    expect(crashing.warnings!.join('\n')).toMatch(/gdb crashed \(SIGSEGV\)/);
    const useless = (await withPath(fakeDebugger('echo "this gdb prints nonsense"'), () => analyzeCore(core))).reports[0]!;
    expect(useless.format).toBe('core');
    expect(useless.warnings!.join('\n')).toMatch(/gdb printed no backtrace \(this gdb prints nonsense\); this is the native summary only/);
  });

  it('truncated, corrupted and foreign cores get one clear message, never a crash of ours', () => {
    const { core } = cases.threads!;
    const bytes = readFileSync(core);
    const dir = temp('bad-core');
    const write = (name: string, data: Buffer) => (writeFileSync(join(dir, name), data), join(dir, name));
    const oneLine = (fn: () => unknown, message: RegExp) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(CoredxInputError);
        expect((err as Error).message).toMatch(message);
        expect((err as Error).message).not.toContain('\n');
        return;
      }
      throw new Error(`expected ${message}`);
    };
    oneLine(() => readCoreFacts(write('tiny', bytes.subarray(0, 40))), /tiny: truncated core: the file ends inside the ELF header \(40 of 64 bytes\)/);
    oneLine(() => readCoreFacts(write('text', Buffer.from('hello, not a core'))), /not an ELF file/);
    const patched = (name: string, edit: (b: Buffer) => void) => {
      const b = Buffer.from(bytes);
      edit(b);
      return write(name, b);
    };
    oneLine(() => readCoreFacts(patched('arm', (b) => b.writeUInt16LE(40, 18))), /unsupported architecture \(ARM \(32-bit\), e_machine 40\); coredx reads x86-64 and AArch64 cores/);
    oneLine(() => readCoreFacts(patched('riscv', (b) => b.writeUInt16LE(243, 18))), /RISC-V, e_machine 243/);
    oneLine(() => readCoreFacts(patched('elf32', (b) => (b[4] = 1))), /32-bit ELF core; coredx reads 64-bit \(ELF64\) cores only/);
    // A little-endian core whose byte-order byte was damaged is a corrupt header, not a big-endian core (issue 16).
    oneLine(() => readCoreFacts(patched('msb', (b) => (b[5] = 2))), /corrupt ELF header: its byte-order byte says big-endian, but the header reads as a little-endian x86-64 core/);
    oneLine(() => readCoreFacts(patched('exec', (b) => b.writeUInt16LE(2, 16))), /not a core file \(ELF type 2/);
    oneLine(() => readCoreFacts(patched('phoff', (b) => b.writeBigUInt64LE(BigInt(bytes.length + 100), 32))), /program headers lie outside the file/);
    oneLine(() => readCoreFacts(patched('phoff-huge', (b) => b.writeBigUInt64LE(0xffffffffffffff00n, 32))), /program headers lie outside the file/);
    oneLine(() => readCoreFacts(patched('phentsize', (b) => b.writeUInt16LE(8, 54))), /program header size 8/);
    oneLine(() => readCoreFacts(patched('phnum', (b) => b.writeUInt16LE(0, 56))), /no program headers/);
    oneLine(() => readCoreFacts(write('cut-phdrs', bytes.subarray(0, 64 + 20))), /the file ends inside the program headers/);

    // The note segment (gdb writes it first, after the program headers; the kernel too).
    const phoff = Number(bytes.readBigUInt64LE(32));
    const phnum = bytes.readUInt16LE(56);
    const note = (() => {
      for (let i = 0; i < phnum; i++) {
        const o = phoff + i * 56;
        if (bytes.readUInt32LE(o) === 4) return { at: o, offset: Number(bytes.readBigUInt64LE(o + 8)), size: Number(bytes.readBigUInt64LE(o + 32)) };
      }
      throw new Error('no PT_NOTE');
    })();
    // Cut inside the notes: what was read is kept, with warnings.
    // (gdb writes the notes after the memory, the kernel before it: see the kernel-core test and
    // the hand-built ones for a core cut in its memory.)
    const cut = readCoreFacts(write('cut-notes', bytes.subarray(0, note.offset + Math.floor(note.size / 2))));
    expect(cut.warnings.join('\n')).toMatch(/note segment 1 is cut short \(\d+ of \d+ bytes; truncated core\)/);
    expect(cut.warnings.join('\n')).toMatch(/note \d+ is damaged or cut short; it and the notes after it were not read/);
    expect(cut.threads.length).toBeGreaterThan(0);
    expect(cut.signalName).toBe('SIGSEGV');
    // Cut before the notes: nothing to read.
    oneLine(() => readCoreFacts(write('no-notes', bytes.subarray(0, note.offset))), /no readable notes: note segment 1 lies beyond the end of the file \(truncated core\)/);
    oneLine(() => readCoreFacts(patched('note-size', (b) => b.writeBigUInt64LE(1n << 40n, note.at + 32))), /no readable notes: note segment 1 claims \d+ bytes, which is implausible/);
    oneLine(() => readCoreFacts(patched('no-pt-note', (b) => b.writeUInt32LE(6, note.at))), /no note segment \(PT_NOTE\)/);
    // A damaged first note header: nothing decodable.
    oneLine(() => readCoreFacts(patched('bad-note', (b) => b.writeUInt32LE(0xffffff, note.offset))), /no readable notes: note 1 is damaged/);

    // Random byte flips in the headers and notes: a result or a CoredxInputError, nothing else.
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    let results = 0;
    for (let k = 0; k < 300; k++) {
      const b = Buffer.from(bytes.subarray(0, note.offset + note.size + 4096));
      for (let j = 0; j < 1 + (k % 8); j++) {
        const at = rand() < 0.3 ? Math.floor(rand() * (phoff + phnum * 56)) : note.offset + Math.floor(rand() * note.size);
        b[at] = Math.floor(rand() * 256);
      }
      try {
        const facts = readCoreFacts(write('flipped', b));
        results++;
        expect(Array.isArray(facts.threads)).toBe(true);
      } catch (err) {
        expect(err).toBeInstanceOf(CoredxInputError);
      }
    }
    expect(results).toBeGreaterThan(100); // most single flips leave a readable, partial summary
  });

  it('--coredumpctl runs `coredumpctl dump -o FILE MATCH`, analyzes the core and removes the copy', () => {
    // systemd-coredump cannot run here (no systemd); a stand-in on PATH does what `coredumpctl dump`
    // does: writes the newest matching core to -o, or fails with systemd's message.
    const { core } = cases.threads!;
    const bin = temp('coredumpctl');
    const log = join(bin, 'calls.log');
    writeFileSync(join(bin, 'coredumpctl'), `#!/bin/sh\necho "$@" >> "${log}"\n[ "$6" = nothing ] && { echo "No coredumps found." >&2; exit 1; }\nout=""; while [ $# -gt 0 ]; do [ "$1" = -o ] && out="$2"; shift; done\ncp "${core}" "$out"\n`);
    chmodSync(join(bin, 'coredumpctl'), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: temp('coredumpctl-tmp') };
    const ok = spawnSync(process.execPath, [BIN, 'analyze', '--coredumpctl', 'threads', '--debugger', 'none', '-f', 'json'], { encoding: 'utf8', env });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).reports[0]).toMatchObject({ format: 'core', signal: 'SIGSEGV', faultAddress: '0x0' });
    expect(readFileSync(log, 'utf8')).toMatch(/^dump --no-pager -q -o \S+\/core threads$/m);
    expect(readdirSync(env.TMPDIR)).toEqual([]); // the copy of the core is gone
    const none = spawnSync(process.execPath, [BIN, 'analyze', '--coredumpctl', 'nothing'], { encoding: 'utf8', env });
    expect([none.status, none.stderr]).toEqual([2, 'coredx: --coredumpctl: No coredumps found.\n']);
    expect(readdirSync(env.TMPDIR)).toEqual([]);
  });

  it('coredx analyze and scan take a core by its header, not its name; a bad core is exit 2 with one line', () => {
    const { core } = cases.threads!;
    const dir = temp('scan-core');
    mkdirSync(join(dir, 'artifacts'));
    copyFileSync(core, join(dir, 'artifacts', 'dump.bin'));
    const a = spawnSync(process.execPath, [BIN, 'analyze', '--debugger', 'none', '--format', 'json', join(dir, 'artifacts', 'dump.bin')], { encoding: 'utf8' });
    expect(a.status).toBe(0);
    const report = JSON.parse(a.stdout).reports[0];
    expect(report).toMatchObject({ format: 'core', signal: 'SIGSEGV', faultAddress: '0x0', crashedThreadReason: 'core-signal' });
    expect(report.threads).toHaveLength(4);
    expect(report.modules.length).toBeGreaterThan(2);
    const s = spawnSync(process.execPath, [BIN, 'scan', join(dir, 'artifacts'), '-f', 'json', '--quiet'], { encoding: 'utf8' });
    const result = JSON.parse(s.stdout);
    expect(result.totals.crashes).toBe(1);
    expect(result.groups[0].report.format).toBe('core+gdb');
    const native = JSON.parse(spawnSync(process.execPath, [BIN, 'scan', join(dir, 'artifacts'), '-f', 'json', '--quiet', '--debugger', 'none'], { encoding: 'utf8' }).stdout);
    expect(native.groups[0].report.format).toBe('core');
    expect(spawnSync(process.execPath, [BIN, 'scan', dir, '--debugger-timeout', '0'], { encoding: 'utf8' }).status).toBe(2);
    const bad = spawnSync(process.execPath, [BIN, 'analyze', '--debugger', 'gdbx', join(dir, 'artifacts', 'dump.bin')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown --debugger "gdbx"/);
    const foreign = Buffer.from(readFileSync(core).subarray(0, 1 << 16));
    foreign.writeUInt16LE(8, 18); // MIPS
    writeFileSync(join(dir, 'mips.core'), foreign);
    const f = spawnSync(process.execPath, [BIN, 'analyze', join(dir, 'mips.core')], { encoding: 'utf8' });
    expect(f.status).toBe(2);
    expect(f.stderr.trim().split('\n')).toHaveLength(1);
    expect(f.stderr).toMatch(/mips\.core: core of an unsupported architecture \(MIPS, e_machine 8\)/);
  });
});

describe.skipIf(ready.length > 0)('cores written by the kernel', () => {
  const made: Record<string, { dir: string; bin: string; core: string } | { skip: string }> = {};
  beforeAll(() => {
    for (const program of ['threads', 'null_deref']) {
      const dir = temp(`kcore-${program}`);
      const bin = buildProgram(program, dir);
      const k = kernelCore(bin, dir);
      made[program] = 'core' in k ? { dir, bin, core: k.core } : k;
    }
  }, 120_000);

  it.each(['threads', 'null_deref'])('%s: the native reading agrees with gdb, and the full path works', async (program) => {
    const k = made[program]!;
    if ('skip' in k) {
      console.log(`skipping kernel core test: ${k.skip}`);
      return;
    }
    expectAgreesWithGdb(k.core, k.dir, k.bin, program === 'threads' ? 4 : 1);
    const facts = readCoreFacts(k.core);
    // The kernel records the signal for every thread and writes the dumping thread first.
    expect(facts.threads.every((t) => t.signal === 11)).toBe(true);
    expect(facts.crashed).toBe(0);
    expect(facts.warnings).toEqual([]); // skipped zero pages are holes, not truncation
    const r = (await analyzeCore(k.core)).reports[0]!;
    expect(r).toMatchObject({ format: 'core+gdb', signal: 'SIGSEGV', faultAddress: '0x0' });
    expect(r.signatureFrames[0]).toBe(program === 'threads' ? 'pool::run_job' : 'apply_config');
    expect(r.threads[r.crashedThread!]!.lwp).toBe(facts.threads[0]!.lwp);
  });

  it('threads: lldb\'s own output for a kernel core, pasted, names the crashing thread (its idle threads say "signal 0")', (ctx) => {
    const k = made.threads!;
    if ('skip' in k) return ctx.skip();
    if (!haveLldb().ok) return ctx.skip();
    const out = lldbCore(k.bin, k.dir, k.core).output;
    expect(out).toMatch(/stop reason = signal 0/); // what makes this case: every other thread has it
    const r = analyze(out, { rules: null }).reports[0]!;
    expect(r.signal).toBe('SIGSEGV');
    expect(r.threads[r.crashedThread!]!.frames.some((f) => f.function === 'pool::run_job')).toBe(true);
    expect(r.signatureFrames[0]).toBe('pool::run_job');
  });

  it('a kernel core cut in its memory (ulimit, full disk) keeps every note and says it is truncated', async () => {
    const k = made.threads!;
    if ('skip' in k) return;
    const bytes = readFileSync(k.core);
    const cutPath = join(k.dir, 'cut.core');
    writeFileSync(cutPath, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const facts = readCoreFacts(cutPath);
    expect(facts.threads).toHaveLength(4);
    expect(facts.warnings).toHaveLength(1);
    expect(facts.warnings[0]).toMatch(/^the core is truncated: its memory segments need \d+ bytes, the file has \d+ /);
    const r = (await analyzeCore(cutPath)).reports[0]!;
    expect(r).toMatchObject({ signal: 'SIGSEGV', faultAddress: '0x0' });
    expect(r.warnings!.join('\n')).toMatch(/the core is truncated/);
  });
});

describe('hand-built cores: what this machine cannot produce', () => {
  const dir = temp('synthetic-core');
  const write = (name: string, data: Buffer) => (writeFileSync(join(dir, name), data), join(dir, name));
  const libc = { start: 0x7f0000000000n, end: 0x7f0000200000n, offset: 0n, path: '/usr/lib/aarch64-linux-gnu/libc.so.6' };
  const libcText = { start: 0x7f0000200000n, end: 0x7f0000300000n, offset: 0x200000n, path: libc.path };
  const exe = { start: 0xaaaa00000000n, end: 0xaaaa00010000n, offset: 0n, path: '/srv/app/bin/server (deleted)' };

  it('AArch64: pc and sp from user_pt_regs, threads, signal, NT_FILE offsets in pages', async () => {
    const core = write('arm64', buildCore({
      machine: EM_AARCH64,
      notes: [
        prstatus(EM_AARCH64, 4242, 11, 0xaaaa00001234n, 0xffffc0de0000n),
        prpsinfo(4240, 'server', '/srv/app/bin/server --port 80'),
        siginfo(11, 2, 0x10n), // SEGV_ACCERR at 0x10
        fileNote([exe, libc, libcText]),
        prstatus(EM_AARCH64, 4243, 0, 0x7f0000201000n, 0xffffc0df0000n),
      ],
      loads: [[0xffffc0de0000n, 8192]],
    }));
    const facts = readCoreFacts(core);
    expect(facts.machine).toBe('aarch64');
    expect(facts.threads.map((t) => [t.lwp, t.pc, t.sp, t.module])).toEqual([
      [4242, 0xaaaa00001234n, 0xffffc0de0000n, '/srv/app/bin/server (deleted)'],
      [4243, 0x7f0000201000n, 0xffffc0df0000n, libc.path],
    ]);
    expect(facts.threads[1]!.moduleOffset).toBe(0x201000n); // (pc - start) + offset (page 0x200 x 4096)
    expect(facts).toMatchObject({ signalName: 'SIGSEGV', faultAddress: '0x10', crashed: 0, executable: '/srv/app/bin/server', executableReplaced: true, warnings: [] });
    expect(facts.signalDescription).toBe('Segmentation fault, invalid permissions for mapped object');
    expect(facts.process).toEqual({ pid: 4240, fname: 'server', args: '/srv/app/bin/server --port 80' });
    expect(facts.modules).toEqual(['/srv/app/bin/server (deleted)', libc.path]);
    const r = (await analyzeCore(core, { debugger: 'none', rules: null })).reports[0]!;
    expect(r).toMatchObject({ format: 'core', signal: 'SIGSEGV', faultAddress: '0x10', program: '/srv/app/bin/server --port 80', crashedThread: 0 });
    expect(r.warnings!.join('\n')).toMatch(/the executable \/srv\/app\/bin\/server was deleted or replaced after the process started/);
    // The executable is not on this machine: the report says what to pass.
    const auto = (await analyzeCore(core, { rules: null })).reports[0]!;
    expect(auto.format).toBe('core');
    if (haveGdb().ok) expect(auto.warnings!.join('\n')).toMatch(/the executable \/srv\/app\/bin\/server was not found; pass --exe PATH/);
  });

  it('one pipeline: the debugger\'s text is parsed and diagnosed like any text, and analyzeFile, analyzeCore and scan agree', async () => {
    const core = write('piped-core', buildCore({
      machine: EM_AARCH64,
      notes: [prstatus(EM_AARCH64, 4242, 11, 0xaaaa00001234n, 0xffffc0de0000n), prpsinfo(4240, 'server', '/srv/app/bin/server'), siginfo(11, 1, 0x0n), fileNote([exe, libc, libcText])],
      loads: [[0xffffc0de0000n, 8192]],
    }));
    const exeFile = write('server', Buffer.from('not really an executable'));
    // A gdb that prints what the real one would for this core: the pipeline parses it with the gdb parser.
    const fake = temp('fake-gdb');
    writeFileSync(join(fake, 'gdb'), `#!/bin/sh\ncat <<'OUT'\nCore was generated by \`/srv/app/bin/server'.\nProgram terminated with signal SIGSEGV, Segmentation fault.\n\nThread 1 (Thread 0xffffb7eb1740 (LWP 4242)):\n#0  0x0000aaaa00001234 in apply_config (cfg=0x0) at config.c:12\n#1  0x0000aaaa00001300 in load_config (path=0x1 "x") at config.c:40\n#2  0x0000aaaa00001400 in main () at main.c:5\nOUT\n`);
    chmodSync(join(fake, 'gdb'), 0o755);
    const options = { core: { exe: exeFile, debugger: 'gdb' as const } };
    const PATH = process.env.PATH;
    process.env.PATH = `${fake}:${PATH}`;
    try {
      const viaCore = (await analyzeCore(core, { exe: exeFile, debugger: 'gdb', explain: 2 })).reports[0]!;
      expect(viaCore).toMatchObject({ format: 'core+gdb', signal: 'SIGSEGV', faultAddress: '0x0', crashedThreadReason: 'only-thread', signatureFrames: ['apply_config', 'load_config', 'main'] });
      expect(viaCore.threads[0]!.lwp).toBe(4242);
      expect(viaCore.diagnoses[0]!.ruleId).toBe('generic/null-deref');
      expect(viaCore.explain!.some((e) => e.ruleId === 'generic/null-deref' && e.fired)).toBe(true);
      const viaFile = (await analyzeFile(core, { ...options, explain: 2 })).reports[0]!;
      expect(viaFile).toEqual(viaCore);
      const plain = (await analyzeFile(core, options)).reports[0]!;
      expect(plain.explain).toBeUndefined();
      expect(plain.diagnoses).toEqual(viaCore.diagnoses);
      const scanned = await scan([core], { analyze: options });
      expect(scanned.groups.map((g) => [g.signature, g.report.format])).toEqual([[viaCore.signature, 'core+gdb']]);
    } finally {
      process.env.PATH = PATH;
    }
  });

  it('a core cut in its memory keeps every note and says it is truncated', () => {
    const whole = buildCore({ machine: EM_X86_64, notes: [prstatus(EM_X86_64, 5, 11, 0x1000n, 0x2000n), siginfo(11, 1, 0x0n)], loads: [[0x1000n, 65536], [0x7ffe0000n, 65536]] });
    expect(readCoreFacts(write('whole', whole)).warnings).toEqual(['no mapped-file (NT_FILE) note: modules unknown']);
    const cut = readCoreFacts(write('cut', whole.subarray(0, whole.length - 70000)));
    expect(cut.threads).toHaveLength(1);
    expect(cut.warnings[0]).toBe(`the core is truncated: its memory segments need ${whole.length} bytes, the file has ${whole.length - 70000} (a size limit such as ulimit -c, a full disk or an interrupted copy); a debugger may show incomplete stacks`);
  });

  it('PN_XNUM: the program header count from section header 0', () => {
    const core = write('xnum', buildCore({ machine: EM_X86_64, xnum: true, notes: [prstatus(EM_X86_64, 7, 6, 0x401000n, 0x7ffe0000n), siginfo(6, -6, 7n)], loads: [[0x400000n, 4096]] }));
    const elf = readElfCore(core);
    expect(elf.loadSegments).toBe(1);
    const facts = readCoreFacts(core);
    expect(facts).toMatchObject({ signalName: 'SIGABRT', faultAddress: null });
    expect(facts.signalDescription).toBe('Aborted, sent by tkill()/raise() from pid 7');
    expect(facts.warnings).toEqual(['no mapped-file (NT_FILE) note: modules unknown']);
  });

  it('general protection faults (SI_KERNEL) have no fault address; a null function pointer call is named', () => {
    const core = write('gp', buildCore({ machine: EM_X86_64, notes: [prstatus(EM_X86_64, 9, 11, 0n, 0x7ffe0000n), siginfo(11, 0x80, 0n)] }));
    const facts = readCoreFacts(core);
    expect(facts.faultAddress).toBeNull();
    expect(facts.signalDescription).toMatch(/general protection fault, no address reported/);
    expect(facts.threads[0]!.module).toBeNull();
  });

  it('damaged notes give what could be read, with warnings', () => {
    const shortPrstatus = { type: 1, desc: Buffer.alloc(100) };
    const badFile = fileNote([libc]);
    badFile.desc.writeBigUInt64LE(1000n, 0); // claims 1000 mappings
    const core = write('damaged', buildCore({ machine: EM_X86_64, notes: [prstatus(EM_X86_64, 1, 11, 0x1000n, 0x2000n), shortPrstatus, { type: 3, desc: Buffer.alloc(10) }, badFile, siginfo(11, 1, 0x8n)] }));
    const facts = readCoreFacts(core);
    expect(facts.threads).toHaveLength(1);
    expect(facts.faultAddress).toBe('0x8');
    expect(facts.warnings).toEqual([
      'a thread status note (NT_PRSTATUS) is too short to read; that thread is left out',
      'the process note (NT_PRPSINFO) is too short to read: program name unknown',
      'the mapped-file note (NT_FILE) claims 1000 mappings but holds at most 2',
    ]);
    const odd = fileNote([libc], 1000n); // not a power of two
    const core2 = write('pagesize', buildCore({ machine: EM_X86_64, notes: [prstatus(EM_X86_64, 1, 11, 0x7f0000000010n, 0x2000n), odd] }));
    const f2 = readCoreFacts(core2);
    expect(f2.threads[0]!.module).toBe(libc.path);
    expect(f2.warnings.join('\n')).toMatch(/page size 1000 is not valid/);
  });
});
