// readCore: a core file as the pipeline's input. The native reading always (the kernel's notes:
// threads, registers, siginfo, mappings), a debugger's output on top when one is available (the
// text the pipeline parses with the gdb or lldb parser), and how to complete the parsed report with
// the core's own facts. The native signal and fault address come from the kernel's own notes, so
// they win when the two disagree (and the report says so). Parsing, diagnosing and explaining are
// the pipeline's (src/pipeline.ts): this module imports neither it nor rules/.

import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Report } from '../model.js';
import { detectHang, HANG_DUMP_SIGNALS } from '../normalize/hang.js';
import { computeSignature, signatureOptions } from '../normalize/signature.js';
import { debuggerNotes, firstOutputLine, MAX_OUTPUT, onPath, runDebugger, type DebuggerName, type DebuggerRun } from './debugger.js';
import { readCoreFacts, type CoreFacts } from './native.js';
import { debugPackageHint } from './packages.js';
import { missingSymbolsAdvice, nativeReport } from './summary.js';

export interface CoreOptions {
  /** The crashed program's executable (default: the one the core names, or a file of that name beside the core). */
  exe?: string;
  /** Directory holding the crashed machine's libraries (gdb `set sysroot`). */
  sysroot?: string;
  /** 'auto' (default): gdb when on PATH, else lldb, else none. 'none': the native summary only. */
  debugger?: DebuggerName | 'none' | 'auto';
  /** Debugger time limit in milliseconds (default 60 s); the debugger is killed when it is reached. */
  timeoutMs?: number;
}

export const DEFAULT_DEBUGGER_TIMEOUT_MS = 60_000;

/** A core file read: what the pipeline parses, and how the parsed report becomes the core's report. */
export interface CoreReading {
  facts: CoreFacts;
  /**
   * The debugger's output to parse (with the parser of `debugger`), in the buffers it was read in,
   * or null: the native summary is the report. Handed over: the parser may empty the list as it reads.
   */
  text: { debugger: DebuggerName; output: Buffer[] } | null;
  /**
   * The report: the first report parsed from `text` merged with the core's facts, or (none parsed,
   * no debugger run) the native summary with warnings saying what to do. Undiagnosed.
   */
  complete(parsed: Report | undefined): Report;
}

/**
 * Reads an ELF core file. Rejects with CoredxInputError when the file is not a core coredx can read
 * (truncated before its notes, corrupt, another architecture), with the system error when it cannot
 * be opened. Problems after that (no debugger, no executable, a debugger that hangs or fails) leave
 * the native summary with warnings saying what to do.
 */
export async function readCore(path: string, options: CoreOptions = {}): Promise<CoreReading> {
  const facts = readCoreFacts(path);
  const native = nativeReport(facts);
  const done = (report: Report): Report => {
    report.warnings = [...new Set(report.warnings ?? [])];
    return report;
  };
  const nativeOnly = (...advice: string[]): CoreReading => {
    native.warnings!.push(...advice);
    return { facts, text: null, complete: () => done(native) };
  };

  const choice = options.debugger ?? 'auto';
  if (choice === 'none') return nativeOnly(...missingSymbolsAdvice(facts, 'debugger-none'));
  const name: DebuggerName | null = choice === 'auto' ? (onPath('gdb') ? 'gdb' : onPath('lldb') ? 'lldb' : null) : choice;
  if (!name) return nativeOnly(...missingSymbolsAdvice(facts, 'no-debugger'));
  if (!onPath(name)) return nativeOnly(`${name} is not installed (Debian/Ubuntu: apt-get install ${name}); this is the native summary only`);

  if (options.exe && !isFile(options.exe)) return nativeOnly(`--exe ${options.exe}: no such file`, ...missingSymbolsAdvice(facts, 'no-executable', options.exe));
  const exe = findExecutable(path, facts, options.exe);
  if (!exe) return nativeOnly(...missingSymbolsAdvice(facts, 'no-executable'));
  if (options.sysroot && !existsSync(options.sysroot)) native.warnings!.push(`--sysroot ${options.sysroot}: no such directory`);
  if (options.sysroot && name === 'lldb') native.warnings!.push('--sysroot is applied to gdb only; lldb looks for libraries at the paths the core names');

  const run = await runDebugger(name, path, exe, { sysroot: options.sysroot ?? null, timeoutMs: options.timeoutMs ?? DEFAULT_DEBUGGER_TIMEOUT_MS });
  const problem = debuggerProblem(run);
  const notes = debuggerNotes(run, options.sysroot ?? null);
  const firstLine = firstOutputLine(run.output);
  return {
    facts,
    text: run.output.some((chunk) => chunk.length > 0) ? { debugger: name, output: run.output } : null,
    complete(parsed) {
      if (!parsed || parsed.threads.length === 0) {
        const why = problem ?? `${name} printed no backtrace (${firstLine ?? 'no output'})`;
        native.warnings!.push(...notes, ...missingSymbolsAdvice(facts, 'debugger-failed', `${why}; this is the native summary only`));
        return done(native);
      }
      // The parsed report's own warnings (a capped stack, a capped thread list) stay, after the core's.
      parsed.warnings = [...native.warnings!, ...(problem ? [problem] : []), ...notes, ...(parsed.warnings ?? [])];
      return done(merge(parsed, native, facts, run));
    },
  };
}

