// Builds the crashing programs in test/programs and runs the real gdb and lldb on them, live and
// on core files. Everything runs in a temp dir with relative paths, so outputs name no machine path
// beyond system libraries. Every call has a timeout; nothing here can hang a test run.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GDB_COMMANDS, lldbEnv } from '../../src/core/debugger.js';
export { lldbEnv };

const PROGRAMS_DIR = join(import.meta.dirname, '..', 'programs');
const TIMEOUT_MS = 90_000;

interface ProgramSpec {
  sources: string[];
  compiler: 'gcc' | 'g++';
  flags: string[];
  /** Built first: [output, sources, flags] of a shared library the program links against. */
  library?: { output: string; sources: string[]; flags: string[] };
  strip?: boolean;
}

export const PROGRAMS: Record<string, ProgramSpec> = {
  null_deref: { sources: ['null_deref.c'], compiler: 'gcc', flags: ['-g', '-O0'] },
  assert_fail: { sources: ['assert_fail.c'], compiler: 'gcc', flags: ['-g', '-O0'] },
  double_free: { sources: ['double_free.c'], compiler: 'gcc', flags: ['-g', '-O0'] },
  uncaught: { sources: ['uncaught.cpp'], compiler: 'g++', flags: ['-g', '-O0'] },
  recursion: { sources: ['recursion.c'], compiler: 'gcc', flags: ['-g', '-O0'] },
  threads: { sources: ['threads.cpp'], compiler: 'g++', flags: ['-g', '-O0', '-pthread'] },
  inlined: { sources: ['inlined.c'], compiler: 'gcc', flags: ['-g', '-O2'] },
  shapes: {
    sources: ['use_shapes.cpp'],
    compiler: 'g++',
    flags: ['-g', '-O0', '-L.', '-lshapes', '-Wl,-rpath,$ORIGIN'],
    library: { output: 'libshapes.so', sources: ['libshapes.cpp'], flags: ['-g', '-O0', '-shared', '-fPIC'] },
  },
  stripped: { sources: ['stripped.c'], compiler: 'gcc', flags: ['-O0'], strip: true },
  pure_virtual: { sources: ['pure_virtual.cpp'], compiler: 'g++', flags: ['-g', '-O0'] },
  divide_by_zero: { sources: ['divide_by_zero.c'], compiler: 'gcc', flags: ['-g', '-O0'] },
  exit_order: { sources: ['exit_order.cpp'], compiler: 'g++', flags: ['-g', '-O0'] },
  bad_alloc: { sources: ['bad_alloc.cpp'], compiler: 'g++', flags: ['-g', '-O0'] },
  brpc_reenact: { sources: ['brpc_reenact.cpp'], compiler: 'g++', flags: ['-g', '-O0', '-pthread'] },
  lambda_segv: { sources: ['lambda_segv.cpp'], compiler: 'g++', flags: ['-g', '-O0'] },
  // Two threads locking two mutexes in opposite orders (test/e2e/hang.test.ts): a hang, not a crash.
  deadlock: { sources: ['deadlock.cpp'], compiler: 'g++', flags: ['-g', '-O0', '-pthread'] },
  asan_lambda_segv: { sources: ['lambda_segv.cpp'], compiler: 'g++', flags: ['-g', '-O0', '-fsanitize=address'] },
  // Sanitizer builds (test/e2e/formats.test.ts): the programs run on their own, the sanitizer reports.
  asan_uaf: { sources: ['asan_uaf.cpp'], compiler: 'g++', flags: ['-g', '-O0', '-fsanitize=address'] },
  asan_overflow: { sources: ['asan_overflow.c'], compiler: 'gcc', flags: ['-g', '-O0', '-fsanitize=address'] },
  lsan_leak: { sources: ['lsan_leak.c'], compiler: 'gcc', flags: ['-g', '-O0', '-fsanitize=leak'] },
  lsan_cycle: { sources: ['lsan_cycle.c'], compiler: 'gcc', flags: ['-g', '-O0', '-fsanitize=leak'] },
  tsan_race: { sources: ['tsan_race.cpp'], compiler: 'g++', flags: ['-g', '-O1', '-fsanitize=thread'] },
  ubsan_errors: { sources: ['ubsan_errors.c'], compiler: 'gcc', flags: ['-g', '-O0', '-fsanitize=undefined'] },
  // The seed crash under AddressSanitizer: the same brpc rule must recognize it without a signal.
  asan_brpc_reenact: { sources: ['brpc_reenact.cpp'], compiler: 'g++', flags: ['-g', '-O0', '-pthread', '-fsanitize=address'] },
  // Fatal-signal handlers (test/e2e/formats.test.ts): glog (Debian libgoogle-glog-dev) and glibc backtrace_symbols.
  glog_crash: { sources: ['glog_crash.cpp'], compiler: 'g++', flags: ['-g', '-O0', '-lglog'] },
  glog_check: { sources: ['glog_check.cpp'], compiler: 'g++', flags: ['-g', '-O0', '-lglog'] },
  backtrace_symbols: { sources: ['backtrace_symbols.c'], compiler: 'gcc', flags: ['-g', '-O0', '-rdynamic'] },
  backtrace_symbols_cpp: { sources: ['backtrace_symbols_cpp.cpp'], compiler: 'g++', flags: ['-g', '-O0', '-rdynamic'] },
  // The seed crash with tcmalloc as the allocator (Debian libgoogle-perftools-dev), for core tests.
  brpc_reenact_tcmalloc: { sources: ['brpc_reenact.cpp'], compiler: 'g++', flags: ['-g', '-O0', '-pthread', '-ltcmalloc'] },
};