const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

function findExecutable(core: string, facts: CoreFacts, given: string | undefined): string | null {
  if (given) return isFile(given) ? given : null;
  const named = facts.executable;
  if (named && isFile(named)) return named;
  // Cores are often copied next to the binary (CI artifacts): try the core's own directory.
  const local = named ? join(dirname(core), basename(named)) : null;
  if (local && isFile(local)) return local;
  return null;
}

function debuggerProblem(run: DebuggerRun): string | null {
  if (run.error) return `${run.debugger} could not be started: ${run.error}`;
  if (run.timedOut) return `${run.debugger} did not finish in time and was stopped; the stacks may be incomplete (raise --debugger-timeout)`;
  if (run.outputCut) return `${run.debugger} printed more than ${MAX_OUTPUT >> 20} MB and was stopped there; the stacks after that were not read`;
  if (run.signal) return `${run.debugger} crashed (${run.signal}); the stacks may be incomplete`;
  return null;
}

/** The debugger's report, corrected and completed by the facts the kernel wrote into the core. */
function merge(r: Report, native: Report, facts: CoreFacts, run: DebuggerRun): Report {
  const warnings = r.warnings ?? [];
  // Line numbers of the debugger's output mean nothing to the user: the core is the source.
  r.source = { path: facts.path, line: 1, endLine: 1 };
  r.format = `core+${run.debugger}`;
  let resign = false;

  // Threads: lldb prints no thread ids for cores, but numbers its threads in the core's note order.
  if (run.debugger === 'lldb' && r.threads.length === facts.threads.length && r.threads.every((t) => t.lwp === null)) {
    r.threads.forEach((t, i) => (t.lwp = facts.threads[i]!.lwp));
  }
  // Each thread's stack pointer from the core's registers (a fault next to it is a stack overflow).
  for (const t of r.threads) {
    const native = t.lwp === null ? undefined : facts.threads.find((n) => n.lwp === t.lwp);
    if (native) t.stackPointer = `0x${native.sp.toString(16).padStart(16, '0')}`;
  }
  // The crashing thread: the one the core records with the signal.
  const nativeLwp = facts.crashed === null ? null : facts.threads[facts.crashed]!.lwp;
  // A hang (gcore of a stuck process: the core's "signal" is the SIGSTOP of the attach) keeps the
  // thread and signature the waiting threads gave it.
  const hung = r.crashKind === 'hang' && (native.signal === null || HANG_DUMP_SIGNALS.has(native.signal));
  const byLwp = nativeLwp === null || hung ? -1 : r.threads.findIndex((t) => t.lwp === nativeLwp);
  if (byLwp >= 0 && byLwp !== r.crashedThread) {
    if (r.crashedThread !== null) warnings.push(`${run.debugger} chose thread ${r.threads[r.crashedThread]!.id || r.crashedThread + 1} as the crashing one, the core records the signal for LWP ${nativeLwp}; the core's is kept`);
    r.threads.forEach((t, i) => (t.crashed = i === byLwp));
    r.crashedThread = byLwp;
    r.crashedThreadReason = 'core-signal';
    resign = true;
  }

  // Frames the debugger could not name: the core's mappings still say which file the pc is in and
  // where, so the signature falls back to "prog!+0x1206" as for a native reading, and two
  // different crashes of stripped binaries do not become one "??" group.
  if (placeUnnamedFrames(r, facts) && r.crashedThread !== null) resign = true;

  if (native.signal && r.signal !== native.signal) {
    if (r.signal) warnings.push(`${run.debugger} says ${r.signal}, the core's siginfo says ${native.signal}; the core's is kept`);
    r.signal = native.signal;
    r.signalDescription = native.signalDescription;
    if (!hung) {
      r.crashKind = native.crashKind;
      resign = true;
    }
  } else if (native.signalDescription && facts.signal) {
    r.signalDescription = native.signalDescription; // with si_code: "address not mapped", "sent by kill()..."
  }
  if (resign) {
    const parts = r.crashKind === 'hang' ? detectHang(r.threads)?.parts : undefined;
    Object.assign(r, computeSignature(r.crashKind, r.crashedThread === null ? [] : r.threads[r.crashedThread]!.frames, signatureOptions(r.format, r.program, parts)));
  }

  // Fault address: with the core's siginfo, the kernel's si_addr (or its absence) is the answer.
  // gdb's `p $_siginfo._sifields._sigfault` prints the union as si_addr whatever the signal, so a
  // SIGABRT shows the sender's pid there: that is not an address and is dropped silently.
  if (facts.signal) {
    const isFault = facts.signal.address !== null;
    if (r.faultAddress && native.faultAddress && BigInt(r.faultAddress) !== BigInt(native.faultAddress)) {
      warnings.push(`${run.debugger} says fault address ${r.faultAddress}, the core's siginfo says ${native.faultAddress}; the core's is kept`);
    } else if (r.faultAddress && !isFault && facts.signal.code > 0) {
      warnings.push(`${run.debugger} shows fault address ${r.faultAddress}, but the kernel reported none for this ${native.signal} (si_code ${facts.signal.code}); it is dropped`);
    }
    r.faultAddress = native.faultAddress;
  }
  r.program ??= native.program;
  r.modules = [...facts.modules];
  r.warnings = [...warnings, ...missingSymbols(r, facts)];
  return r;
}

/** Gives unnamed frames with an address their module (when the debugger printed none) and offset. */
function placeUnnamedFrames(r: Report, facts: CoreFacts): boolean {
  let placed = false;
  for (const t of r.threads) {
    for (const f of t.frames) {
      if (f.function !== '??' || !f.address) continue;
      const pc = BigInt(f.address);
      const m = facts.mappings.find((x) => pc >= x.start && pc < x.end);
      if (!m) continue;
      f.module ??= m.path;
      f.moduleOffset = `0x${(pc - m.start + m.offset).toString(16)}`;
      placed = true;
    }
  }
  return placed;
}

/** Frames the debugger could not name near the crash, by module: what to install or pass. */
function missingSymbols(r: Report, facts: CoreFacts): string[] {
  const crashed = r.crashedThread === null ? null : r.threads[r.crashedThread];
  if (!crashed) return [];
  const top = crashed.frames.slice(0, 5);
  // One unnamed libstdc++ thunk deep in a stack is normal; unnamed frames where the crash is are not.
  if (top[0]?.function !== '??' && r.signatureFrames.length > 0 && !r.signatureFrames.some((f) => f.includes('??'))) return [];
  const unnamed = new Map<string, number>();
  for (const f of top) if (f.function === '??') unnamed.set(f.module ?? '', (unnamed.get(f.module ?? '') ?? 0) + 1);
  return [...unnamed].map(([m, n]) => {
    const frames = `${n} frame${n === 1 ? '' : 's'} near the crash`;
    const inExecutable = m !== '' && facts.executable !== null && (m === facts.executable || basename(m) === basename(facts.executable));
    if (!m || inExecutable) return `no symbols for ${frames} (in the executable${m ? ` ${m}` : ', or outside any file'}): pass the unstripped binary with --exe, or build with -g`;
    // lldb names modules by file name, gdb by path: the core's own mapping gives the full path.
    const full = m.startsWith('/') ? m : facts.modules.find((p) => basename(p) === m) ?? m;
    const pkg = debugPackageHint(full);
    return `no symbols for ${frames} in ${full}: install its debug symbols (${pkg ?? 'Debian: the -dbgsym/-dbg package of the library'}), or pass --sysroot with the crashed machine's libraries`;
  });
}