export interface RunResult {
  /** stdout and stderr as the terminal would show them (the program's own stderr included). */
  output: string;
  status: number | null;
  timedOut: boolean;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): RunResult {
  // One stream for both, in the order written, like a terminal: 2>&1 through a shell.
  const quoted = [cmd, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('sh', ['-c', `${quoted} 2>&1`], { cwd, encoding: 'utf8', timeout: TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  return { output: r.stdout ?? '', status: r.status, timedOut: r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' };
}

const which = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;

export function haveGdb(): { ok: boolean; reason?: string } {
  return which('gdb') ? { ok: true } : { ok: false, reason: 'gdb is not installed (apt-get install gdb)' };
}

/** Debian's lldb 14 looks for its Python module in the wrong place; point it at the real one. */
let lldbStatus: { ok: boolean; reason?: string } | null = null;
export function haveLldb(): { ok: boolean; reason?: string } {
  if (lldbStatus) return lldbStatus;
  if (!which('lldb')) return (lldbStatus = { ok: false, reason: 'lldb is not installed (apt-get install lldb)' });
  const dir = mkdtempSync(join(tmpdir(), 'coredx-lldb-probe-'));
  try {
    const bin = buildProgram('null_deref', dir);
    const out = lldbLive(bin, dir).output;
    lldbStatus = out.includes('frame #0') ? { ok: true } : { ok: false, reason: `lldb runs but printed no backtrace: ${out.slice(0, 200)}` };
  } catch (err) {
    lldbStatus = { ok: false, reason: `lldb probe failed: ${(err as Error).message}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lldbStatus;
}

export function haveCompiler(): { ok: boolean; reason?: string } {
  return which('gcc') && which('g++') ? { ok: true } : { ok: false, reason: 'gcc/g++ not installed' };
}

/** Compiles test/programs/<name> into `dir` (sources copied there, compiled by relative name). */
export function buildProgram(name: string, dir: string): string {
  const spec = PROGRAMS[name];
  if (!spec) throw new Error(`unknown program ${name}`);
  const compile = (compiler: string, sources: string[], flags: string[], output: string) => {
    for (const s of sources) copyFileSync(join(PROGRAMS_DIR, s), join(dir, s));
    const r = run(compiler, [...sources, ...flags.filter((f) => !f.startsWith('-L') && !f.startsWith('-l') && !f.startsWith('-Wl')), '-o', output, ...flags.filter((f) => f.startsWith('-L') || f.startsWith('-l') || f.startsWith('-Wl'))], dir);
    if (r.status !== 0) throw new Error(`${compiler} ${sources.join(' ')} failed:\n${r.output}`);
  };
  if (spec.library) compile('g++', spec.library.sources, spec.library.flags, spec.library.output);
  compile(spec.compiler, spec.sources, spec.flags, name);
  if (spec.strip) {
    const r = run('strip', [name], dir);
    if (r.status !== 0) throw new Error(`strip failed: ${r.output}`);
  }
  return name;
}

const GDB_BASE = ['-q', '-batch', '-nx', '-iex', 'set debuginfod enabled off'];

/** Runs the program under gdb until it crashes, then the given commands (default `bt`). */
export function gdbLive(bin: string, dir: string, commands: string[] = ['bt', 'p $_siginfo._sifields._sigfault']): RunResult {
  return run('gdb', [...GDB_BASE, '-ex', 'run', ...commands.flatMap((c) => ['-ex', c]), `./${bin}`], dir);
}

/** Runs the program under gdb until it crashes and writes a core file with generate-core-file. */
export function makeCore(bin: string, dir: string, core = `${bin}.core`): string {
  const r = run('gdb', [...GDB_BASE, '-ex', 'run', '-ex', `generate-core-file ${core}`, `./${bin}`], dir);
  if (!existsSync(join(dir, core))) throw new Error(`no core written:\n${r.output}`);
  return core;
}

/** What the README recommends: every thread with locals, and the fault address from the core's siginfo. */
export const GDB_RECOMMENDED = GDB_COMMANDS;

export function gdbCore(bin: string, dir: string, core: string, commands: string[] = GDB_RECOMMENDED): RunResult {
  return run('gdb', [...GDB_BASE, ...commands.flatMap((c) => ['-ex', c]), `./${bin}`, core], dir);
}

/**
 * Runs the program under lldb until it crashes. `-o` commands run when lldb keeps going after the
 * stop and `-k` ones when batch mode stops at a crash; which one happens varies, so both are given
 * and the parser folds the repeated output into one session.
 */
export function lldbLive(bin: string, dir: string, commands: string[] = ['bt']): RunResult {
  return run('lldb', ['--batch', '-o', 'run', ...commands.flatMap((c) => ['-o', c]), ...commands.flatMap((c) => ['-k', c]), `./${bin}`], dir, lldbEnv());
}

export function lldbCore(bin: string, dir: string, core: string, commands: string[] = ['bt all']): RunResult {
  return run('lldb', ['--batch', '-c', core, `./${bin}`, ...commands.flatMap((c) => ['-o', c])], dir, lldbEnv());
}
